"""`rosterd.server.asgi:app` for ASGI servers started by hand (uvicorn, granian, gunicorn).

The app is built from `ROSTERD_*` settings when this module is imported; the schema must already
be migrated (`rosterd db upgrade`).
"""

from rosterd.server.app import create_app
from rosterd.server.logging import configure_logging
from rosterd.server.settings import Settings

settings = Settings()
# rosterd serve's workers log as it does; an ASGI server that set up logging keeps its own.
configure_logging(settings.log_level, settings.log_format)
app = create_app(settings)
