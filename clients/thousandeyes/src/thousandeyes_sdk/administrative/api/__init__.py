from thousandeyes_sdk.administrative.api.roles_api import RolesApi
from thousandeyes_sdk.administrative.api.users_api import UsersApi

__all__ = ["RolesApi", "UsersApi"]
