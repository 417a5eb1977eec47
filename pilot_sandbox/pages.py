"""Template rendering for the pilot pages (``pilot_sandbox/templates`` over the service's base)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from eauth_toolkit.web.app import TEMPLATE_DIR
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import Provider

__all__ = ["templates", "render", "oauth_failure", "token_error", "redirect", "form_fields"]

_MAX_FORM_FIELDS = 1000  # as Starlette's form parser

PILOT_TEMPLATES = Path(__file__).resolve().parent / "templates"

templates = Jinja2Templates(
    env=Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(str(PILOT_TEMPLATES)), FileSystemLoader(str(TEMPLATE_DIR))]
        ),
        autoescape=select_autoescape(["html"]),
    )
)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def oauth_failure(request: Request, provider: Provider | None, exc: OAuthError) -> Response:
    """Send the error back to the client's redirect URI when that is safe, else show it."""
    if provider is not None and exc.redirect and exc.request is not None:
        return redirect(provider.error_redirect(exc.request, exc.code, exc.description))
    return render(
        request,
        "pilot_error.html",
        {"error": exc.code, "description": exc.description},
        status=exc.status,
    )


def token_error(exc: OAuthError) -> JSONResponse:
    return JSONResponse(
        exc.as_json(), status_code=exc.status, headers={"Cache-Control": "no-store"}
    )


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of a form POST (the last value of a repeated name). URL-encoded bodies (HTML
    forms, token requests) are decoded directly; any other body, or one with too many fields, goes
    through Starlette's form parser, which answers as it always has."""
    ctype = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        body = await request.body()
        try:
            return dict(
                parse_qsl(
                    body.decode("utf-8", "replace"),
                    keep_blank_values=True,
                    max_num_fields=_MAX_FORM_FIELDS,
                )
            )
        except ValueError:
            pass
    return {k: str(v) for k, v in (await request.form()).items()}
