"""The "check a signature" page in Chromium: upload a sandbox-signed PDF, read the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.signatures.samples import sample_pdf
from eauth_toolkit.signatures.sandbox import serve
from eauth_toolkit.signatures.signing import sign_pdf

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def signed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with serve() as pki:
        data = sign_pdf(sample_pdf(), pki=pki, signer="my-signer-qc", baseline="B-LTA")
    path = tmp_path_factory.mktemp("browser") / "contract.pdf"
    path.write_bytes(data)
    return path


def test_upload_shows_verdict(
    live_server_factory: Any, page: Any, signed_pdf: Path, tmp_path: Path
) -> None:
    server = live_server_factory(data_dir=tmp_path)
    page.goto(f"{server.url}/signatures/check")
    page.set_input_files("#file", str(signed_pdf))
    page.select_option("#ams", "MY")
    page.click("#check")
    page.wait_for_selector("#verdict")
    row = page.locator("tr.signature").first
    assert row.locator(".indication").inner_text().strip().startswith("TOTAL-PASSED")
    assert row.locator(".level").inner_text().strip() == "QES"
    assert row.locator(".baseline").inner_text().strip() == "B-LTA"
    assert "Digital Signature Act 1997" in row.inner_text()


def test_upload_of_altered_pdf_fails(
    live_server_factory: Any, page: Any, signed_pdf: Path, tmp_path: Path
) -> None:
    data = signed_pdf.read_bytes()
    # change one byte inside the signed content: the page must say it failed
    pos = data.index(b"Amount due")
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(data[:pos] + b"Amount DUE" + data[pos + 10 :])
    server = live_server_factory(data_dir=tmp_path)
    page.goto(f"{server.url}/signatures/check")
    page.set_input_files("#file", str(altered))
    page.click("#check")
    page.wait_for_selector("#verdict")
    text = page.locator("tr.signature").first.locator(".indication").inner_text()
    assert "TOTAL-FAILED" in text
