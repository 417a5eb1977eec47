"""Responses written to the connection in one piece.

Uvicorn's HTTP/1.1 protocol (httptools) writes a response's status line and headers as soon as the
app starts the response, and its body when the app sends it: two writes, two TCP segments, and on
the other end two wake-ups of the reader, for a response that is complete a moment later. Most of
the service's answers (a redirect, a page, a JSON document) are one start and one body message.

:class:`OneWriteProtocol` is uvicorn's protocol with one change: the head waits for the first body
message and both go out in one write (``writelines``, so a large body is not copied). What is on
the wire is byte for byte the same; a response whose app never sends a body still has its head
written when the response cycle ends. Nothing else of uvicorn's handling changes (keep-alive,
pipelining, HEAD, chunked bodies, limits).

Used when uvicorn's httptools protocol is there; otherwise :func:`http_protocol` answers None and
uvicorn chooses as usual.
"""

from __future__ import annotations

from typing import Any

__all__ = ["http_protocol", "OneWriteProtocol"]


class _Collect:
    """Stands in for the transport while uvicorn writes one message: keeps the bytes, and a
    request to close, for :meth:`OneWriteProtocol` to apply in order."""

    __slots__ = ("parts", "close_requested")

    def __init__(self, head: bytes | None = None) -> None:
        self.parts: list[bytes] = [head] if head else []
        self.close_requested = False

    def write(self, data: bytes) -> None:
        if data:
            self.parts.append(bytes(data))

    def close(self) -> None:
        self.close_requested = True

    def flush_to(self, transport: Any) -> None:
        if self.parts:
            transport.writelines(self.parts)
        if self.close_requested:
            transport.close()


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
except ImportError:  # uvicorn without httptools: its own choice
    HttpToolsProtocol = RequestResponseCycle = None  # type: ignore[assignment,misc]


def http_protocol() -> str | None:
    """The import path of :class:`OneWriteProtocol` for uvicorn's ``http`` setting (a path, so
    that the configuration still pickles for worker processes); None without httptools."""
    if HttpToolsProtocol is None:
        return None
    return f"{__name__}:OneWriteProtocol"


if HttpToolsProtocol is not None:

    class OneWriteCycle(RequestResponseCycle):  # type: ignore[misc,valid-type]
        """A response cycle that holds the head until the first body message."""

        held: bytes | None = None

        async def send(self, message: Any) -> None:
            kind = message["type"]
            if kind == "http.response.start" and not self.response_started:
                real, collect = self.transport, _Collect()
                self.transport = collect  # type: ignore[assignment]
                try:
                    await super().send(message)
                finally:
                    self.transport = real
                self.held = b"".join(collect.parts) or None
                return
            if kind == "http.response.body" and self.held is not None:
                real, collect = self.transport, _Collect(self.held)
                self.held = None
                self.transport = collect  # type: ignore[assignment]
                try:
                    await super().send(message)
                finally:
                    self.transport = real
                    collect.flush_to(real)
                return
            await super().send(message)

    class OneWriteProtocol(HttpToolsProtocol):  # type: ignore[misc,valid-type]
        """Uvicorn's httptools protocol whose response cycles write each response in one piece."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._inner_app = self.app
            self.app = self._app_then_head

        async def _app_then_head(self, scope: Any, receive: Any, send: Any) -> None:
            try:
                await self._inner_app(scope, receive, send)
            finally:
                # a response started without a body (the app failed or returned): its head goes
                # out before uvicorn ends the cycle, as uvicorn would have written it
                cycle = getattr(send, "__self__", None)
                if isinstance(cycle, OneWriteCycle) and cycle.held is not None:
                    head, cycle.held = cycle.held, None
                    cycle.transport.write(head)

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            cycle = self.cycle
            if cycle is not None and type(cycle) is RequestResponseCycle:
                # the cycle was just made and its task has not run yet
                cycle.__class__ = OneWriteCycle
