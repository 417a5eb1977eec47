"""Request body limits for the whole service, enforced while the body streams in.

:class:`BodyLimit` is a pure ASGI middleware: it refuses a request whose ``Content-Length``
exceeds the limit before reading anything, and counts the bytes of every other body (chunked
transfer encoding included) as they arrive, answering ``413 Content Too Large`` with an RFC 9457
problem document as soon as the count passes the limit. Memory use is bounded by the limit, never
by what a client sends.

The limit depends on the path: the longest matching prefix in ``limits`` wins, else ``default``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["BodyLimit", "DEFAULT_LIMIT", "PATH_LIMITS", "install"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MiB = 1024 * 1024

#: every route not listed below: forms and JSON documents
DEFAULT_LIMIT = 1 * MiB

#: larger bodies where they are expected (path prefix -> bytes)
PATH_LIMITS: dict[str, int] = {
    # a signed submission: {"jws": "..."} of up to 8 MiB (a 4 MiB payload, base64url-encoded)
    "/api/repository/submissions": 8 * MiB + 64 * 1024,
    # signed documents to check (50 MB files, plus the multipart framing)
    "/api/signatures": 51 * MiB,
    "/signatures": 51 * MiB,
}


class _TooLarge(BaseException):
    """Raised into the application from ``receive`` once the body passes the limit. A
    BaseException, so that no handler for ``Exception`` in the application turns it into
    another answer; the middleware catches it."""


def _problem(limit: int) -> bytes:
    return json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than {limit} bytes ({limit // 1024} KiB), "
            "the limit for this path",
            "code": "oversized",
            "message": f"request body larger than {limit} bytes",
            "where": None,
            "problems": [],
        }
    ).encode("utf-8")


class BodyLimit:
    """ASGI middleware limiting request bodies (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int = DEFAULT_LIMIT,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default = default
        self.limits = sorted(
            (limits if limits is not None else PATH_LIMITS).items(),
            key=lambda item: len(item[0]),
            reverse=True,
        )

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.limits:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                text = value.decode("latin-1").strip()
                if not text.isdigit():
                    await _answer(send, 400, b"", bad_length=True)
                    return
                if int(text) > limit:
                    await _answer(send, 413, _problem(limit))
                    return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the application answers, the answer is 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BaseException:
            if not exceeded:
                raise
        if exceeded and not started:
            await _answer(send, 413, _problem(limit))


async def _answer(send: Send, status: int, body: bytes, *, bad_length: bool = False) -> None:
    if bad_length:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Bad Request",
                "status": 400,
                "detail": "Content-Length is not a number",
                "code": "bad_request",
            }
        ).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install(app: Any) -> None:
    """Add :class:`BodyLimit` with the default limits to a Starlette/FastAPI app (and the LoA
    assessment's own, smaller limit, so that it holds before the body is read)."""
    from eauth_toolkit.web.routes.loa import MAX_PROFILE_BYTES

    app.add_middleware(BodyLimit, limits={**PATH_LIMITS, "/api/loa/assess": MAX_PROFILE_BYTES})
