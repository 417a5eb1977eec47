"""Files that strict parsing rejects, and inputs that are not signed documents at all."""

from __future__ import annotations

import io

from eauth_toolkit.signatures.api import verify
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.sandbox import SandboxPKI
from eauth_toolkit.signatures.signing import sign_pdf


def hybrid_reference_pdf() -> bytes:
    """A one-page PDF whose classic xref table leaves one object to a hybrid xref stream (/XRefStm)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>",
    }
    for n, body in objs.items():
        offsets[n] = out.tell()
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    content = b"BT /F1 12 Tf 72 760 Td (SANDBOX hybrid-reference file) Tj ET"
    offsets[5] = out.tell()
    out.write(
        b"5 0 obj\n<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream\nendobj\n"
    )
    row = bytes([1]) + offsets[5].to_bytes(2, "big") + b"\x00"
    offsets[4] = out.tell()
    out.write(
        b"4 0 obj\n<< /Type /XRef /Size 6 /W [1 2 1] /Index [5 1] /Length %d >>\nstream\n"
        % len(row)
        + row
        + b"\nendstream\nendobj\n"
    )
    xref_at = out.tell()
    out.write(b"xref\n0 5\n0000000000 65535 f \n")
    for n in (1, 2, 3, 4):
        out.write(b"%010d 00000 n \n" % offsets[n])
    out.write(
        b"trailer\n<< /Size 6 /Root 1 0 R /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (offsets[4], xref_at)
    )
    return out.getvalue()


def test_hybrid_reference_file_is_read_leniently_and_says_so(
    sandbox_pki: SandboxPKI, offline: ValidationOptions
) -> None:
    signed = sign_pdf(
        hybrid_reference_pdf(), pki=sandbox_pki, signer="my-signer-qc", baseline="B-LT"
    )
    report = verify(signed, offline, name="hybrid.pdf")
    assert report.error is None
    assert any("hybrid" in n and "non-strict" in n for n in report.notes)
    [sig] = report.signatures
    assert sig.indication == "TOTAL-PASSED" and sig.level == "QES"
    assert sig.warnings == []  # no false alarm about bytes after the last revision


def test_unsigned_pdf_has_no_signature(offline: ValidationOptions) -> None:
    report = verify(hybrid_reference_pdf(), offline, name="plain.pdf")
    assert report.error is None and report.signatures == []
    assert not report.all_passed
    assert "no signatures" in " ".join(report.notes)


def test_deep_nesting_and_garbage_are_reported(offline: ValidationOptions) -> None:
    deep = b"%PDF-1.7\n1 0 obj\n" + b"[" * 100_000 + b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    report = verify(deep, offline, name="deep.pdf")
    assert report.error is not None and report.error.startswith("cannot read")
    assert verify(b"%PDF-1.7\n" + bytes(range(256)) * 10, offline, name="g.pdf").error


def test_memory_stays_bounded_on_a_large_pdf(
    sandbox_pki: SandboxPKI, offline: ValidationOptions, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The byte ranges are hashed by streaming and large streams are not loaded: peak memory does
    not grow with the file (``bench/sig_bench.py --big 200`` shows it for 200 MB)."""
    import gc
    import tracemalloc

    from eauth_toolkit.signatures.samples import write_sample_pdf

    big = tmp_path / "big.pdf"
    write_sample_pdf(big, size=24_000_000)
    big.write_bytes(
        sign_pdf(big.read_bytes(), pki=sandbox_pki, signer="my-signer", baseline="B-LT")
    )
    gc.collect()
    tracemalloc.start()
    try:
        report = verify(big, offline)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.signatures[0].indication == "TOTAL-PASSED"
    assert peak < 8_000_000, (
        f"peak {peak / 1e6:.1f} MB for a {big.stat().st_size / 1e6:.0f} MB file"
    )
