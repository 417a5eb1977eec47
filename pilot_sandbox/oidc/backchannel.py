"""The back channel of the relying parties: form POSTs to token endpoints over HTTP/1.1.

One :class:`BackChannel` per worker keeps connections alive per origin (and per event loop) and
reuses them, so a token request costs one write and one read on an open connection. It speaks just
what a token request needs: a form body out; a status, headers and a body (``Content-Length``,
chunked, or up to the end of the connection) back. ``https`` origins use the system's default TLS
context (certificate and host name checked). Anything unexpected is a :class:`BackChannelError`;
the caller turns it into ``temporarily_unavailable`` (fail closed).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = ["BackChannel", "BackChannelError", "BackChannelResponse"]

_MAX_IDLE_PER_ORIGIN = 50
_MAX_HEAD = 64 * 1024
_MAX_BODY = 1024 * 1024


class BackChannelError(Exception):
    """The exchange failed (connection, timeout, malformed or oversized response)."""


@dataclass(frozen=True)
class BackChannelResponse:
    status_code: int
    headers: dict[str, str]  # lower-case names
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]
_Key = tuple[asyncio.AbstractEventLoop, str, str, int]  # connections belong to one event loop


class BackChannel:
    def __init__(self, *, user_agent: str = "eauth-pilot-sandbox") -> None:
        self.user_agent = user_agent
        self._idle: dict[_Key, list[_Conn]] = {}
        self._tls: ssl.SSLContext | None = None

    async def post_form(
        self, url: str, form: dict[str, str], *, timeout: float = 15.0
    ) -> BackChannelResponse:
        u = urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise BackChannelError(f"unsupported URL {url!r}")
        port = u.port or (443 if u.scheme == "https" else 80)
        key = (asyncio.get_running_loop(), u.scheme, u.hostname, port)
        host_header = u.netloc.rsplit("@", 1)[-1]
        target = (u.path or "/") + (f"?{u.query}" if u.query else "")
        body = urlencode(form).encode()
        request = (
            f"POST {target} HTTP/1.1\r\nHost: {host_header}\r\n"
            f"User-Agent: {self.user_agent}\r\nAccept: application/json\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1") + body
        try:
            async with asyncio.timeout(timeout):
                idle = self._idle.get(key)
                while idle:
                    conn = idle.pop()
                    if conn[1].is_closing() or conn[0].at_eof():
                        conn[1].close()
                        continue
                    try:
                        return await self._exchange(key, conn, request)
                    except _StaleConnection:
                        continue  # closed by the server while idle, before any answer: retry
                return await self._exchange(key, await self._open(key), request)
        except TimeoutError:
            raise BackChannelError("timed out") from None
        except _StaleConnection:
            raise BackChannelError("the connection was closed before any answer") from None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            raise BackChannelError(exc.__class__.__name__) from None

    async def _open(self, key: _Key) -> _Conn:
        _, scheme, host, port = key
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return await asyncio.open_connection(
                host, port, ssl=self._tls, server_hostname=host, limit=_MAX_HEAD
            )
        return await asyncio.open_connection(host, port, limit=_MAX_HEAD)

    async def _exchange(self, key: _Key, conn: _Conn, request: bytes) -> BackChannelResponse:
        reader, writer = conn
        try:
            try:
                writer.write(request)
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if not exc.partial:
                    raise _StaleConnection from None
                raise
            except (ConnectionResetError, BrokenPipeError):
                raise _StaleConnection from None
            status, headers = _parse_head(head)
            while 100 <= status < 200:  # interim answers: skip
                status, headers = _parse_head(await reader.readuntil(b"\r\n\r\n"))
            keep = headers.get("connection", "").lower() != "close"
            if "chunked" in headers.get("transfer-encoding", "").lower():
                content = await _read_chunked(reader)
            elif "content-length" in headers:
                length = int(headers["content-length"])
                if length < 0 or length > _MAX_BODY:
                    raise ValueError("bad content-length")
                content = await reader.readexactly(length)
            elif status in (204, 304):
                content = b""
            else:
                content = await reader.read(_MAX_BODY + 1)
                while chunk := await reader.read(_MAX_BODY + 1 - len(content)):
                    content += chunk
                if len(content) > _MAX_BODY:
                    raise ValueError("response too large")
                keep = False
        except BaseException:
            writer.close()
            raise
        if keep:
            idle = self._idle.setdefault(key, [])
            if len(idle) < _MAX_IDLE_PER_ORIGIN:
                idle.append(conn)
            else:
                writer.close()
        else:
            writer.close()
        return BackChannelResponse(status, headers, content)

    async def aclose(self) -> None:
        for conns in self._idle.values():
            for _, writer in conns:
                writer.close()
        self._idle.clear()


class _StaleConnection(Exception):
    pass


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1."):
        raise ValueError("not an HTTP/1.x response")
    status = int(rest[:3])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError("malformed header line")
        name = name.strip().lower()
        value = value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return status, headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    out = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return bytes(out)
        if len(out) + size > _MAX_BODY:
            raise ValueError("response too large")
        out += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise ValueError("malformed chunk")
