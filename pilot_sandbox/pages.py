"""The pilot's answers as HTTP responses: template rendering (``pilot_sandbox/templates`` over the
service's base), the parts' :mod:`~pilot_sandbox.answers` as responses, the one mapping of an
:class:`OAuthError` to a response, and the request parameters (each once, size-limited)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from eauth_toolkit.web.templating import add_template_folder, templates
from pilot_sandbox.answers import Answer, Page
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.messages import ProtocolResponse
from pilot_sandbox.oidc.provider import MAX_PARAMS, single_values
from pilot_sandbox.store import flush_pending

__all__ = [
    "templates",
    "render",
    "respond",
    "protocol_response",
    "error_response",
    "token_error",
    "redirect",
    "body",
    "Body",
    "form_fields",
    "query",
]

_MAX_BODY = 64 * 1024
#: provider endpoints that answer in OAuth JSON, errors included
_JSON_ENDPOINTS = ("/token", "/par", "/userinfo", "/jwks", "-configuration", "-server")

PILOT_TEMPLATES = Path(__file__).resolve().parent / "templates"

add_template_folder(PILOT_TEMPLATES)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def respond(request: Request, answer: Answer) -> Response:
    """A part's answer as a response (the request's store writes committed first)."""
    flush_pending()
    response: Response
    if isinstance(answer, Page):
        response = render(request, answer.template, answer.context, status=answer.status)
    else:
        response = redirect(answer.url)
    for c in answer.cookies:
        if c.delete:
            response.delete_cookie(c.name, path=c.path)
        else:
            response.set_cookie(
                c.name, c.value, httponly=True, samesite="lax", path=c.path, max_age=c.max_age
            )
    return response


def protocol_response(answer: ProtocolResponse) -> JSONResponse:
    """A provider's JSON answer (token, PAR, UserInfo) as a response."""
    flush_pending()
    return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)


def error_response(request: Request, exc: OAuthError) -> Response:
    """The one mapping of a protocol error to a response: an error authorization response to the
    client when it is safe (``exc.location``), OAuth JSON at the provider endpoints, else a page
    that tells the citizen what went wrong."""
    flush_pending()
    if exc.location:
        return redirect(exc.location)
    if request.url.path.endswith(_JSON_ENDPOINTS):
        return token_error(exc)
    return render(
        request,
        "pilot_error.html",
        {"error": exc.code, "description": exc.description},
        status=exc.status,
    )


def token_error(exc: OAuthError) -> JSONResponse:
    """An OAuth error in JSON (RFC 6749 5.2); a 401 names the scheme in ``WWW-Authenticate``
    (RFC 6749 5.2, RFC 6750 3, RFC 9449 7.1)."""
    headers = {"Cache-Control": "no-store", **exc.headers}
    if exc.status == 401:
        desc = exc.description.replace("\\", "").replace('"', "'")[:200]
        headers["WWW-Authenticate"] = f'{exc.scheme} error="{exc.code}", error_description="{desc}"'
    return JSONResponse(exc.as_json(), status_code=exc.status, headers=headers)


def query(request: Request) -> dict[str, str]:
    """The query parameters, each once (a repeated or over-long one is an ``invalid_request``)."""
    return single_values(request.query_params.multi_items())


async def body(request: Request) -> bytes:
    """The request body, at most 64 KiB (read in the event loop; a dependency of the handlers,
    which run in worker threads)."""
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > _MAX_BODY:
            raise OAuthError(
                "invalid_request", f"the body is larger than {_MAX_BODY} bytes", redirect=False
            )
    return data


def form_fields(request: Request, data: bytes) -> dict[str, str]:
    """The fields of a URL-encoded form POST (HTML forms, token and PAR requests), each once.
    Any other body is an ``invalid_request``."""
    ctype = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if not ctype and not data:
        return {}  # an empty form
    if ctype != "application/x-www-form-urlencoded":
        raise OAuthError(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
            redirect=False,
        )
    try:
        pairs = parse_qsl(
            data.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_PARAMS,
            errors="strict",
        )
    except (ValueError, UnicodeDecodeError):
        raise OAuthError(
            "invalid_request", "the form body is not valid UTF-8 URL-encoded data", redirect=False
        ) from None
    return single_values(pairs)


#: the request body as a handler parameter
Body = Annotated[bytes, Depends(body)]
