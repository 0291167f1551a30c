"""`rosterd.server.asgi:app` for ASGI servers started by hand (uvicorn, granian, gunicorn).

The app is built from `ROSTERD_*` settings when this module is imported; the schema must already
be migrated (`rosterd db upgrade`).
"""

from rosterd.server.app import create_app
from rosterd.server.settings import Settings

app = create_app(Settings())
