"""The API documentation pages (``/docs``: Swagger UI, ``/redoc``: ReDoc) and the site icon, offline.

The Swagger UI (Apache-2.0) and ReDoc (MIT) bundles come from the ``fastapi-offline`` package, a
runtime dependency, and are served from ``/static/docs/``; the pages load nothing from elsewhere (no
CDN, no web fonts, no validator badge), so they work on a machine without internet. ReDoc's sidebar
shows its maker's logo from a CDN: the bundle is served with that one address pointing at our icon.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

__all__ = ["install", "ASSETS_PATH", "FAVICON_SVG", "assets_dir"]

ASSETS_PATH = "/static/docs"
REDOC_JS = "/static/redoc.standalone.js"
#: the one address the ReDoc bundle loads from elsewhere (its sidebar logo)
_REDOC_REMOTE_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"

#: the site icon: a shield with a check mark, in the header's colours
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<path d="M16 2 4 6v9c0 7.2 5.1 12.9 12 15 6.9-2.1 12-7.8 12-15V6z" fill="#123c69"/>'
    '<path d="m10 16 4.2 4.2L22.5 12" fill="none" stroke="#fff" stroke-width="3"'
    ' stroke-linecap="round" stroke-linejoin="round"/></svg>'
)


def assets_dir() -> Path:
    """The folder holding ``swagger-ui-bundle.js``, ``swagger-ui.css`` and ``redoc.standalone.js``."""
    return Path(str(files("fastapi_offline").joinpath("static")))


def install(app: FastAPI) -> None:
    """Mount the assets and add ``/docs``, ``/docs/oauth2-redirect``, ``/redoc`` and the icon.

    ``app`` must be built with ``docs_url=None, redoc_url=None`` (FastAPI's own pages use a CDN).
    """
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_dir()), name="docs-assets")
    title = app.title
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{title}: API documentation",
            oauth2_redirect_url=f"{root}{redirect_url}",
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}/favicon.svg",
            # no badge that asks an online validator about the document
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{title}: API reference",
            redoc_js_url=f"{root}{REDOC_JS}",
            redoc_favicon_url=f"{root}/favicon.svg",
            with_google_fonts=False,
        )

    redoc_bundle: list[bytes] = []

    @app.get(REDOC_JS, include_in_schema=False)
    def redoc_js() -> Response:
        if not redoc_bundle:
            data = (assets_dir() / "redoc.standalone.js").read_bytes()
            redoc_bundle.append(data.replace(_REDOC_REMOTE_LOGO, b"/favicon.svg"))
        return Response(
            redoc_bundle[0],
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @app.get("/favicon.ico", include_in_schema=False)
    @app.get("/favicon.svg", include_in_schema=False)
    def favicon() -> Response:
        return Response(
            FAVICON_SVG,
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )
