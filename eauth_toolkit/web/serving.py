"""Running the service under uvicorn, with one or several worker processes."""

from __future__ import annotations

import socket
from functools import partial

import uvicorn

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.factory import app_from_settings

__all__ = ["NoDelayConfig", "serve"]


class NoDelayConfig(uvicorn.Config):
    """Workers share one listening socket; TCP_NODELAY is set on it so that accepted connections
    inherit it (otherwise small responses wait on the client's delayed ACKs)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve the app built from ``settings``. The settings travel to each worker process inside the
    (pickled) uvicorn configuration, as an app factory bound to their JSON form."""
    config = NoDelayConfig(
        partial(app_from_settings, settings.to_json()),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
