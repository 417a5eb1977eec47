"""Request bodies are limited while they stream in (``eauth_toolkit.web.limits``), on every route
of the service: a declared length over the limit is refused before reading, a chunked body as
soon as the count passes the limit, with a 413 problem document."""

from __future__ import annotations

import asyncio
import json
import select
import socket
from collections.abc import Callable
from typing import Any

from eauth_toolkit.web.limits import DEFAULT_LIMIT, PATH_LIMITS, BodyLimit

MiB = 1024 * 1024


async def _echo_app(scope: Any, receive: Any, send: Any) -> None:
    """Reads the whole body, then answers 200 with its length."""
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = str(size).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _run(
    app: Any, path: str, chunks: int, chunk: int, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, bytes, int]:
    """Drive ``app`` with a body of ``chunks`` x ``chunk`` bytes; (status, body, chunks read)."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * chunk, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers or []}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, pulled


def test_a_chunked_body_is_cut_off_as_it_passes_the_limit() -> None:
    app = BodyLimit(_echo_app)
    # 300 MiB offered in 64 KiB chunks to a route with the default 1 MiB limit
    status, body, pulled = _run(app, "/api/loa/assess", chunks=300 * 16, chunk=64 * 1024)
    assert status == 413 and pulled == DEFAULT_LIMIT // (64 * 1024) + 1
    problem = json.loads(body)
    assert problem["status"] == 413 and problem["code"] == "oversized"
    assert str(DEFAULT_LIMIT) in problem["detail"]
    # a submission may be larger, up to its own limit
    status, body, _ = _run(app, "/api/repository/submissions", chunks=6 * 16, chunk=64 * 1024)
    assert status == 200 and body == str(6 * MiB).encode()
    limit = PATH_LIMITS["/api/repository/submissions"]
    status, _, pulled = _run(app, "/api/repository/submissions", chunks=300 * 16, chunk=64 * 1024)
    assert status == 413 and pulled == limit // (64 * 1024) + 1
    status, _, _ = _run(app, "/api/signatures/verify", chunks=40 * 16, chunk=64 * 1024)
    assert status == 200
    status, body, _ = _run(app, "/", chunks=2, chunk=1000)
    assert status == 200 and body == b"2000"


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    app = BodyLimit(_echo_app)
    header = [(b"content-length", str(DEFAULT_LIMIT + 1).encode())]
    status, body, pulled = _run(app, "/api/loa/assess", chunks=1, chunk=0, headers=header)
    assert status == 413 and pulled == 0 and json.loads(body)["code"] == "oversized"
    status, _, pulled = _run(app, "/x", chunks=1, chunk=0, headers=[(b"content-length", b"1e9")])
    assert status == 400 and pulled == 0


def test_an_application_that_swallows_errors_still_answers_413() -> None:
    async def careless(scope: Any, receive: Any, send: Any) -> None:
        try:
            while (await receive()).get("more_body"):
                pass
        except Exception:  # noqa: BLE001 - what a careless handler does
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    status, _, _ = _run(BodyLimit(careless), "/", chunks=100, chunk=64 * 1024)
    assert status == 413


def test_the_service_cuts_off_a_chunked_upload(
    live_server_factory: Callable[..., Any], tmp_path: Any
) -> None:
    server = live_server_factory(data_dir=tmp_path, load_samples=False)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(
            b"POST /api/loa/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n" % (64 * 1024) + b" " * (64 * 1024) + b"\r\n"
        sent = 0
        answered = b""
        # poll, not select(): the test process may hold more than 1024 descriptors by now
        poller = select.poll()
        poller.register(s, select.POLLIN)
        while sent < 300 * MiB:
            if poller.poll(0):
                answered = s.recv(65536)
                break
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                answered = s.recv(65536)
                break
            sent += 64 * 1024
    assert answered.startswith(b"HTTP/1.1 413"), answered[:200]
    assert b"application/problem+json" in answered
    assert sent < 64 * MiB  # cut off long before the 300 MiB the client had to send
