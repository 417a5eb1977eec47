"""Running the service under uvicorn, with one or several worker processes."""

from __future__ import annotations

import copy
import logging
import socket
from functools import partial
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter as UvicornAccessFormatter

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.factory import app_from_settings

__all__ = ["AccessFormatter", "NoDelayConfig", "serve", "log_config"]

ACCESS_FORMAT = '%(asctime)s %(client_addr)s "%(request_line)s" %(status_code)s'


class AccessFormatter(UvicornAccessFormatter):
    """Uvicorn's access line, unchanged, with its time text made once per second and its status
    text once per status code (one line per request: these were most of its cost)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._time: tuple[int, str] = (-1, "")
        self._statuses: dict[int, str] = {}

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        second, text = self._time
        if int(record.created) != second:
            text = super().formatTime(record, datefmt)
            self._time = (int(record.created), text)
        return text

    def get_status_code(self, status_code: int) -> str:
        text = self._statuses.get(status_code)
        if text is None:
            text = self._statuses[status_code] = super().get_status_code(status_code)
        return text


def log_config(access_log: bool = True) -> dict[str, Any]:
    """Uvicorn's logging: warnings and errors on stderr; with ``access_log``, one line per request
    on stdout (time, client, request line, status)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"]["()"] = f"{__name__}.AccessFormatter"
    config["formatters"]["access"]["fmt"] = ACCESS_FORMAT
    config["formatters"]["access"]["datefmt"] = "%Y-%m-%dT%H:%M:%S%z"
    config["loggers"]["uvicorn"]["level"] = "WARNING"
    config["loggers"]["uvicorn.error"]["level"] = "WARNING"
    config["loggers"]["uvicorn.access"]["level"] = "INFO" if access_log else "WARNING"
    return config


class NoDelayConfig(uvicorn.Config):
    """Workers share one listening socket; TCP_NODELAY is set on it so that accepted connections
    inherit it (otherwise small responses wait on the client's delayed ACKs)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def serve(
    settings: Settings, host: str, port: int, workers: int = 1, *, access_log: bool = True
) -> None:
    """Serve the app built from ``settings``, with an access log on stdout unless ``access_log``
    is false. The settings travel to each worker process inside the (pickled) uvicorn
    configuration, as an app factory bound to their JSON form."""
    config = NoDelayConfig(
        partial(app_from_settings, settings.to_json()),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(access_log),
        access_log=access_log,
    )
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
