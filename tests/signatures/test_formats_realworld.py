"""Every class of XAdES, JAdES, CAdES, ASiC and MyInvois fixture (tests/signatures/realworld/
make_formats.py) gets the indication, sub-indication, number of signatures and baseline it must."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.signatures.api import VerifyRequest, options_for, verify
from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.sandbox import SandboxPKI
from tests.signatures.realworld.make_formats import Case, generate


@pytest.fixture(scope="session")
def format_fixtures(sandbox_pki: SandboxPKI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("formats")
    generate(out, sandbox_pki)
    return out


def _cases() -> list[str]:
    # the case list is fixed by the generator; ids are file + what the case shows
    return [
        "xades-enveloped-B-B.xml", "xades-bom.xml", "xades-utf16.xml", "xades-tampered.xml",
        "xades-props-tampered.xml", "xades-rsa-sha1.xml", "xades-enveloping.xml",
        "xades-detached.xml#data", "xades-detached.xml#nodata", "xades-detached.xml#other",
        "xades-B-T.xml", "xades-B-LT.xml", "xades-B-LTA.xml", "xades-counter.xml",
        "xades-expired-signer.xml#now", "xades-expired-signer.xml#at",
        "xades-v1.2.2.xml", "xades-v1.1.1.xml", "xades-c14n11-xml-attrs.xml",
        "jades-compact-B-B.jws", "jades-tampered.jws", "jades-flattened.json",
        "jades-general-2.json", "jades-etsi-headers.json", "jades-sigd.jws#data",
        "jades-sigd.jws#other", "jades-detached.jws", "jades-bad-crit.jws",
        "jades-B-T.json", "jades-B-LT.json", "jades-B-LTA.json",
        "jades-counter.json", "jades-kid.json",
        "asics-jades.asics", "asice-jades.asice", "asice-jades-changed.asice",
        "cades-B-B.p7s#data", "cades-B-B.p7s#other", "cades-B-B.p7s#nodata", "cades-B-T.p7s",
        "cades-broken-ts.p7s",
        "cades-B-LT.p7s", "cades-B-LTA.p7s", "cades-parallel.p7m", "cades-counter.p7m",
        "cades-ber.p7m", "cades-pdf-content.p7m",
        "cades-poe-archive.p7m", "cades-poe-no-archive.p7m", "cades-poe-archive-changed.p7m",
        "cades-poe-archive-v2.p7m",
        "xades-poe-archive.xml", "xades-poe-no-archive.xml",
        "jades-poe-archive.json", "jades-poe-no-archive.json",
        "asics-cades.asics", "asics-timestamp.asics", "asics-xades.scs", "asice-xades.asice", "asice-xades.bdoc",
        "asice-cades.sce", "asice-cades-changed.asice",
        "myinvois-invoice.xml", "myinvois-invoice-changed.xml", "myinvois-invoice.json",
        "myinvois-invoice-changed.json",
    ]  # fmt: skip


def _case_id(c: Case, seen: dict[str, int]) -> str:
    n = seen.get(c.file, 0)
    seen[c.file] = n + 1
    suffix = {
        "xades-detached.xml": ["#data", "#nodata", "#other"],
        "xades-expired-signer.xml": ["#now", "#at"],
        "jades-sigd.jws": ["#data", "#other"],
        "cades-B-B.p7s": ["#data", "#other", "#nodata"],
    }.get(c.file)
    return c.file + (suffix[n] if suffix else "")


def _options(
    case: Case, online: ValidationOptions, offline: ValidationOptions
) -> ValidationOptions:
    if case.at:
        at = datetime.fromisoformat(case.at.replace("Z", "+00:00"))
        return options_for(VerifyRequest(at=at, online=case.online))
    return online if case.online else offline


def check_case(case: Case, directory: Path, options: ValidationOptions) -> FileReport:
    data = {n: (directory / n).read_bytes() for n in case.data}
    report = verify(directory / case.file, options, name=case.file, data=data or None)
    if case.error:
        assert report.error is not None, report
        return report
    assert report.error is None, report.error
    assert report.format == case.format, report
    assert len(report.signatures) == case.count, report
    for sig in report.signatures:
        assert sig.indication == case.indication, (case.what, sig)
        assert sig.sub_indication == case.sub_indication, (case.what, sig)
        if case.baseline is not None:
            assert sig.baseline == case.baseline, (case.what, sig)
        assert (sig.proven_time is not None) == case.proven, (case.what, sig)
        if case.warning:
            assert any(case.warning in w for w in sig.warnings), (case.what, sig.warnings)
        if case.reason:
            assert any(case.reason in r for r in sig.reasons), (case.what, sig.reasons)
    if case.note:
        assert any(case.note in n for n in report.notes), (case.what, report.notes)
    return report


@pytest.fixture(scope="session")
def expected(format_fixtures: Path) -> dict[str, Case]:
    raw: list[dict[str, Any]] = json.loads((format_fixtures / "expected.json").read_text())
    seen: dict[str, int] = {}
    return {_case_id(c, seen): c for c in (Case(**r) for r in raw)}


def test_generator_covers_every_class(expected: dict[str, Case]) -> None:
    assert sorted(expected) == sorted(_cases())


@pytest.mark.parametrize("case_id", _cases())
def test_fixture_verdict(
    case_id: str,
    expected: dict[str, Case],
    format_fixtures: Path,
    online: ValidationOptions,
    offline: ValidationOptions,
) -> None:
    case = expected[case_id]
    check_case(case, format_fixtures, _options(case, online, offline))


def _mutations(data: bytes) -> list[bytes]:
    out = [data[: len(data) // 2], data[:10], data + b"\x00" * 7]
    for pos in (len(data) // 7, len(data) // 3, len(data) // 2, (len(data) * 5) // 6):
        flipped = bytearray(data)
        flipped[pos] ^= 0x5A
        out.append(bytes(flipped))
    return out


def test_damaged_files_get_a_report_never_an_exception(
    format_fixtures: Path, expected: dict[str, Case], offline: ValidationOptions
) -> None:
    files = sorted({c.file for c in expected.values()})
    for name in files:
        for i, damaged in enumerate(_mutations((format_fixtures / name).read_bytes())):
            report = verify(damaged, offline, name=f"{name}#{i}")
            if report.error is not None:
                assert "\n" not in report.error and "Traceback" not in report.error, report.error
            else:
                assert report.signatures or report.notes, (name, i)
                # a damaged file is never better than the original
                assert all(
                    s.indication != "TOTAL-PASSED" or expected_passes(expected, name)
                    for s in report.signatures
                ), (name, i, report)


def expected_passes(expected: dict[str, Case], name: str) -> bool:
    return any(c.file == name and c.indication == "TOTAL-PASSED" for c in expected.values())
