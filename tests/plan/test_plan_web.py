"""The /plan page and /api/plan/report through the real app (create_app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eauth_toolkit.plan import set_status
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app


@pytest.fixture
def client(tmp_path: Path, status_file: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/eauth.sqlite3",
        load_samples=False,
        plan_status=status_file,
    )
    with TestClient(create_app(settings)) as c:
        yield c


def test_api_report_json_contract(client: TestClient, status_file: Path) -> None:
    import datetime as dt

    set_status(
        status_file, "B.2.1.1", "completed", "Repository List published", date=dt.date(2025, 6, 1)
    )
    r = client.get("/api/plan/report", params={"as_of": "2026-01-01"})
    assert r.status_code == 200
    data = r.json()
    assert data["as_of"] == "2026-01-01" and len(data["topics"]) == 16
    b2 = next(t for t in data["topics"] if t["id"] == "B.2")
    assert b2["completed_share"] == 1 / 8
    activity = b2["objectives"][0]["activities"][0]
    assert activity == {**activity, "id": "B.2.1.1", "status": "completed", "overdue": False}
    assert {"id", "title", "timeline", "status", "overdue"} <= set(activity)
    assert [w["id"] for w in data["workstreams"]] == ["A", "B", "C"]


def test_plan_page(client: TestClient) -> None:
    r = client.get("/plan", params={"as_of": "2024-01-01"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<header>" in page  # extends base.html
    assert "progress as of" in page.lower() or "Progress as of" in page
    assert "2024-01-01" in page and 'id="activity-B.2.1.4"' in page
    assert "Cambodia, Lao PDR and Myanmar" in page
    assert client.get("/plan").status_code == 200  # default: today


def test_home_links_to_the_plan(client: TestClient) -> None:
    assert 'href="/plan"' in client.get("/").text
    assert "/api/plan/report" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("path", ["/api/plan/report", "/plan"])
def test_bad_as_of_is_422(client: TestClient, path: str) -> None:
    r = client.get(path, params={"as_of": "2026-02-30"})
    assert r.status_code == 422 and "malformed date" in r.json()["detail"]
