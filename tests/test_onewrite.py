"""Responses written in one piece (eauth_toolkit.web.onewrite): the same bytes as uvicorn's own
protocol writes, in one write per response where uvicorn makes two, for every kind of response
(a JSON body, HEAD, a streamed body, a response the app starts and never finishes, a connection
the client asks to close)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from eauth_toolkit.web.onewrite import OneWriteProtocol, http_protocol


class Wire:
    """A transport that records what a protocol writes, one entry per write call."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 40000)}.get(
            name, default
        )

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def writelines(self, parts: list[bytes]) -> None:
        self.writes.append(b"".join(parts))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _json(scope: Any, receive: Any, send: Any) -> None:
    body = b'{"ok":true}'
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"11")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _streamed(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for part in (b"first,", b"second,", b"last"):
        await send({"type": "http.response.body", "body": part, "more_body": part != b"last"})


async def _started_then_failed(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise RuntimeError("the app fails after starting its response")


async def _serve(protocol_class: type, app: Any, request: bytes) -> Wire:
    config = Config(app=app, log_level="critical", access_log=False)
    config.load()
    state = ServerState()
    state.default_headers = [(b"server", b"test"), (b"date", b"Tue, 01 Dec 2026 00:00:00 GMT")]
    protocol = protocol_class(config=config, server_state=state, app_state={})
    wire = Wire()
    protocol.connection_made(wire)
    protocol.data_received(request)
    for _ in range(50):
        await asyncio.sleep(0)
        if not state.tasks and not protocol.tasks:
            break
    await asyncio.sleep(0.01)
    protocol.connection_lost(None)
    return wire


GET = b"GET /x HTTP/1.1\r\nHost: example\r\n\r\n"


@pytest.mark.parametrize(
    ("app", "request_bytes", "uvicorn_writes"),
    [
        (_json, GET, 2),
        (_json, b"HEAD /x HTTP/1.1\r\nHost: example\r\n\r\n", 1),
        (_json, b"GET /x HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n", 2),
        (_streamed, GET, 4),
        (_started_then_failed, GET, 1),
    ],
    ids=["json", "head", "connection-close", "streamed", "started-then-failed"],
)
def test_the_same_bytes_in_fewer_writes(
    app: Any, request_bytes: bytes, uvicorn_writes: int
) -> None:
    theirs = asyncio.run(_serve(HttpToolsProtocol, app, request_bytes))
    ours = asyncio.run(_serve(OneWriteProtocol, app, request_bytes))
    assert len(theirs.writes) == uvicorn_writes
    assert b"".join(ours.writes) == b"".join(theirs.writes)
    assert ours.writes[0].startswith(b"HTTP/1.1 ")
    # the head never goes out alone when a body follows
    assert len(ours.writes) == max(1, uvicorn_writes - 1)
    assert ours.closed == theirs.closed


def test_two_requests_on_one_connection_each_get_one_write() -> None:
    wire = asyncio.run(_serve(OneWriteProtocol, _json, GET + GET))
    assert len(wire.writes) == 2
    assert all(w.startswith(b"HTTP/1.1 200 OK") and w.endswith(b'{"ok":true}') for w in wire.writes)


def test_the_service_is_served_with_it() -> None:
    assert http_protocol() == "eauth_toolkit.web.onewrite:OneWriteProtocol"
