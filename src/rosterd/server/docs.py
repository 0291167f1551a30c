"""The API documentation pages: a dialect's OpenAPI document rendered by Swagger UI at
`<prefix>/docs`, from the copy shipped in the package (docs_assets/swagger-ui), never a CDN.

The routes go after the dialect's own: an API request matches its route first and never
reaches them.
"""

from __future__ import annotations

import html
import json
from functools import cache
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

ASSETS: Final = Path(__file__).parent / "docs_assets" / "swagger-ui"
# Every file a page loads, and its type; nothing else of the folder is served.
MEDIA_TYPES: Final = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
_PAGE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>
SwaggerUIBundle({{
  url: {document},
  dom_id: "#swagger-ui",
  deepLinking: true,
  // Swagger UI asks validator.swagger.io for a badge unless told not to: no network at all.
  validatorUrl: null
}});
</script>
</body>
</html>
"""


def add_docs_pages(app: FastAPI, prefix: str) -> None:
    """`prefix/docs` (the page) and `prefix/docs/<asset>` on the dialect app mounted at `prefix`."""
    assert app.openapi_url is not None, "a dialect without an OpenAPI document has no page"
    page = _PAGE.format(
        title=html.escape(f"{app.title}: documentation"),
        assets=f"{prefix}/docs",
        # In a <script>: JSON, with "</" broken so that it cannot end the element.
        document=json.dumps(prefix + app.openapi_url).replace("</", "<\\/"),
    )

    async def docs_page() -> HTMLResponse:
        return HTMLResponse(page)

    # FastAPI routes, so that the request's scope names the route (metrics label by it), out of
    # the OpenAPI document.
    app.add_api_route("/docs", docs_page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/docs/{asset}", _asset, methods=["GET"], include_in_schema=False)


async def _asset(asset: str) -> Response:
    media_type = MEDIA_TYPES.get(asset)
    if media_type is None:
        raise HTTPException(404)  # answered in the dialect's envelope
    return Response(
        _read(asset),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )


@cache
def _read(name: str) -> bytes:
    return (ASSETS / name).read_bytes()
