from thousandeyes_sdk.administrative.api.users_api import UsersApi

__all__ = ["UsersApi"]
