"""Storage: SQLAlchemy tables, the DirectoryStore implementation and Alembic migrations."""

from rosterd.storage.engine import make_engine
from rosterd.storage.migrate import is_current, upgrade
from rosterd.storage.store import SqlDirectoryStore

__all__ = ["SqlDirectoryStore", "is_current", "make_engine", "upgrade"]
