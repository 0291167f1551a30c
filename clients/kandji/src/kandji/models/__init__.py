"""The models of the Users API, each at its generated module path."""

from kandji.models.audit_log_list_audit_events200_response import (
    AuditLogListAuditEvents200Response,
)
from kandji.models.prism_request_category_export400_response import (
    PrismRequestCategoryExport400Response,
)
from kandji.models.users_get_user200_response import UsersGetUser200Response
from kandji.models.users_get_user200_response_integration import (
    UsersGetUser200ResponseIntegration,
)

__all__ = [
    "AuditLogListAuditEvents200Response",
    "PrismRequestCategoryExport400Response",
    "UsersGetUser200Response",
    "UsersGetUser200ResponseIntegration",
]
