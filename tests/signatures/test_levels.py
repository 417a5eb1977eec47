"""Each sandbox signature gets the right indication, level and baseline."""

from __future__ import annotations

import pytest

from eauth_toolkit.signatures.api import VerifyRequest, options_for, verify
from eauth_toolkit.signatures.pades import ValidationOptions
from tests.signatures.conftest import Signed

# offline: what the document embeds decides
OFFLINE = [
    ("my-signer-qc", "B-LT", "TOTAL-PASSED", "QES", "MY"),
    ("my-signer-qc", "B-LTA", "TOTAL-PASSED", "QES", "MY"),
    ("my-signer-qc-nosscd", "B-LT", "TOTAL-PASSED", "AdES-QC", "MY"),
    ("my-signer", "B-LT", "TOTAL-PASSED", "AdES", "MY"),
    ("my-signer-ec", "B-LT", "TOTAL-PASSED", "AdES", "MY"),
    ("sg-signer-qc", "B-LT", "TOTAL-PASSED", "QES", "SG"),
    ("rogue-signer", "B-T", "INDETERMINATE", "SES", None),
    # no revocation information embedded and no fetching: not AdES-valid, but intact
    ("my-signer-qc", "B-B", "INDETERMINATE", "SES", "MY"),
]


@pytest.mark.parametrize(("signer", "baseline", "indication", "level", "ams"), OFFLINE)
def test_offline_verdicts(
    signed: Signed,
    offline: ValidationOptions,
    signer: str,
    baseline: str,
    indication: str,
    level: str,
    ams: str | None,
) -> None:
    report = verify(signed.path(signer, baseline), offline)
    assert report.error is None
    [sig] = report.signatures
    assert sig.indication == indication, sig.reasons
    assert sig.level == level
    assert sig.baseline == baseline
    assert sig.trust.ams == ams
    assert sig.signer is not None and "SANDBOX" in sig.signer.subject
    if indication != "TOTAL-PASSED":
        assert sig.sub_indication and sig.reasons


@pytest.mark.parametrize("baseline", ["B-B", "B-T"])
def test_online_fetches_revocation(
    signed: Signed, online: ValidationOptions, baseline: str
) -> None:
    [sig] = verify(signed.path("my-signer-qc", baseline), online).signatures
    assert (sig.indication, sig.level, sig.baseline) == ("TOTAL-PASSED", "QES", baseline)
    assert sig.revocation.source == "online" and sig.revocation.status == "good"
    assert sig.signing_time is not None
    assert (sig.proven_time is not None) == (baseline == "B-T")


def test_revoked_signer_online(signed: Signed, online: ValidationOptions) -> None:
    [sig] = verify(signed.path("my-signer-revoked", "B-B"), online).signatures
    assert sig.indication == "INDETERMINATE"
    assert sig.sub_indication == "REVOKED_NO_POE"
    assert sig.revocation.status == "revoked"


def test_lta_proves_time_and_covers_revision(signed: Signed, offline: ValidationOptions) -> None:
    [sig] = verify(signed.path("my-signer-qc", "B-LTA"), offline).signatures
    assert sig.proven_time is not None and sig.signing_time is not None
    assert sig.proven_time >= sig.signing_time
    assert sig.coverage == "ENTIRE_REVISION"
    assert sig.modifications == "LTA_UPDATES"
    assert sig.revocation.source == "embedded (DSS)"
    assert sig.trust.legal_term is not None and "Digital Signature Act 1997" in sig.trust.legal_term


def test_two_signatures(signed: Signed, offline: ValidationOptions) -> None:
    report = verify(signed.path("two", "B-LT"), offline)
    assert [s.field for s in report.signatures] == ["Signature1", "Signature2"]
    assert [s.trust.ams for s in report.signatures] == ["MY", "SG"]
    assert all(s.indication == "TOTAL-PASSED" for s in report.signatures)
    assert report.all_passed


def test_recognition_caps_level(signed: Signed) -> None:
    in_my = options_for(VerifyRequest(ams="MY"))
    in_sg = options_for(VerifyRequest(ams="SG"))
    # SG's list is recognised in MY up to QES
    [sg_in_my] = verify(signed.path("sg-signer-qc", "B-LT"), in_my).signatures
    assert (sg_in_my.level, sg_in_my.trust.ams, sg_in_my.trust.recognised_in) == ("QES", "SG", "MY")
    # MY's list is recognised in SG only up to AdES
    [my_in_sg] = verify(signed.path("my-signer-qc", "B-LT"), in_sg).signatures
    assert my_in_sg.indication == "TOTAL-PASSED"
    assert my_in_sg.level == "AdES"
    assert any("recognised in SG only up to AdES" in w for w in my_in_sg.warnings)


def test_unrecognised_list_gives_no_chain(signed: Signed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # with only the SG list, a MY signature does not chain to anything trusted
    from eauth_toolkit.signatures.api import DEFAULT_TRUST_LIST_DIR

    only_sg = options_for(VerifyRequest(trust_list_paths=(str(DEFAULT_TRUST_LIST_DIR / "SG.xml"),)))
    [sig] = verify(signed.path("my-signer-qc", "B-LT"), only_sg).signatures
    assert sig.indication == "INDETERMINATE"
    assert sig.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"
    assert sig.level == "SES"


def test_service_withdrawn_before_signing_gives_ades(signed: Signed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Licensed at issuance but no longer at signing time: not qualified-equivalent."""
    import yaml

    from eauth_toolkit.signatures.api import DEFAULT_TRUST_LIST_DIR
    from eauth_toolkit.signatures.models import TrustListDescription
    from eauth_toolkit.signatures.trustlist import build_trust_list

    desc = yaml.safe_load((DEFAULT_TRUST_LIST_DIR / "MY.yaml").read_text())
    ca = desc["providers"][0]["services"][0]
    ca["status"] = "withdrawn"
    ca["since"] = "2026-01-01T00:00:00Z"
    ca["history"] = [{"status": "granted", "since": "2024-01-01T00:00:00Z"}]
    key = (
        DEFAULT_TRUST_LIST_DIR.parents[1] / "eauth_toolkit/signatures/sandbox/keys/my-tlso.key.pem"
    ).read_bytes()
    xml = build_trust_list(
        TrustListDescription.model_validate(desc),
        key_pem=key,
        cert_pem=(DEFAULT_TRUST_LIST_DIR / "certs" / "my-tlso.pem").read_bytes(),
        base=DEFAULT_TRUST_LIST_DIR,
    )
    (tmp_path / "MY-withdrawn.xml").write_bytes(xml)
    opts = options_for(VerifyRequest(trust_list_paths=(str(tmp_path / "MY-withdrawn.xml"),)))
    [sig] = verify(signed.path("my-signer-qc", "B-LTA"), opts).signatures
    assert sig.indication == "TOTAL-PASSED"
    assert sig.level == "AdES"
    assert sig.trust.status == "withdrawn"
    assert any("'granted' at issuance and 'withdrawn' at signing time" in r for r in sig.reasons)
    assert any("not a pinned one" in w for w in sig.warnings)


def test_two_years_later_embedded_revocation_data_keeps_it_valid(
    signed: Signed, offline: ValidationOptions
) -> None:
    """The clock moved two years ahead (time-machine): the embedded revocation data was issued
    after the proven signing time, so B-LT and B-LTA both still pass (EN 319 102-1)."""
    import datetime as dt

    import time_machine

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=730)
    with time_machine.travel(later, tick=False):
        [lt] = verify(signed.path("my-signer-qc", "B-LT"), offline).signatures
        [lta] = verify(signed.path("my-signer-qc", "B-LTA"), offline).signatures
    assert (lt.indication, lt.level, lt.baseline) == ("TOTAL-PASSED", "QES", "B-LT")
    assert (lta.indication, lta.level, lta.baseline) == ("TOTAL-PASSED", "QES", "B-LTA")
    # the sandbox lists announce their next update for the end of 2027
    assert any("due for update" in w for w in lta.warnings)
