"""How the service answers errors: HTML pages for people, problem documents for programs.

A request to ``/api/...``, or from a client that does not ask for HTML, gets an RFC 9457 problem
document (``application/problem+json``: ``type``, ``title``, ``status``, ``detail``, and for invalid
fields ``errors`` with the field of each). A browser asking for a page gets the same cause as an HTML
page in the site layout. Unexpected errors answer 500 without a traceback.

:class:`ContentTypeCheck` answers 415 when a request body's media type is not the one the route reads
(JSON for a JSON body, ``multipart/form-data`` for an upload), before the body is parsed.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["install", "problem", "wants_html", "ContentTypeCheck", "PROBLEM_JSON"]

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("eauth_toolkit.web")


def wants_html(request: Request) -> bool:
    """A page for a browser: not under ``/api/`` and the client accepts ``text/html``."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": _title(status), "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "profile", "x")`` -> ``profile.x``; ``("query", "as_of")`` -> ``as_of``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie") and len(parts) > 1:
        parts = parts[1:]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else ("." if out else "") + p
    return out or "(request)"


def _page(request: Request, status: int, detail: str, errors: list[dict[str, str]]) -> Response:
    from eauth_toolkit.web.templating import templates

    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": _title(status), "detail": detail, "errors": errors},
        status_code=status,
    )


def _answer(
    request: Request,
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_html(request):
        resp = _page(request, status, detail, errors or [])
        for k, v in (headers or {}).items():
            resp.headers[k] = v
        return resp
    extra: dict[str, Any] = {"errors": errors} if errors else {}
    return problem(status, detail, headers=headers, **extra)


def _default_detail(request: Request, status: int) -> str:
    if status == 404:
        return f"nothing at {request.url.path}"
    if status == 405:
        return f"{request.method} is not allowed on {request.url.path}"
    return _title(status)


def install(app: FastAPI) -> None:
    """Register the error handlers and the content-type check on ``app``."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail
        if not isinstance(detail, str) or detail == _title(exc.status_code):
            detail = _default_detail(request, exc.status_code)
        return _answer(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "(request)", "message": "invalid"}
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return _answer(request, 422, f"{first['field']}: {first['message']}{more}", errors)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc
        )  # the log keeps the cause; the client gets no traceback
        return _answer(request, 500, f"the service failed on {request.url.path}; see its log")

    app.add_middleware(ContentTypeCheck, app_routes=app)
    _document_problems(app)


#: the RFC 9457 members this service sends (``errors`` only for invalid fields)
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ProblemDetails",
    "type": "object",
    "description": "RFC 9457 problem document",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _document_problems(app: FastAPI) -> None:
    """The OpenAPI document says what invalid input gets: a 422 problem document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        ref = {"$ref": "#/components/schemas/ProblemDetails"}
        used = False
        for ops in (doc.get("paths") or {}).values():
            for op in ops.values():
                response: dict[str, Any] = (op.get("responses") or {}).get("422") or {}
                content = response.get("content") or {}
                schema = (content.get("application/json") or {}).get("schema") or {}
                if schema.get("$ref", "").endswith("/HTTPValidationError"):
                    response["content"] = {PROBLEM_JSON: {"schema": ref}}
                    used = True
        if used:
            doc.setdefault("components", {}).setdefault("schemas", {})["ProblemDetails"] = (
                PROBLEM_SCHEMA
            )
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def _body_types(openapi: dict[str, Any]) -> list[tuple[re.Pattern[str], str, tuple[str, ...]]]:
    """(path pattern, method, media types) of every operation whose request body is declared."""
    out = []
    for path, ops in (openapi.get("paths") or {}).items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, op in ops.items():
            content = ((op or {}).get("requestBody") or {}).get("content") or {}
            if content:
                out.append((pattern, method.upper(), tuple(content)))
    return out


def _matches(media: str, expected: tuple[str, ...]) -> bool:
    if media in expected:
        return True
    json_ok = any(e == "application/json" or e.endswith("+json") for e in expected)
    return json_ok and media.startswith("application/") and media.endswith("+json")


class ContentTypeCheck:
    """415 for a request body in a media type the operation does not read (pure ASGI middleware).

    The media types are those of the operation's ``requestBody`` in the service's OpenAPI document
    (JSON for a JSON body, ``multipart/form-data`` for an upload), so the check and the published
    contract cannot disagree."""

    def __init__(self, app: ASGIApp, app_routes: FastAPI) -> None:
        self.app = app
        self.service = app_routes
        self._table: list[tuple[re.Pattern[str], str, tuple[str, ...]]] | None = None

    def _expected(self, method: str, path: str) -> tuple[str, ...] | None:
        if self._table is None:
            self._table = _body_types(self.service.openapi())
        for pattern, m, types in self._table:
            if m == method and pattern.match(path):
                return types
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"content-type", b"").decode("latin-1")
        media = raw.partition(";")[0].strip().lower()
        length = headers.get(b"content-length")
        empty = length is not None and length.strip() == b"0"
        expected = self._expected(scope["method"], scope["path"])
        if expected is None or (not media and empty) or _matches(media, expected):
            await self.app(scope, receive, send)
            return
        detail = (
            f"Content-Type: expected {' or '.join(expected)}, got {media or 'none'}"
            f" (at {scope['path']})"
        )
        request = Request(scope)
        if wants_html(request):
            response: Response = _page(request, 415, detail, [])
        else:
            response = problem(415, detail)
        await response(scope, receive, send)
