"""The one verdict builder: reasons, levels and per-SignerInfo verdicts for every format."""

from __future__ import annotations

from asn1crypto import cms

from eauth_toolkit.signatures.models import Indication, SignatureLevel, SubIndication
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.sandbox import SandboxPKI
from eauth_toolkit.signatures.signing import sign_cms
from eauth_toolkit.signatures.verdicts import (
    Checks,
    build_verdict,
    per_signer,
    reason,
    sub_indication,
    unreadable_verdict,
)


def test_reason_names_the_sub_indication_in_plain_words() -> None:
    text = reason(SubIndication.HASH_FAILURE)
    assert text.startswith("HASH_FAILURE: ")
    assert "altered" in text
    assert sub_indication("AdESIndeterminate.TRY_LATER") == SubIndication.TRY_LATER
    assert sub_indication("SOMETHING_NEW") == SubIndication.GENERIC


def test_engine_detail_goes_to_the_log_not_the_reasons(offline: ValidationOptions) -> None:
    v = build_verdict(
        Checks(
            indication="TOTAL-FAILED",
            sub_indication="FORMAT_FAILURE",
            detail="KeyError: Reference(idnum=12, generation=0)",
            intact=False,
        ),
        offline.trust,
    )
    assert v.indication == Indication.TOTAL_FAILED
    assert v.level is None
    assert not any("KeyError" in r or "Reference(" in r for r in v.reasons)
    assert v.reasons[0].startswith("FORMAT_FAILURE: ")


def test_indeterminate_intact_signature_is_ses_but_revoked_signer_has_no_level(
    offline: ValidationOptions,
) -> None:
    ses = build_verdict(
        Checks(indication="INDETERMINATE", sub_indication="TRY_LATER"), offline.trust
    )
    assert ses.level == SignatureLevel.SES
    revoked = build_verdict(
        Checks(indication="INDETERMINATE", sub_indication="REVOKED_NO_POE"), offline.trust
    )
    assert revoked.level is None
    assert revoked.revocation.status == "revoked"


def test_unreadable_verdict_is_plain() -> None:
    v = unreadable_verdict("Sig1", "FORMAT_FAILURE", "/ByteRange is not an array of four integers")
    assert v.reasons == [
        "FORMAT_FAILURE: the signature is not well formed "
        "(/ByteRange is not an array of four integers)"
    ]


def test_per_signer_splits_a_cms_with_two_signer_infos(
    sandbox_pki: SandboxPKI, online: ValidationOptions
) -> None:
    one = cms.ContentInfo.load(
        sign_cms(b"data", pki=sandbox_pki, signer="my-signer-qc", detached=False, timestamp=False)
    )
    two = cms.ContentInfo.load(
        sign_cms(b"data", pki=sandbox_pki, signer="sg-signer-qc", detached=False, timestamp=False)
    )
    sd = one["content"].copy()
    sd["signer_infos"] = cms.SignerInfos(
        [one["content"]["signer_infos"][0].copy(), two["content"]["signer_infos"][0].copy()]
    )
    sd["certificates"] = cms.CertificateSet(
        list(one["content"]["certificates"]) + list(two["content"]["certificates"])
    )
    parts = per_signer(sd)
    assert len(parts) == 2
    serials = [p["signer_infos"][0]["sid"].native["serial_number"] for p in parts]
    assert len(set(serials)) == 2
    assert all(p["encap_content_info"]["content"].native == b"data" for p in parts)
    # spliced byte for byte: each SignerInfo and the certificates as they were encoded
    for part, si in zip(parts, sd["signer_infos"], strict=True):
        assert part["signer_infos"][0].dump() == si.dump()
        assert part["certificates"].dump() == sd["certificates"].dump()
        assert part["encap_content_info"].dump() == sd["encap_content_info"].dump()
    # the whole CMS, enveloping: one verdict per SignerInfo, both valid
    from eauth_toolkit.signatures.api import verify

    envelope = cms.ContentInfo({"content_type": "signed_data", "content": sd})
    report = verify(envelope.dump(), online, name="two-signers.p7m")
    assert report.format == "CAdES"
    assert [s.indication for s in report.signatures] == ["TOTAL-PASSED", "TOTAL-PASSED"], report
    assert {s.signer.subject.split(",")[0] for s in report.signatures if s.signer} == {
        "Common Name: SANDBOX Aminah binti Ali (qualified)",
        "Common Name: SANDBOX Lim Wei Jie (qualified)",
    }
