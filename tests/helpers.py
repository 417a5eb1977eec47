"""Shared by the tests: free loopback ports and an app served by uvicorn in a background thread.

Import as ``from tests.helpers import ...`` (the repository root is on ``sys.path`` via
``pyproject.toml``'s ``pythonpath``).
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time

__all__ = ["ThreadedServer", "free_port", "run_cli", "wait_for_port"]


def run_cli(*args: str, columns: int = 240) -> subprocess.CompletedProcess[str]:
    """``eauth ARGS`` run in this process (typer's CliRunner), as a CompletedProcess: the same
    result as a new process, without paying Python start-up and imports for every call. A few
    tests (tests/test_cli_root.py) still run the real entry point in a new process."""
    from typer.testing import CliRunner

    from eauth_toolkit.cli import app

    result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(
        ["eauth", *args], result.exit_code, result.stdout, result.stderr
    )


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
    """Return once something accepts connections on ``host:port``; TimeoutError otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


class ThreadedServer:
    """An ASGI app under uvicorn on a loopback port, in a daemon thread (``with`` or start/stop)."""

    def __init__(self, app: object, port: int | None = None) -> None:
        import uvicorn

        from eauth_toolkit.web.onewrite import http_protocol

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,  # type: ignore[arg-type]
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            http=http_protocol() or "auto",  # as the service is served
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ThreadedServer:
        self.thread.start()
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
