"""The repository API in the real service (``create_app``), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from eauth_toolkit.web.routes.repository import STORE_STATE_KEY
from tests.repository.conftest import REPOSITORY_DIR, Authorities, make_document, make_entry


class Api:
    def __init__(
        self, client: TestClient, store: RepositoryStore, authorities: Authorities
    ) -> None:
        self.client = client
        self.store = store
        self.authorities = authorities
        self.tokens = {ams: store.create_token(ams, f"{ams} desk") for ams in AMS_CODES}

    def post(self, jws: str, token_ams: str | None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[token_ams]}"} if token_ams else {}
        return self.client.post("/api/repository/submissions", json={"jws": jws}, headers=headers)

    def signed(self, ams: str, doc: dict[str, Any], key_ams: str | None = None) -> str:
        return sign_submission(
            doc, self.authorities.keys[key_ams or ams], sequence=self.store.next_sequence(ams)
        )


def repository_dir_for(authorities: Authorities, tmp_path: Path) -> Path:
    folder = tmp_path / "repository_list"
    folder.mkdir()
    shutil.copy(authorities.registry_path, folder / "authorities.json")
    return folder


@pytest.fixture
def api(database_url: str, authorities: Authorities, tmp_path: Path) -> Iterator[Api]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        load_samples=False,
        repository_dir=repository_dir_for(authorities, tmp_path),
    )
    app = create_app(settings)
    store: RepositoryStore = getattr(app.state, STORE_STATE_KEY)
    with TestClient(app) as client:
        yield Api(client, store, authorities)
    store.close()


def test_submit_and_read_back(api: Api) -> None:
    doc = make_document("SG", [make_entry("SG", "a"), make_entry("SG", "b")])
    r = api.post(api.signed("SG", doc), "SG")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (
        body["ams"] == "SG" and body["sequence"] == 1 and body["diff"]["added"] == ["sg-a", "sg-b"]
    )
    [audit] = api.store.submissions()
    assert audit["channel"] == "api" and audit["submitter"] == "API token 'SG desk' (SG)"

    r = api.client.get("/api/repository/entries", params={"ams": "SG", "min_loa": 4})
    assert r.status_code == 200 and r.json()["total"] == 2
    assert [e["id"] for e in r.json()["items"]] == ["sg-a", "sg-b"]
    r = api.client.get("/api/repository/entries", params={"ams": "MY"})
    assert r.json() == {"total": 0, "limit": 100, "offset": 0, "items": []}
    r = api.client.get("/api/repository/entries", params={"q": "sg a", "limit": 1})
    assert r.json()["total"] == 1
    r = api.client.get("/api/repository/entries/sg-a")
    assert r.status_code == 200
    detail = r.json()
    assert detail["entry"]["assessed_level"]["iso29115"] == 4 and detail["entry"]["level_mismatch"]
    # the template does not state the attack potential its mechanism resists: eIDAS is a range
    eidas = detail["entry"]["assessed_level"]["ranges"]["eidas"]
    assert eidas["confirmed"] != eidas["reachable"] and eidas["unknown_facts"] >= 1
    page = api.client.get("/repository/sg-a").text
    assert eidas["label"] in page and "LoA 4" in page
    listing = api.client.get("/repository").text
    assert "LoA 4" in listing and "lower bound" in listing
    iso = detail["assessment"]["results"]["iso29115-2013"]["overall"]
    assert iso["phases"]["enrolment"]["confirmed"] == "LoA4"
    assert [v["version"] for v in detail["versions"]] == [1]
    r = api.client.get("/api/repository/entries/sg-zzz")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = api.client.get("/api/repository/audit")
    assert r.status_code == 200 and "jws" not in r.json()[0]
    r = api.client.get("/api/repository/authorities/SG/next-sequence")
    assert r.json() == {"ams": "SG", "next_sequence": 2}
    r = api.client.get("/api/repository/authorities")
    assert {a["ams"] for a in r.json()} == set(AMS_CODES)
    assert all("d" not in a["jwk"] for a in r.json())


def test_published_versions_and_the_current_list(api: Api, tmp_path: Path) -> None:
    from eauth_toolkit.repository.keys import load_key
    from eauth_toolkit.repository.publication import publish, verify_list
    from eauth_toolkit.repository.samples import publisher_certificate_path, publisher_key_path

    assert api.client.get("/api/repository/list").status_code == 404
    api.post(api.signed("TH", make_document("TH")), "TH")
    publish(api.store, load_key(publisher_key_path(REPOSITORY_DIR)), tmp_path / "l.json")
    r = api.client.get("/api/repository/list")
    assert r.status_code == 200 and r.content == (tmp_path / "l.json").read_bytes()
    cert = load_key(publisher_certificate_path(REPOSITORY_DIR))
    assert verify_list(r.content, cert).sequence_number == 1
    r = api.client.get("/api/repository/publications")
    assert [p["sequence_number"] for p in r.json()] == [1]
    assert (
        api.client.get("/api/repository/publications/1").content
        == (tmp_path / "l.json").read_bytes()
    )
    assert api.client.get("/api/repository/publications/2").status_code == 404


def test_authorization_matrix_through_the_api(api: Api) -> None:
    for ams in AMS_CODES:
        assert (
            api.post(
                api.signed(ams, make_document(ams, [make_entry(ams, "base")])), ams
            ).status_code
            == 201
        )
    before = api.store.dump()
    for signer in AMS_CODES:
        for victim in AMS_CODES:
            if victim == signer:
                continue
            hijack = make_entry(victim, "base", description="hijacked")
            # own token, own key, another AMS's entry
            r = api.post(api.signed(signer, make_document(signer, [hijack])), signer)
            assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
            assert r.json()["where"] == "/entries/0/ams"
            # own token, a document for the victim signed with the signer's key
            r = api.post(
                api.signed(victim, make_document(victim, [hijack]), key_ams=signer), signer
            )
            assert r.status_code == 403 and r.json()["code"] == "wrong_key"
            # the victim's genuine signed document sent with the signer's token
            r = api.post(api.signed(victim, make_document(victim, [hijack])), signer)
            assert r.status_code == 403 and r.json()["code"] == "forbidden"
            assert f"bound to {signer}" in r.json()["message"]
    assert api.store.dump() == before


def test_bad_input_is_refused_with_4xx_and_changes_nothing(api: Api) -> None:
    first = api.signed("SG", make_document("SG"))
    assert api.post(first, "SG").status_code == 201
    before = api.store.dump()
    doc = make_document("SG", [make_entry("SG", "more")])
    cases: list[tuple[Any, int, str]] = []
    # no token, unknown token
    r = api.client.post("/api/repository/submissions", json={"jws": api.signed("SG", doc)})
    cases.append((r, 401, "unauthenticated"))
    r = api.client.post(
        "/api/repository/submissions",
        json={"jws": api.signed("SG", doc)},
        headers={"Authorization": "Bearer nope"},
    )
    cases.append((r, 401, "unauthenticated"))
    revoked = api.store.create_token("SG", "old desk")
    assert api.store.revoke_token(revoked)
    r = api.client.post(
        "/api/repository/submissions",
        json={"jws": api.signed("SG", doc)},
        headers={"Authorization": f"Bearer {revoked}"},
    )
    cases.append((r, 401, "unauthenticated"))
    before = api.store.dump()
    # unsigned, badly signed, replayed
    cases.append((api.post(json.dumps(doc), "SG"), 400, "unsigned"))
    h, p, s = api.signed("SG", doc).split(".")
    other = (
        base64.urlsafe_b64encode(json.dumps({**doc, "authority": "x"}).encode())
        .rstrip(b"=")
        .decode()
    )
    cases.append((api.post(f"{h}.{other}.{s}", "SG"), 403, "bad_signature"))
    cases.append((api.post(first, "SG"), 409, "replayed"))
    # schema-invalid
    bad = make_document("SG", [make_entry("SG", "bad", status="lost")])
    r = api.post(api.signed("SG", bad), "SG")
    cases.append((r, 422, "schema_invalid"))
    assert r.json()["where"] == "/entries/0/status"
    # oversized (above the store's limit) and a body that is not the request model
    huge = "a" * (api.store.policy.max_bytes + 10)
    cases.append((api.post(huge, "SG"), 413, "oversized"))
    r = api.client.post(
        "/api/repository/submissions",
        content=b"{not json",
        headers={"Authorization": f"Bearer {api.tokens['SG']}", "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    for response, status, code in cases:
        assert response.status_code == status, (code, response.text)
        assert response.json()["code"] == code
        assert response.json()["message"]
    assert api.store.dump() == before


def test_a_restricted_entry_is_shown_without_its_details(api: Api) -> None:
    secret = make_entry("KH", "secret", disclosure={"restricted": True, "note": "national law"})
    assert api.post(api.signed("KH", make_document("KH", [secret])), "KH").status_code == 201
    detail = api.client.get("/api/repository/entries/kh-secret").json()
    assert detail["assessment"] is None
    entry = detail["entry"]
    assert entry["description"].startswith("Details withheld")
    assert entry["profile"] is None and entry["oidc"] is None and entry["assessed_level"] is None
    listed = api.client.get("/api/repository/entries", params={"ams": "KH"}).json()["items"][0]
    assert listed["profile"] is None and listed["name"] == secret["name"]
    page = api.client.get("/repository/kh-secret")
    assert page.status_code == 200 and "Disclosure restricted" in page.text
    assert "The profile is not disclosed." in page.text
    # the registry itself keeps everything
    stored = api.store.entry("kh-secret")
    assert stored is not None and stored.document["profile"] is not None


def test_the_browse_page_pages_through_the_entries(api: Api) -> None:
    import re

    doc = make_document("PH", [make_entry("PH", f"e{i:03d}") for i in range(150)])
    assert api.post(api.signed("PH", doc), "PH").status_code == 201

    def rows(url: str) -> tuple[list[str], str]:
        text = api.client.get(url).text
        return re.findall(r'<tr data-id="([^"]+)">', text), text

    first, text = rows("/repository?ams=PH")
    assert len(first) == 100 and first[0] == "ph-e000"
    assert "1–100 of 150 matching" in text and 'id="page-next"' in text
    assert 'href="/repository?ams=PH&amp;page=2"' in text
    second, text = rows("/repository?ams=PH&page=2")
    assert second == [f"ph-e{i:03d}" for i in range(100, 150)]
    assert "101–150 of 150 matching" in text and 'id="page-prev"' in text
    none, text = rows("/repository?ams=PH&page=9")
    assert none == [] and "past the last page" in text
