"""Fixtures of the interoperability tests: OpenID providers we did not write (MockPass, oidc-provider),
run with Node on loopback, and the service on a port chosen in advance (the peers need its URLs)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ThreadedServer
from tests.helpers import free_port as _port

HERE = Path(__file__).resolve().parent
PILOT_TOML = HERE.parents[1] / "pilot_sandbox" / "pilot.toml"


def _wait_http(url: str, timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer ({last})")


class NodePeer:
    def __init__(self, script: str, env: dict[str, str], ready_url: str) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("Node.js is required for the interoperability tests")
        if not (HERE / "node_modules").is_dir():
            raise RuntimeError("run `cd tests/interop && npm install` first (the Makefile does)")
        self.proc = subprocess.Popen(
            [node, str(HERE / script)],
            cwd=HERE,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=open(os.environ.get("EAUTH_PEER_LOG", os.devnull), "a"),
            start_new_session=True,
        )
        self.ready_url = ready_url

    def wait(self) -> NodePeer:
        _wait_http(self.ready_url)
        return self

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)


class AppServer(ThreadedServer):
    """The service under uvicorn on a given loopback port (``base_url`` points at it)."""

    def __init__(self, port: int, **settings: Any) -> None:
        from eauth_toolkit.settings import Settings
        from eauth_toolkit.web.app import create_app

        self.app = create_app(Settings(base_url=f"http://127.0.0.1:{port}", **settings))
        super().__init__(self.app, port)
        self.start()
        _wait_http(f"{self.url}/health")

    @property
    def pilot(self) -> Any:
        return self.app.state.pilot


def interop_pilot_toml(tmp_path: Path, *, mockpass_issuer: str, peer_issuer: str) -> Path:
    """pilot.toml with SG's national IdP replaced by MockPass (profile oidc) and MY's by
    oidc-provider (profile fapi2)."""
    text = PILOT_TOML.read_text(encoding="utf-8")

    def external(code: str, entry: str, issuer: str, scope: str, request_acr: bool) -> None:
        nonlocal text
        pattern = rf'(code = "{code}".*?\[ams\.idp\]\n)kind = "builtin"\nentry = "[^"]+"\n.*?(\n\[\[ams\.services\]\])'
        body = f'kind = "external"\nentry = "{entry}"\nissuer = "{issuer}"\nscope = "{scope}"\nrequest_acr = {str(request_acr).lower()}\n'
        new = re.sub(pattern, lambda m: m.group(1) + body + m.group(2), text, count=1, flags=re.S)
        assert new != text
        text = new

    external("SG", "sg-mockpass-sandbox", mockpass_issuer, "openid", False)
    external("MY", "my-oidc-provider-sandbox", peer_issuer, "openid profile", True)
    text = text.replace(
        'technology = "sg-sandbox-national-idp"', 'technology = "sg-mockpass-sandbox"'
    )
    text = text.replace(
        'technology = "my-sandbox-national-idp"', 'technology = "my-oidc-provider-sandbox"'
    )
    # MockPass speaks OpenID Connect (no PAR); oidc-provider runs the FAPI 2.0 profile
    text = text.replace(
        'name = "Singapore"\nprofile = "fapi2"', 'name = "Singapore"\nprofile = "oidc"'
    )
    text = text.replace(
        'name = "Malaysia"\nprofile = "oidc"', 'name = "Malaysia"\nprofile = "fapi2"'
    )
    path = tmp_path / "pilot-interop.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def interop_pilot(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """MockPass as SG's IdP, oidc-provider as MY's, and the service in front of both."""
    app_port, mp_port, op_port = _port(), _port(), _port()
    base = f"http://127.0.0.1:{app_port}"
    mockpass = NodePeer(
        "mockpass_server.js",
        {
            "PORT": str(mp_port),
            "SP_RP_JWKS_ENDPOINT": f"{base}/ams/sg/proxy/jwks",
            "MOCKPASS_NRIC": "S8979373D",
        },
        f"http://127.0.0.1:{mp_port}/singpass/v2/.well-known/openid-configuration",
    )
    peer = NodePeer(
        "oidc_provider_server.mjs",
        {
            "PORT": str(op_port),
            "CLIENT_ID": f"{base}/ams/my/proxy",
            "REDIRECT_URI": f"{base}/ams/my/proxy/callback",
            "CLIENT_JWKS_URI": f"{base}/ams/my/proxy/jwks",
            "FAPI": "1",
        },
        f"http://127.0.0.1:{op_port}/.well-known/openid-configuration",
    )
    server = None
    try:
        mockpass.wait()
        peer.wait()
        config = interop_pilot_toml(
            tmp_path,
            mockpass_issuer=f"http://127.0.0.1:{mp_port}/singpass/v2",
            peer_issuer=f"http://127.0.0.1:{op_port}",
        )
        server = AppServer(
            app_port,
            data_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}",
            pilot_config=config,
        )
        yield {"server": server, "mockpass": mockpass, "peer": peer}
    finally:
        if server is not None:
            server.stop()
        mockpass.stop()
        peer.stop()


@pytest.fixture
def pilot_server(live_server_factory: Any, tmp_path: Path) -> Any:
    """The service with the default pilot (SG on fapi2, MY on oidc) over a fresh SQLite store."""
    return live_server_factory(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'pilot.sqlite3'}"
    )
