from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app


def _client(tmp_path: Path, samples: bool = False) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/db.sqlite3", load_samples=samples
    )
    return TestClient(create_app(settings))


def test_guidance_page_lists_the_technologies_of_the_published_list(tmp_path: Path) -> None:
    with _client(tmp_path, samples=True) as client:
        r = client.get("/loa/guidance")
        assert r.status_code == 200
        assert "ISO/IEC 29115" in r.text and "Annex 2.1.2" in r.text
        # the sample entries reach the page through the signed list the service published
        assert "The technologies of Repository List #1" in r.text and "Singpass" in r.text
        assert "Mutually agreed levels" in r.text


def test_guidance_page_without_a_list_says_so(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        r = client.get("/loa/guidance")
        assert r.status_code == 200 and "Annex 2.1.2" in r.text
        assert "None shown: no verified Repository List" in r.text
        assert "Singpass" not in r.text  # the sample files are not a second source


def test_assess_api_matches_the_library(tmp_path: Path) -> None:
    doc = json.loads(
        (Path(__file__).resolve().parents[1] / "examples/loa/estonia-id-card.json").read_text()
    )
    profile = doc.get("profile", doc)
    with _client(tmp_path) as client:
        r = client.post("/api/loa/assess", json=profile)
        assert r.status_code == 200, r.text
        body = r.json()
        from eauth_toolkit.loa import assess

        assert body == assess(profile).to_dict()
        iso = body["results"]["iso29115-2013"]["overall"]
        assert set(iso["phases"]) == {
            "enrolment",
            "credential_management",
            "authentication",
            "management",
        }
        bad = client.post(
            "/api/loa/assess",
            json={"name": "x", "enrolment": {"routes": [{"identity_proofing": 7}]}},
        )
        assert bad.status_code == 422
        assert "/enrolment/routes/0/identity_proofing" in bad.json()["detail"]
        old = client.post(
            "/api/loa/assess", json={"name": "x", "enrolment": {"identity_proofing": "in_person"}}
        )
        assert old.status_code == 422 and "eauth loa migrate" in old.json()["detail"]


def test_map_api(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        r = client.get("/api/loa/map", params={"level": "iso29115:4", "to": "eidas"})
        assert r.status_code == 200
        assert r.json()["mappings"][0]["value"] == "high"
        assert client.get("/api/loa/map", params={"level": "iso29115:9"}).status_code == 422
