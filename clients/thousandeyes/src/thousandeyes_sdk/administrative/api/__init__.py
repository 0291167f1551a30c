from thousandeyes_sdk.administrative.api.account_groups_api import AccountGroupsApi
from thousandeyes_sdk.administrative.api.permissions_api import PermissionsApi
from thousandeyes_sdk.administrative.api.roles_api import RolesApi
from thousandeyes_sdk.administrative.api.user_events_api import UserEventsApi
from thousandeyes_sdk.administrative.api.users_api import UsersApi

__all__ = ["AccountGroupsApi", "PermissionsApi", "RolesApi", "UserEventsApi", "UsersApi"]
