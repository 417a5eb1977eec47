"""The /laws page in Chromium and the /api/laws API against the real app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eauth_toolkit.laws.signing import sign_scheme_document
from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app

REPO = Path(Settings().repository_dir)


@pytest.fixture
def client(tmp_path: Path) -> Any:
    app = create_app(
        Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'w.sqlite3'}")
    )
    with TestClient(app) as c:
        yield c


def test_api_report_plans_and_problems(client: Any) -> None:
    report = client.get("/api/laws/report", params={"as_of": "2026-11-30"}).json()
    assert report["missing_plan"] == ["BN", "ID", "LA", "MY", "MM", "SG", "TH", "VN"]
    assert {p["plan_id"] for p in client.get("/api/laws/plans").json()["plans"]} == {
        "kh-esig-2024",
        "ph-esig-2025",
    }
    bad = client.get("/api/laws/report", params={"as_of": "2026-11-31"})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_date"
    assert client.get("/api/laws/ams/XX").status_code == 404
    assert (
        client.get("/api/laws/ams/SG").json()["laws"][0]["title"]
        == "Electronic Transactions Act 2010"
    )


def test_api_submission_needs_a_token_of_the_same_ams(client: Any) -> None:
    import json

    doc = json.loads((REPO / "laws" / "sandbox" / "PH-national-plan.json").read_text())
    doc["plan_id"] = "ph-esig-2027"
    jws = sign_scheme_document(
        doc, load_key(REPO / "sandbox-authority-keys" / "PH.private.jwk.json"), sequence=10
    )
    assert client.post("/api/laws/submissions", json={"jws": jws}).status_code == 401
    store = client.app.state.repository_store
    sg = store.create_token("SG", "test")
    refused = client.post(
        "/api/laws/submissions", json={"jws": jws}, headers={"Authorization": f"Bearer {sg}"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    ph = store.create_token("PH", "test")
    ok = client.post(
        "/api/laws/submissions", json={"jws": jws}, headers={"Authorization": f"Bearer {ph}"}
    )
    assert ok.status_code == 201 and ok.json()["kind"] == "national_plan"
    again = client.post(
        "/api/laws/submissions", json={"jws": jws}, headers={"Authorization": f"Bearer {ph}"}
    )
    assert again.status_code == 409 and again.json()["code"] == "replayed"


@pytest.mark.browser
def test_laws_page_in_chromium(live_server_factory: Any, page: Any, tmp_path: Path) -> None:
    server = live_server_factory(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'laws.sqlite3'}"
    )
    page.goto(f"{server.url}/laws?as_of=2026-11-30")
    assert "Laws Reporting Scheme" in page.text_content("h1")
    row = page.locator('#summary tr[data-ams="KH"]')
    assert "transition until 2026-12-02" in row.text_content()
    assert "yes (sandbox)" in row.text_content()
    assert "BN" in page.text_content("#missing-plan") and "PH" not in page.text_content(
        "#missing-plan"
    )
    assert "m1-prakas" in page.text_content("#overdue")
    link = page.locator("#ams-SG a").first.get_attribute("href")
    assert link and link.startswith("https://")
    page.fill('input[name="as_of"]', "2026-12-03")
    page.click("button[type=submit]")
    page.wait_for_url("**as_of=2026-12-03**")
    assert "ended: Article 7.2(a) applies" in page.text_content("#transition")
