"""The back channel of the relying parties: form POSTs to PAR and token endpoints.

The exchange is Python's own HTTP client (:mod:`http.client`: request framing, response parsing,
chunked bodies, TLS with certificate and host name verification), over keep-alive connections.
Each worker thread keeps one connection per peer (scheme, host, port), so a connection is never
shared between threads and needs no lock; a kept connection that the peer has closed meanwhile
is noticed before it is used (it reads as ready: the peer's end of stream) and replaced. A
request is sent once: never repeated after a failure, since a token request consumes a code.

:class:`BackChannel` is opened and closed with the service (the app's lifespan; ``with
BackChannel() as channel`` elsewhere); closing it closes every thread's connections. The relying
parties run in the handlers' worker threads, so the exchange is a plain blocking call there and
never holds the event loop. Measured on the pilot's token requests, this costs about half the
client CPU of urllib3's pool (whose connection and header bookkeeping comes on top of the same
:mod:`http.client` exchange), which counts on the three to six back-channel calls of every
cross-border sign-in. Anything unexpected (connection failure, timeout, malformed or oversized
answer, a closed channel) is a :class:`BackChannelError`; the caller turns it into
``temporarily_unavailable`` (fail closed).
"""

from __future__ import annotations

import functools
import http.client
import json
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

__all__ = ["BackChannel", "BackChannelError", "BackChannelResponse"]

_MAX_BODY = 1024 * 1024


@functools.lru_cache(maxsize=1024)
def _quote_short(value: str) -> str:
    return quote_plus(value)


def _quote(value: Any, safe: Any = "", encoding: Any = None, errors: Any = None) -> str:
    """Form encoding of one name or value: the names and the repeated values (client ids,
    redirect URIs, the assertion type) are quoted once; long one-off values (JWTs) as they come."""
    if isinstance(value, str) and len(value) <= 256 and not safe:
        return _quote_short(value)
    return quote_plus(value, safe, encoding, errors)


class BackChannelError(Exception):
    """The exchange failed (connection, timeout, malformed or oversized response)."""


@dataclass(frozen=True)
class BackChannelResponse:
    status_code: int
    headers: dict[str, str]  # lower-case names
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class BackChannel:
    def __init__(self, *, user_agent: str = "eauth-pilot-sandbox") -> None:
        self.user_agent = user_agent
        self._open = False
        self._local = threading.local()
        self._all: set[http.client.HTTPConnection] = set()
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        self._open = True

    def close(self) -> None:
        """Close every thread's connections; the channel refuses calls until opened again."""
        self._open = False
        with self._lock:
            conns, self._all = self._all, set()
            self._local = threading.local()
        for conn in conns:
            conn.close()

    def __enter__(self) -> BackChannel:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _connection(
        self, scheme: str, host: str, port: int, timeout: float
    ) -> http.client.HTTPConnection:
        """This thread's connection to the peer: the kept one if the peer has not closed it."""
        conns: dict[tuple[str, str, int], http.client.HTTPConnection] | None = getattr(
            self._local, "conns", None
        )
        if conns is None:
            conns = self._local.conns = {}
        key = (scheme, host, port)
        conn = conns.get(key)
        if conn is not None and conn.sock is not None and not _dropped(conn.sock):
            conn.timeout = timeout
            conn.sock.settimeout(timeout)
            return conn
        if conn is not None:
            self._forget(key, conn)
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=self._tls)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conns[key] = conn
        with self._lock:
            self._all.add(conn)
        return conn

    def _forget(self, key: tuple[str, str, int], conn: http.client.HTTPConnection) -> None:
        """Close a connection that is not to be used again (this thread's, unless the channel
        was closed meanwhile)."""
        conns = getattr(self._local, "conns", None)
        if conns is not None and conns.get(key) is conn:
            del conns[key]
        with self._lock:
            self._all.discard(conn)
        conn.close()

    def post_form(
        self,
        url: str,
        form: dict[str, str],
        *,
        timeout: float = 15.0,
        headers: dict[str, str] | None = None,
    ) -> BackChannelResponse:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BackChannelError(f"unsupported URL {url!r}")
        if not self._open:
            raise BackChannelError("the back channel is closed (the service is not running)")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = urlencode(form, quote_via=_quote)  # type: ignore[arg-type]
        sent = {
            "user-agent": self.user_agent,
            "accept": "application/json",
            "content-type": "application/x-www-form-urlencoded",
            **(headers or {}),
        }
        key = (parts.scheme, parts.hostname, port)
        try:
            conn = self._connection(*key, timeout)
        except (OSError, ValueError) as exc:
            raise BackChannelError(f"{exc.__class__.__name__}: {exc}") from None
        try:
            if conn.sock is None:
                conn.connect()
            with _one_segment(conn.sock):
                conn.request("POST", target, body, sent)
            response = conn.getresponse()
            content = response.read(_MAX_BODY + 1)
            # more than the limit, or more than the peer announced
            if len(content) > _MAX_BODY or not response.isclosed():
                raise BackChannelError(f"answer from {url} is larger than {_MAX_BODY} bytes")
            found = {k.lower(): v for k, v in response.getheaders()}
            if response.will_close:
                self._forget(key, conn)
            return BackChannelResponse(response.status, found, content)
        except BackChannelError:
            self._forget(key, conn)
            raise
        except (http.client.HTTPException, OSError, ValueError) as exc:
            self._forget(key, conn)
            raise BackChannelError(f"{exc.__class__.__name__}: {exc}") from None


@contextmanager
def _one_segment(sock: Any) -> Iterator[None]:
    """The request's head and body, which :mod:`http.client` writes one after the other, leave
    together (Linux ``TCP_CORK``): the peer reads the request at once instead of waking for the
    head and again for the body (about 30 µs of the pilot service's CPU per token request)."""
    cork = getattr(socket, "TCP_CORK", None)
    if cork is None or sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        yield
        return
    sock.setsockopt(socket.IPPROTO_TCP, cork, 1)
    try:
        yield
    finally:
        sock.setsockopt(socket.IPPROTO_TCP, cork, 0)


def _dropped(sock: Any) -> bool:
    """Whether a kept connection can no longer be used: it reads as ready while no answer is
    due (the peer closed it, or sent something unasked), or its socket is gone."""
    try:
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True
