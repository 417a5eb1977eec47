"""The service's signature API and page (in-process client)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from fastapi.testclient import TestClient

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from tests.signatures.conftest import Signed

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "signature-report.schema.json").read_text()
)


def _client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path)))


def test_api_verify(signed: Signed, tmp_path: Path) -> None:
    client = _client(tmp_path)
    pdf = signed.data("sg-signer-qc", "B-LT")
    res = client.post(
        "/api/signatures/verify",
        files={"file": ("c.pdf", pdf, "application/pdf")},
        data={"ams": "my"},
    )
    assert res.status_code == 200
    doc = res.json()
    jsonschema.validate(doc, SCHEMA)
    [sig] = doc["signatures"]
    assert (sig["indication"], sig["level"], sig["trust"]["ams"], sig["trust"]["recognised_in"]) == (
        "TOTAL-PASSED", "QES", "SG", "MY",
    )  # fmt: skip


def test_api_rejects_bad_requests(tmp_path: Path) -> None:
    client = _client(tmp_path)
    res = client.post("/api/signatures/verify", files={"file": ("c.pdf", b"", "application/pdf")})
    assert res.status_code == 422 and "file" in res.json()["detail"]
    res = client.post(
        "/api/signatures/verify",
        files={"file": ("c.pdf", b"%PDF-x", "application/pdf")},
        data={"ams": "XX"},
    )
    assert res.status_code == 422 and "ams" in res.json()["detail"]
    res = client.post("/api/signatures/verify", files={"file": ("c.txt", b"hello", "text/plain")})
    assert res.status_code == 415 and "c.txt is not a signed PDF" in res.json()["detail"]


def test_page_and_home_link(signed: Signed, tmp_path: Path) -> None:
    client = _client(tmp_path)
    assert "/signatures/check" in client.get("/").text
    page = client.get("/signatures/check")
    assert page.status_code == 200 and 'type="file"' in page.text
    res = client.post(
        "/signatures/check",
        files={
            "file": ("contract.pdf", signed.data("my-signer-qc-nosscd", "B-LT"), "application/pdf")
        },
    )
    assert res.status_code == 200
    assert "TOTAL-PASSED" in res.text and "AdES-QC" in res.text and "B-LT" in res.text
