from kandji.api.users_api import UsersApi

__all__ = ["UsersApi"]
