"""``POST /api/signatures/verify`` and the check page with a detached signature and its signed
files (multipart field ``data``, repeatable), and formats other than PDF."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from asn1crypto import cms
from certomancer.registry import CertLabel, KeyLabel
from fastapi.testclient import TestClient
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from eauth_toolkit.settings import Settings
from eauth_toolkit.signatures._aio import run_sync
from eauth_toolkit.web.app import create_app
from tests.signatures.realworld.make_formats import CONTRACT, _formats_arch

ORDER = b"SANDBOX order 17: 2 laptops\n"


@pytest.fixture(scope="module")
def detached() -> bytes:
    """A detached CAdES signature over CONTRACT (the signer's certificate has no revocation
    pointer, so it validates offline)."""
    arch = _formats_arch()
    signer = signers.SimpleSigner(
        signing_cert=arch.get_cert(CertLabel("invoice-signer")),
        signing_key=arch.key_set.get_private_key(KeyLabel("invoice-signer")),
        cert_registry=SimpleCertificateStore.from_certs([arch.get_cert(CertLabel("my-root"))]),
    )
    info: cms.ContentInfo = run_sync(
        lambda: signer.async_sign_general_data(CONTRACT, "sha256", detached=True, use_cades=True)
    )
    return info.dump()


def _client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path)))


def _post(
    client: TestClient, sig: bytes, *data: tuple[str, bytes], url: str = "/api/signatures/verify"
) -> httpx.Response:
    files = [("file", ("contract.txt.p7s", sig, "application/pkcs7-signature"))]
    files += [("data", (n, b, "application/octet-stream")) for n, b in data]
    return client.post(url, files=files, data={"ams": "MY"})


def test_api_takes_the_signed_files_of_a_detached_signature(
    detached: bytes, tmp_path: Path
) -> None:
    client = _client(tmp_path)
    res = _post(client, detached, ("order.txt", ORDER), ("contract.txt", CONTRACT))
    assert res.status_code == 200, res.text
    doc = res.json()
    [sig] = doc["signatures"]
    assert (doc["format"], sig["indication"]) == ("CAdES", "TOTAL-PASSED"), sig
    assert "contract.txt" in sig["coverage"]

    changed = _post(client, detached, ("contract.txt", CONTRACT.replace(b"3,300", b"9,300")))
    [sig] = changed.json()["signatures"]
    assert (sig["indication"], sig["sub_indication"]) == ("TOTAL-FAILED", "HASH_FAILURE")

    missing = _post(client, detached)
    assert missing.status_code == 200 and "--data" in missing.json()["error"]


def test_api_refuses_ambiguous_data(detached: bytes, tmp_path: Path) -> None:
    client = _client(tmp_path)
    res = _post(client, detached, ("contract.txt", CONTRACT), ("contract.txt", b"other"))
    assert res.status_code == 422
    assert "data[1]: a second file named contract.txt" in res.json()["detail"]


def test_page_names_every_format_and_takes_data(detached: bytes, tmp_path: Path) -> None:
    client = _client(tmp_path)
    page = client.get("/signatures/check").text
    for word in ("PDF", "XAdES", "JAdES", "CAdES", "ASiC", 'name="data"'):
        assert word in page, word
    res = _post(client, detached, ("contract.txt", CONTRACT), url="/signatures/check")
    assert res.status_code == 200
    assert "TOTAL-PASSED" in res.text
