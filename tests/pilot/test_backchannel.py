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


async def _serve_counting(port: int, connections: list[int], close_after: bool) -> asyncio.Server:
    """Answers every request on a connection (keep-alive) unless ``close_after``; counts
    connections."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                body = b'{"n": %d}' % len(connections)
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    + f"content-length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                if close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", port)


def test_connections_are_kept_per_thread_and_replaced_once_the_peer_closed_them() -> None:
    async def run() -> None:
        kept, closing = free_port(), free_port()
        seen_kept: list[int] = []
        seen_closing: list[int] = []
        servers = [
            await _serve_counting(kept, seen_kept, close_after=False),
            await _serve_counting(closing, seen_closing, close_after=True),
        ]
        channel = BackChannel()
        channel.open()
        try:
            with ThreadPoolExecutor(max_workers=1) as one:  # one thread: one connection, kept
                for _ in range(3):
                    answer = await asyncio.get_running_loop().run_in_executor(
                        one, channel.post_form, f"http://127.0.0.1:{kept}/token", {"a": "b"}
                    )
                    assert answer.status_code == 200
            assert len(seen_kept) == 1
            # another thread has a connection of its own
            with ThreadPoolExecutor(max_workers=1) as other:
                await asyncio.get_running_loop().run_in_executor(
                    other, channel.post_form, f"http://127.0.0.1:{kept}/token", {}
                )
            assert len(seen_kept) == 2
            # a peer that closes after each answer: each call notices it and connects again
            for i in range(3):
                answer = await asyncio.to_thread(
                    channel.post_form, f"http://127.0.0.1:{closing}/token", {}
                )
                assert answer.json() == {"n": i + 1}
            assert len(seen_closing) == 3
            # closing the channel closes its connections and refuses further calls
            channel.close()
            with pytest.raises(BackChannelError, match="closed"):
                channel.post_form(f"http://127.0.0.1:{kept}/token", {})
        finally:
            channel.close()
            for server in servers:
                server.close()

    _run_in_thread(run)


def test_tls_peer_with_an_unverifiable_certificate_is_refused(tmp_path: Any) -> None:
    """HTTPS is verified (certificate chain and host name): a self-signed peer fails closed."""
    import datetime as dt
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1 (sandbox test)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "k.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")

    async def run() -> None:
        port = free_port()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", port, ssl=context)
        channel = BackChannel()
        channel.open()
        try:
            with pytest.raises(BackChannelError, match="CERTIFICATE_VERIFY_FAILED"):
                await asyncio.to_thread(
                    channel.post_form, f"https://127.0.0.1:{port}/token", {}, timeout=5
                )
        finally:
            channel.close()
            server.close()

    _run_in_thread(run)


def _data_segments_in(conn: Any) -> int:
    """Data segments this TCP socket has received (Linux ``tcp_info.tcpi_data_segs_in``)."""
    import socket
    import struct

    info = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    return int(struct.unpack_from("I", info, 152)[0])


def test_a_request_arrives_in_one_piece() -> None:
    """Head and body leave in one TCP segment, so the peer wakes once per request: two requests
    on one kept connection are two data segments at the peer (four when written one by one)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    segments: list[int] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            for _ in range(2):
                data = b""
                while not data.endswith(b"&b=c"):
                    data += conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
            segments.append(_data_segments_in(conn))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with BackChannel() as channel:
        for _ in range(2):
            answer = channel.post_form(f"http://127.0.0.1:{port}/token", {"a": "x" * 300, "b": "c"})
            assert answer.status_code == 200
    thread.join(timeout=10)
    listener.close()
    assert segments == [2]
