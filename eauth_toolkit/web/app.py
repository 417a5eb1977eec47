"""``create_app(settings)``: the one service (``eauth sandbox serve``).

Each part contributes an ``install(app, settings)`` function that adds its routers, pages and
start-up work; nothing is created at import time, so tests build the real app against a temporary
SQLite file or a real PostgreSQL server just by passing other settings.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from eauth_toolkit import __version__
from eauth_toolkit.settings import Settings
from eauth_toolkit.web import docs, errors
from eauth_toolkit.web.front import Service
from eauth_toolkit.web.templating import templates

__all__ = ["create_app", "templates", "add_home_link", "PARTS", "PART_GROUP", "all_parts"]


#: the service's own parts: modules with an ``install(app, settings)`` function, in mounting order
PARTS = (
    "eauth_toolkit.web.routes.plan",
    "eauth_toolkit.web.routes.loa",
    "eauth_toolkit.web.routes.repository",
    "eauth_toolkit.web.routes.reviews",
    "eauth_toolkit.web.routes.signatures",
    "eauth_toolkit.web.routes.laws",
)

#: entry-point group through which an installed package adds a part to the service (the pilot
#: sandbox registers itself here). A part is a module with ``install(app, settings)``, and may
#: have ``check(settings)``, run once before any worker starts, and ``PAGES``, the
#: ``(path, what)`` lines ``eauth sandbox serve`` prints at start.
PART_GROUP = "eauth_toolkit.web_parts"


def added_parts() -> list[ModuleType]:
    """The parts installed packages registered under :data:`PART_GROUP`, by entry-point name."""
    from importlib.metadata import entry_points

    found = sorted(entry_points(group=PART_GROUP), key=lambda ep: ep.name)
    return [importlib.import_module(ep.value.split(":", 1)[0]) for ep in found]


def all_parts() -> list[ModuleType]:
    """The service's own parts, then the added ones."""
    return [*(importlib.import_module(name) for name in PARTS), *added_parts()]


#: links shown on the home page: (path, title, what it is), extended by the parts' install()
HOME_LINKS_KEY = "home_links"


def create_app(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    app = Service(
        title="eauth-toolkit",
        version=__version__,
        description=(
            "ASEAN e-authentication and e-signature interoperability toolkit "
            "(Work Plan B.2 Electronic Authentication, B.3 Electronic Signatures)."
        ),
        docs_url=None,  # served offline by eauth_toolkit.web.docs
        redoc_url=None,
    )
    errors.install(app)
    docs.install(app)
    app.state.settings = settings
    setattr(
        app.state,
        HOME_LINKS_KEY,
        [
            ("/docs", "API documentation", "OpenAPI, try the API (Swagger UI)"),
            ("/redoc", "API reference", "OpenAPI, to read (ReDoc)"),
        ],
    )

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "home.html", {"links": getattr(app.state, HOME_LINKS_KEY)}
        )

    for part in all_parts():
        part.install(app, settings)
    from eauth_toolkit.web import limits

    limits.install(app)  # request bodies limited while they stream in, on every route
    return app


def add_home_link(app: FastAPI, path: str, title: str, what: str) -> None:
    getattr(app.state, HOME_LINKS_KEY).append((path, title, what))
