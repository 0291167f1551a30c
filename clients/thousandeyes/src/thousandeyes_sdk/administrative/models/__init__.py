"""The models of the administrative API classes, each at
`thousandeyes_sdk.administrative.models.<snake_name>`."""

from thousandeyes_sdk.administrative.models.account_group import AccountGroup
from thousandeyes_sdk.administrative.models.account_group_detail import AccountGroupDetail
from thousandeyes_sdk.administrative.models.account_group_info import AccountGroupInfo
from thousandeyes_sdk.administrative.models.account_group_request import AccountGroupRequest
from thousandeyes_sdk.administrative.models.account_group_role import AccountGroupRole
from thousandeyes_sdk.administrative.models.account_groups import AccountGroups
from thousandeyes_sdk.administrative.models.audit_user_events import AuditUserEvents
from thousandeyes_sdk.administrative.models.base_role import BaseRole
from thousandeyes_sdk.administrative.models.cloud_enterprise_agent_type import (
    CloudEnterpriseAgentType,
)
from thousandeyes_sdk.administrative.models.created_account_group import CreatedAccountGroup
from thousandeyes_sdk.administrative.models.created_user import CreatedUser
from thousandeyes_sdk.administrative.models.enterprise_agent import EnterpriseAgent
from thousandeyes_sdk.administrative.models.enterprise_agent_ipv6_policy import (
    EnterpriseAgentIpv6Policy,
)
from thousandeyes_sdk.administrative.models.enterprise_agent_state import EnterpriseAgentState
from thousandeyes_sdk.administrative.models.error import Error
from thousandeyes_sdk.administrative.models.expand_account_group_options import (
    ExpandAccountGroupOptions,
)
from thousandeyes_sdk.administrative.models.extended_user import ExtendedUser
from thousandeyes_sdk.administrative.models.link import Link
from thousandeyes_sdk.administrative.models.pagination_links import PaginationLinks
from thousandeyes_sdk.administrative.models.permission import Permission
from thousandeyes_sdk.administrative.models.permissions import Permissions
from thousandeyes_sdk.administrative.models.resource import Resource
from thousandeyes_sdk.administrative.models.role import Role
from thousandeyes_sdk.administrative.models.role_detail import RoleDetail
from thousandeyes_sdk.administrative.models.role_request_body import RoleRequestBody
from thousandeyes_sdk.administrative.models.roles import Roles
from thousandeyes_sdk.administrative.models.self_links import SelfLinks
from thousandeyes_sdk.administrative.models.unauthorized_error import UnauthorizedError
from thousandeyes_sdk.administrative.models.user import User
from thousandeyes_sdk.administrative.models.user_account_group import UserAccountGroup
from thousandeyes_sdk.administrative.models.user_account_group_role import UserAccountGroupRole
from thousandeyes_sdk.administrative.models.user_detail import UserDetail
from thousandeyes_sdk.administrative.models.user_event import UserEvent
from thousandeyes_sdk.administrative.models.user_request import UserRequest
from thousandeyes_sdk.administrative.models.users import Users
from thousandeyes_sdk.administrative.models.validation_error import ValidationError
from thousandeyes_sdk.administrative.models.validation_error_item import ValidationErrorItem

__all__ = [
    "AccountGroup",
    "AccountGroupDetail",
    "AccountGroupInfo",
    "AccountGroupRequest",
    "AccountGroupRole",
    "AccountGroups",
    "AuditUserEvents",
    "BaseRole",
    "CloudEnterpriseAgentType",
    "CreatedAccountGroup",
    "CreatedUser",
    "EnterpriseAgent",
    "EnterpriseAgentIpv6Policy",
    "EnterpriseAgentState",
    "Error",
    "ExpandAccountGroupOptions",
    "ExtendedUser",
    "Link",
    "PaginationLinks",
    "Permission",
    "Permissions",
    "Resource",
    "Role",
    "RoleDetail",
    "RoleRequestBody",
    "Roles",
    "SelfLinks",
    "UnauthorizedError",
    "User",
    "UserAccountGroup",
    "UserAccountGroupRole",
    "UserDetail",
    "UserEvent",
    "UserRequest",
    "Users",
    "ValidationError",
    "ValidationErrorItem",
]
