"""The relying parties' back channel fails closed: every failure is a BackChannelError."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pilot_sandbox.oidc.backchannel import BackChannel, BackChannelError
from tests.helpers import free_port


def _run_in_thread(fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
    # a thread of its own: another test's browser may keep an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, fn()).result()


async def _serve(body: bytes, port: int) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = (
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(body)}\r\n\r\n".encode()
        )
        writer.write(head + body)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", port)


def test_answer_is_read_and_decoded() -> None:
    async def run() -> None:
        port = free_port()
        server = await _serve(b'{"access_token": "x"}', port)
        channel = BackChannel()
        channel.open()
        try:
            answer = await asyncio.to_thread(
                channel.post_form, f"http://127.0.0.1:{port}/token", {"a": "b"}
            )
            assert answer.status_code == 200
            assert answer.json() == {"access_token": "x"}
        finally:
            channel.close()
            server.close()

    _run_in_thread(run)


def test_oversized_answer_and_refused_connection_are_errors() -> None:
    async def run() -> None:
        port = free_port()
        server = await _serve(b"x" * (2 * 1024 * 1024), port)
        channel = BackChannel()
        channel.open()
        try:
            with pytest.raises(BackChannelError, match="larger than"):
                await asyncio.to_thread(channel.post_form, f"http://127.0.0.1:{port}/token", {})
            with pytest.raises(BackChannelError):
                await asyncio.to_thread(
                    channel.post_form, f"http://127.0.0.1:{free_port()}/token", {}, timeout=2
                )
            with pytest.raises(BackChannelError, match="unsupported"):
                channel.post_form("file:///etc/passwd", {})
        finally:
            channel.close()
            server.close()

    _run_in_thread(run)
