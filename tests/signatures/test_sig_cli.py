"""`eauth sig` as a user meets it: the document to sign is the argument, nothing is overwritten
unless asked, unknown AMS codes and unreadable PDFs are refused with one line, `--etsi-report`
and `--json` work for every file, and the command group imports the signature stack lazily."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eauth_toolkit.cli import main
from eauth_toolkit.signatures.samples import sample_pdf
from tests.signatures.conftest import Signed


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(["sig", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_sign_takes_the_document_and_never_overwrites(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, signed: Signed
) -> None:
    contract = tmp_path / "contract.pdf"
    original = sample_pdf()
    contract.write_bytes(original)
    code, out, err = run(capsys, "sign", str(contract), "--baseline", "B-B")
    assert code == 0, err
    made = tmp_path / "contract-signed.pdf"
    assert made.exists() and "contract-signed.pdf" in out
    assert contract.read_bytes() == original  # the document itself is untouched
    assert made.read_bytes().startswith(original[:8]) and len(made.read_bytes()) > len(original)
    before = made.read_bytes()
    code, _, err = run(capsys, "sign", str(contract), "--baseline", "B-B")
    assert code == 2 and "exists already" in err and "--force" in err
    assert made.read_bytes() == before
    code, _, err = run(capsys, "sign", str(contract), "-o", str(contract), "--baseline", "B-B")
    assert code == 2 and "replace the document" in err
    assert contract.read_bytes() == original
    other = tmp_path / "out.pdf"
    code, _, err = run(capsys, "sign", str(contract), "-o", str(other), "--baseline", "B-B")
    assert code == 0 and other.exists()
    code, _, err = run(capsys, "sign", str(contract), "--force", "--baseline", "B-B")
    assert code == 0 and made.read_bytes() != before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"hello, not a pdf", "not a PDF (no %PDF- header)"),
        (b"%PDF-1.7\n%%EOF\n", "not a readable PDF"),
    ],
)
def test_sign_names_the_real_cause_of_an_unusable_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, expected: str
) -> None:
    doc = tmp_path / "empty.pdf"
    doc.write_bytes(content)
    code, _, err = run(capsys, "sign", str(doc), "--signer", "my-signer-qc")
    assert code == 2
    assert expected in err and "empty.pdf" in err
    assert "signer" not in err.lower() and "Traceback" not in err
    assert not (tmp_path / "empty-signed.pdf").exists()


def test_unknown_ams_is_refused_not_degraded(
    capsys: pytest.CaptureFixture[str], signed: Signed
) -> None:
    code, _, err = run(capsys, "verify", "--ams", "ZZ", str(signed.path("my-signer-qc", "B-LT")))
    assert code == 2
    assert "unknown AMS code 'ZZ'" in err and "--ams" in err
    code, out, _ = run(
        capsys, "verify", "--json", "--ams", "my", str(signed.path("my-signer-qc", "B-LT"))
    )
    assert json.loads(out)["signatures"][0]["trust"]["recognised_in"] == "MY"


def test_etsi_report_for_every_file_and_json_always(
    capsys: pytest.CaptureFixture[str], signed: Signed, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.pdf"
    data = bytearray(signed.data("my-signer-qc", "B-B"))
    at = data.index(b"/Contents <") + 20
    data[at : at + 40] = b"0" * 40  # a damaged CMS: no signer certificate can be read
    broken.write_bytes(bytes(data))
    files = [str(signed.path("two", "B-LT")), str(broken), str(signed.path("my-signer", "B-LT"))]
    folder = tmp_path / "reports"
    code, out, err = run(capsys, "verify", "--json", "--etsi-report", str(folder), *files)
    assert "Traceback" not in err
    payload = json.loads(out)
    assert len(payload) == 3
    written = sorted(p.name for p in folder.iterdir())
    assert written == sorted(Path(f).name + ".etsi.xml" for f in files)
    for p in folder.iterdir():
        assert "urn:etsi:019102:mainindication:" in p.read_text()
    assert code == 1
    single = tmp_path / "one.xml"
    code, out, _ = run(capsys, "verify", "--json", "--etsi-report", str(single), str(broken))
    assert json.loads(out)["signatures"] and single.read_text().count("MainIndication") >= 2


def test_sig_commands_import_the_signature_stack_lazily() -> None:
    code = (
        "import sys; from eauth_toolkit.cli import sig; "
        "print(','.join(m for m in ('pyhanko', 'certomancer', 'eauth_toolkit.signatures.models') "
        "if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == ""
