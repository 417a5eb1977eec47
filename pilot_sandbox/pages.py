"""Template rendering for the pilot pages (``pilot_sandbox/templates`` over the service's base)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from eauth_toolkit.web.templating import add_template_folder, templates
from pilot_sandbox.oidc.client import BROWSER_COOKIE
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import MAX_PARAMS, Provider, single_values

__all__ = [
    "templates",
    "render",
    "oauth_failure",
    "token_error",
    "redirect",
    "form_fields",
    "query",
    "browser_id",
    "keep_browser",
]

_MAX_BODY = 64 * 1024

PILOT_TEMPLATES = Path(__file__).resolve().parent / "templates"

add_template_folder(PILOT_TEMPLATES)


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


def token_error(exc: OAuthError, *, scheme: str = "Bearer") -> JSONResponse:
    """An OAuth error in JSON (RFC 6749 5.2); a 401 names the scheme in ``WWW-Authenticate``
    (RFC 6749 5.2, RFC 6750 3, RFC 9449 7.1)."""
    headers = {"Cache-Control": "no-store", **exc.headers}
    if exc.status == 401:
        desc = exc.description.replace("\\", "").replace('"', "'")[:200]
        headers["WWW-Authenticate"] = f'{scheme} error="{exc.code}", error_description="{desc}"'
    return JSONResponse(exc.as_json(), status_code=exc.status, headers=headers)


def query(request: Request) -> dict[str, str]:
    """The query parameters, each once (a repeated or over-long one is an ``invalid_request``)."""
    return single_values(request.query_params.multi_items())


async def form_fields(request: Request) -> dict[str, str]:
    """The fields of a URL-encoded form POST (HTML forms, token and PAR requests), each once.
    Any other body is an ``invalid_request``."""
    ctype = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if not ctype and request.headers.get("content-length", "0") == "0":
        return {}  # an empty form
    if ctype != "application/x-www-form-urlencoded":
        raise OAuthError(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
            redirect=False,
        )
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            raise OAuthError(
                "invalid_request", f"the body is larger than {_MAX_BODY} bytes", redirect=False
            )
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_PARAMS,
            errors="strict",
        )
    except (ValueError, UnicodeDecodeError):
        raise OAuthError(
            "invalid_request", "the form body is not valid UTF-8 URL-encoded data", redirect=False
        ) from None
    return single_values(pairs)


def browser_id(request: Request) -> tuple[str, bool]:
    """The browser's binding cookie (and whether it is new): a sign-in's ``state`` is only
    answered in the browser that started it."""
    value = request.cookies.get(BROWSER_COOKIE, "")
    if 20 <= len(value) <= 64:
        return value, False
    return secrets.token_urlsafe(24), True


def keep_browser(response: Response, browser: str, new: bool) -> Response:
    if new:
        response.set_cookie(
            BROWSER_COOKIE, browser, httponly=True, samesite="lax", path="/ams/", max_age=86400
        )
    return response
