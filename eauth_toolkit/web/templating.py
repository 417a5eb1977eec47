"""The one Jinja environment every page and saved HTML document is rendered with.

The service's pages, the standalone Work Plan report, the pilot's pages and its saved report all
use :data:`environment`, so they share one set of rules: HTML is autoescaped, and a missing value
is shown as a dash, never as the word "None". The service's own templates live in
``eauth_toolkit/web/templates``; a part that brings its own (the pilot sandbox) adds its folder
with :func:`add_template_folder`. Template names are global: a part's names must not repeat the
service's (the service's folder is searched first).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

__all__ = [
    "TEMPLATE_DIR",
    "NAV",
    "environment",
    "templates",
    "add_template_folder",
    "add_nav_link",
    "shown",
]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def shown(value: object) -> object:
    """What a page shows for a value: a dash, never the word "None", for a missing one."""
    return "—" if value is None else value


_folders: list[FileSystemLoader] = [FileSystemLoader(str(TEMPLATE_DIR))]
_loader = ChoiceLoader(_folders)

#: the environment of every page and document
#: (templates are files of the installed package: each is read once, not checked for changes on
#: every page)
environment = Environment(
    loader=_loader, autoescape=select_autoescape(["html"]), finalize=shown, auto_reload=False
)

#: the header links of the service's own pages; a service's parts add theirs (``add_nav_link``)
NAV: tuple[tuple[str, str], ...] = (
    ("/plan", "Work Plan"),
    ("/repository", "Repository List"),
    ("/loa/guidance", "LoA Guidance"),
    ("/signatures/check", "Check a signature"),
    ("/laws", "Laws"),
)
_NAV_KEY = "nav"


def nav_links(request: Any) -> list[tuple[str, str]]:
    """The header links of the service that answers ``request``: its own, its parts', the API."""
    state = getattr(getattr(request, "app", None), "state", None)
    links = getattr(state, _NAV_KEY, None) or list(NAV)
    return [*links, ("/docs", "API")]


def add_nav_link(app: Any, path: str, title: str) -> None:
    """Add a header link to every page of ``app`` (a part's main page)."""
    links = getattr(app.state, _NAV_KEY, None)
    if links is None:
        links = list(NAV)
        setattr(app.state, _NAV_KEY, links)
    links.append((path, title))


environment.globals["nav_links"] = nav_links

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

    #: the same environment, for routes (``templates.TemplateResponse(request, name, ctx)``)
    templates: Jinja2Templates

_routes_templates: Any = None


def __getattr__(name: str) -> Any:
    # built on first use, so rendering a document from the command line never imports the web stack
    global _routes_templates
    if name == "templates":
        if _routes_templates is None:
            from fastapi.templating import Jinja2Templates

            _routes_templates = Jinja2Templates(env=environment)
        return _routes_templates
    raise AttributeError(name)


def add_template_folder(folder: Path) -> None:
    """Make the templates in ``folder`` available by name (idempotent)."""
    path = str(Path(folder).resolve())
    if all(loader.searchpath != [path] for loader in _folders):
        _folders.append(FileSystemLoader(path))
