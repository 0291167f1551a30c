"""ThousandEyes v7 Administrative API: `UsersApi`, `RolesApi`, `AccountGroupsApi`,
`PermissionsApi` and their models.

Importing this package also imports `thousandeyes_sdk.core` (so `thousandeyes_sdk.core.
Configuration` works after `import thousandeyes_sdk.administrative`, as the docs' examples
rely on).
"""

import thousandeyes_sdk.core  # noqa: F401  (see the docstring)
from thousandeyes_sdk.administrative.api.account_groups_api import AccountGroupsApi
from thousandeyes_sdk.administrative.api.permissions_api import PermissionsApi
from thousandeyes_sdk.administrative.api.roles_api import RolesApi
from thousandeyes_sdk.administrative.api.users_api import UsersApi
from thousandeyes_sdk.administrative.models import (
    AccountGroup,
    AccountGroupInfo,
    AccountGroupRole,
    AccountGroups,
    BaseRole,
    CreatedUser,
    Error,
    ExtendedUser,
    Link,
    Permission,
    Permissions,
    Role,
    RoleDetail,
    RoleRequestBody,
    Roles,
    SelfLinks,
    UnauthorizedError,
    User,
    UserAccountGroupRole,
    UserDetail,
    UserRequest,
    Users,
    ValidationError,
    ValidationErrorItem,
)
from thousandeyes_sdk.core.version import __version__

__all__ = [
    "AccountGroup",
    "AccountGroupInfo",
    "AccountGroupRole",
    "AccountGroups",
    "AccountGroupsApi",
    "BaseRole",
    "CreatedUser",
    "Error",
    "ExtendedUser",
    "Link",
    "Permission",
    "Permissions",
    "PermissionsApi",
    "Role",
    "RoleDetail",
    "RoleRequestBody",
    "Roles",
    "RolesApi",
    "SelfLinks",
    "UnauthorizedError",
    "User",
    "UserAccountGroupRole",
    "UserDetail",
    "UserRequest",
    "Users",
    "UsersApi",
    "ValidationError",
    "ValidationErrorItem",
    "__version__",
]
