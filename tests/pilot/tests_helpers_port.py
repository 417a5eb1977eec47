"""A free loopback port for peers started by the pilot tests."""

from __future__ import annotations

import socket


def free_port_number() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
