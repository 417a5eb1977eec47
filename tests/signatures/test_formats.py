"""CAdES (detached and enveloping CMS), JAdES (JWS) and XAdES (XML) signatures of the sandbox."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from eauth_toolkit.signatures.api import verify
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.sandbox import SandboxPKI
from eauth_toolkit.signatures.signing import sign_cms, sign_jws, sign_xml

TEXT = b"SANDBOX contract: 1,000.00 MYR\n"


@pytest.fixture(scope="module")
def files(sandbox_pki: SandboxPKI, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("formats")
    (d / "contract.txt").write_bytes(TEXT)
    out = {
        "p7s": d / "contract.txt.p7s",
        "p7m": d / "invoice.p7m",
        "jws": d / "invoice.jws",
        "xml": d / "invoice.xml",
    }
    out["p7s"].write_bytes(sign_cms(TEXT, pki=sandbox_pki, signer="my-signer-qc"))
    out["p7m"].write_bytes(
        sign_cms(
            TEXT, pki=sandbox_pki, signer="my-signer-qc-nosscd", detached=False, timestamp=False
        )
    )
    out["jws"].write_bytes(
        sign_jws(b'{"invoice": 1, "amount": "1000.00"}', pki=sandbox_pki, signer="sg-signer-qc")
    )
    out["xml"].write_bytes(
        sign_xml(
            b"<invoice><amount>1000.00</amount></invoice>", pki=sandbox_pki, signer="my-signer"
        )
    )
    return out


@pytest.mark.parametrize(
    ("kind", "fmt", "level", "baseline", "ams"),
    [
        ("p7s", "CAdES", "QES", "B-T", "MY"),
        ("p7m", "CAdES", "AdES-QC", "B-B", "MY"),
        ("jws", "JAdES", "QES", "B-B", "SG"),
        ("xml", "XAdES", "AdES", "B-B", "MY"),
    ],
)
def test_online_verdicts(
    files: dict[str, Path],
    online: ValidationOptions,
    kind: str,
    fmt: str,
    level: str,
    baseline: str,
    ams: str,
) -> None:
    report = verify(files[kind], online)
    assert report.error is None and report.format == fmt
    [sig] = report.signatures
    assert (sig.indication, sig.level, sig.baseline, sig.trust.ams) == (
        "TOTAL-PASSED",
        level,
        baseline,
        ams,
    )
    assert sig.revocation.status == "good"


@pytest.mark.parametrize("kind", ["p7s", "jws", "xml"])
def test_offline_without_revocation_is_indeterminate(
    files: dict[str, Path], offline: ValidationOptions, kind: str
) -> None:
    [sig] = verify(files[kind], offline).signatures
    assert sig.indication == "INDETERMINATE" and sig.level == "SES"


def test_tampered_content_fails(
    files: dict[str, Path], online: ValidationOptions, tmp_path: Path
) -> None:
    # detached CMS over changed content
    (tmp_path / "contract.txt").write_bytes(TEXT.replace(b"1,000", b"9,000"))
    (tmp_path / "contract.txt.p7s").write_bytes(files["p7s"].read_bytes())
    [sig] = verify(tmp_path / "contract.txt.p7s", online).signatures
    assert (sig.indication, sig.sub_indication, sig.level) == ("TOTAL-FAILED", "HASH_FAILURE", None)
    # JWS with another payload
    head, _, tail = files["jws"].read_bytes().split(b".")
    forged = (
        head
        + b"."
        + base64.urlsafe_b64encode(b'{"invoice": 1, "amount": "1.00"}').rstrip(b"=")
        + b"."
        + tail
    )
    [sig] = verify(forged, online, name="forged.jws").signatures
    assert (sig.indication, sig.sub_indication) == ("TOTAL-FAILED", "SIG_CRYPTO_FAILURE")
    # XML with another amount
    forged_xml = files["xml"].read_bytes().replace(b">1000.00<", b">1.00<")
    [sig] = verify(forged_xml, online, name="forged.xml").signatures
    assert sig.indication == "TOTAL-FAILED"


def test_unreadable_inputs_name_the_reason(tmp_path: Path, offline: ValidationOptions) -> None:
    lone = tmp_path / "alone.p7s"
    lone.write_bytes(sign_placeholder())
    assert verify(lone, offline).error is not None
    assert "not a JWS" in (verify(b"eyJhbGciOiJub25lIn0.e30.", offline, name="t.jws").error or "")
    assert "not a signed XML" in (verify(b"<a/>", offline, name="a.xml").error or "")
    assert "not a signed PDF, CMS" in (verify(b"hello", offline, name="h.txt").error or "")


def sign_placeholder() -> bytes:
    return b"\x30\x03\x02\x01\x01"  # DER, but not a CMS signed-data object
