from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from eauth_toolkit import __version__
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app


def test_health_and_openapi(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/db.sqlite3"))
    with TestClient(app) as client:
        r = client.get("/health")
        assert r.status_code == 200 and r.json() == {"status": "ok", "version": __version__}
        assert client.get("/openapi.json").json()["info"]["title"] == "eauth-toolkit"
        assert "eauth-toolkit" in client.get("/").text
