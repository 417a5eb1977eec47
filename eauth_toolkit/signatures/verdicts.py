"""The one verdict builder: what a format validator checked about one signature becomes a
:class:`~eauth_toolkit.signatures.models.SignatureVerdict` (the ``--json`` contract of the design).

Every format (PAdES, CAdES, JAdES, XAdES and the containers built on them) does its own reading
and cryptographic checks, fills a :class:`Checks` and calls :func:`build_verdict`::

    from eauth_toolkit.signatures.verdicts import Checks, build_verdict, unreadable_verdict

    checks = Checks(
        indication=Indication.TOTAL_PASSED,   # what the AdES / signature-value step concluded
        sub_indication=None,                  # an ETSI name when it did not pass
        detail=None,                          # the engine's own text: debug log only, never shown
        intact=True,                          # the signed data matches its digest
        signer_cert=leaf,                     # asn1crypto certificate, or None
        path=validation_path,                 # pyhanko-certvalidator path when one was validated
        signing_time=claimed, proven_time=ts_time,
        baseline=BaselineLevel.B_T,
    )
    verdict = build_verdict(checks, options.trust)

A signature that cannot even be parsed gets ``unreadable_verdict(field, SubIndication.FORMAT_FAILURE,
"a plain sentence")``. A CMS with several SignerInfos gets one :class:`Checks` (and one verdict) per
SignerInfo. :func:`validate_path` runs the signer certificate path for formats whose certificates
are not validated by pyHanko's AdES engine (JWS, XML).

What the builder decides, in one place for every format:

- reasons are plain sentences that start with the ETSI sub-indication (``"HASH_FAILURE: ..."``);
  exception and engine texts go to the ``eauth_toolkit.signatures`` debug log, never to a reason;
- the level (QES / AdES-QC / AdES / SES / none) by :func:`.levels.decide_level`; a signer whose
  certificate was revoked (before the time of signing, the only case the engine reports as
  ``REVOKED``/``REVOKED_NO_POE``) gets no level, as in the EU's DSS;
- the trust information and the AMS's legal term for the level;
- the revocation status follows the sub-indication (revoked / good when passed / unknown).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eauth_toolkit.signatures.indications import EXPLANATIONS
from eauth_toolkit.signatures.models import (
    BaselineLevel,
    Change,
    Indication,
    RevocationInfo,
    SignatureLevel,
    SignatureVerdict,
    SignerInfo,
    SubIndication,
    TrustInfo,
)

__all__ = [
    "BaselineLevel",
    "Checks",
    "Indication",
    "SignatureLevel",
    "SubIndication",
    "build_verdict",
    "normalise_plain_ecdsa",
    "digest_slot_problem",
    "per_signer",
    "reason",
    "signer_info",
    "sub_indication",
    "unreadable_verdict",
    "validate_path",
]

log = logging.getLogger("eauth_toolkit.signatures")

_REVOKED = {SubIndication.REVOKED, SubIndication.REVOKED_NO_POE, SubIndication.REVOKED_CA_NO_POE}


def sub_indication(name: Any) -> SubIndication | None:
    """An ETSI sub-indication from a name (pyHanko's ``standard_name``, a string, an enum)."""
    if name is None:
        return None
    text = str(getattr(name, "standard_name", name)).rsplit(".", 1)[-1]
    try:
        return SubIndication(text)
    except ValueError:
        log.debug("unknown sub-indication %r, reported as GENERIC", name)
        return SubIndication.GENERIC


def reason(sub: SubIndication | str, context: str | None = None) -> str:
    """``"SUB: plain sentence"`` plus an optional plain-words context (never an exception text)."""
    sub = sub_indication(sub) or SubIndication.GENERIC
    text = f"{sub.value}: {EXPLANATIONS.get(sub.value, 'the validation could not conclude')}"
    if context:
        text += f" ({context})"
    return text


def signer_info(cert: Any) -> SignerInfo | None:
    if cert is None:
        return None
    try:
        return SignerInfo(
            subject=cert.subject.human_friendly,
            issuer=cert.issuer.human_friendly,
            serial=format(cert.serial_number, "x"),
        )
    except Exception:
        log.debug("signer certificate could not be described", exc_info=True)
        return None


@dataclass
class Checks:
    """What a format validator found about one signature (all but ``indication`` optional)."""

    indication: Indication | str
    sub_indication: SubIndication | str | None = None
    detail: str | None = None
    intact: bool = True
    field: str | None = None
    signer_cert: Any = None
    path: Any = None
    signing_time: datetime | None = None
    proven_time: datetime | None = None
    baseline: BaselineLevel | str | None = None
    revocation_status: str | None = None
    revocation_source: str = "none"
    coverage: str | None = None
    modifications: str | None = None
    changes: list[Change] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    reasons: list[str] = dataclasses.field(default_factory=list)
    #: plain-words context for the sub-indication's reason (e.g. "SHA-1 after 2019")
    context: str | None = None


def build_verdict(checks: Checks, trust: Any) -> SignatureVerdict:
    """Turn ``checks`` into the verdict of the JSON contract (see the module docstring)."""
    from eauth_toolkit.signatures.levels import decide_level, legal_term

    indication = Indication(str(checks.indication))
    sub = None if indication == Indication.TOTAL_PASSED else sub_indication(checks.sub_indication)
    if indication != Indication.TOTAL_PASSED and sub is None:
        sub = SubIndication.GENERIC
    if checks.detail:
        log.debug("%s: %s: %s", checks.field or "signature", sub, checks.detail)
    reasons: list[str] = []
    if sub is not None:
        reasons.append(reason(sub, checks.context))
    reasons += [r for r in checks.reasons if r not in reasons]
    warnings = list(checks.warnings)
    trust_ams = getattr(trust, "ams", None)
    agreement: str | None = None
    list_sequence: int | None = None
    if sub in _REVOKED:
        level = None
        ams = service = None
        status = "not evaluated"
        reasons.append("a signature by a revoked certificate has no level")
    else:
        decision = decide_level(
            indication=indication.value,
            intact=checks.intact,
            path=checks.path,
            signing_time=checks.proven_time or checks.signing_time,
            trust=trust,
            indeterminate_reason=reasons[0] if reasons else None,
            signer_cert=checks.signer_cert,
        )
        level = SignatureLevel(decision.level) if decision.level else None
        ams, service, status = decision.ams, decision.service, decision.status
        agreement, list_sequence = decision.agreement, decision.list_sequence
        reasons += [
            r for r in decision.reasons if r not in reasons and r != "AdES validation failed"
        ]
        warnings += [w for w in decision.warnings if w not in warnings]
    revocation = checks.revocation_status
    if sub in _REVOKED:
        revocation = "revoked"
    elif revocation is None:
        revocation = (
            "good"
            if indication == Indication.TOTAL_PASSED and checks.revocation_source != "none"
            else ("not checked" if indication == Indication.TOTAL_PASSED else "unknown")
        )
    baseline = BaselineLevel(str(checks.baseline)) if checks.baseline else None
    return SignatureVerdict(
        field=checks.field,
        indication=indication,
        sub_indication=sub,
        level=level,
        baseline=baseline,
        signer=signer_info(checks.signer_cert),
        signing_time=checks.signing_time,
        proven_time=checks.proven_time,
        trust=TrustInfo(
            ams=ams,
            service=service,
            status=status,
            recognised_in=trust_ams,
            legal_term=legal_term(trust_ams or ams, level.value if level else None),
            agreement=agreement,
            list_sequence=list_sequence,
        ),
        revocation=RevocationInfo(status=revocation, source=checks.revocation_source),  # type: ignore[arg-type]
        coverage=checks.coverage,
        modifications=checks.modifications,
        changes=list(checks.changes),
        warnings=warnings,
        reasons=reasons,
    )


def unreadable_verdict(
    field_name: str | None,
    sub: SubIndication | str,
    why: str,
    *,
    indication: Indication = Indication.TOTAL_FAILED,
    signer_cert: Any = None,
    detail: str | None = None,
) -> SignatureVerdict:
    """A signature that could not be evaluated at all: no level, ``why`` in plain words."""
    sub_ = sub_indication(sub) or SubIndication.GENERIC
    if detail:
        log.debug("%s: %s: %s", field_name or "signature", sub_, detail)
    return SignatureVerdict(
        field=field_name,
        indication=indication,
        sub_indication=sub_,
        level=None,
        baseline=None,
        signer=signer_info(signer_cert),
        signing_time=None,
        proven_time=None,
        trust=TrustInfo(ams=None, service=None, status="not evaluated"),
        revocation=RevocationInfo(status="unknown", source="none"),
        coverage=None,
        modifications=None,
        reasons=[reason(sub_, why)],
    )


async def validate_path(checks: Checks, chain: list[Any], options: Any) -> Checks:
    """Validate the signer's certificate path (JWS, XML) when the signature value passed, and
    record the outcome in ``checks`` (a failed signature is not made better by a good certificate)."""
    from datetime import UTC

    from eauth_toolkit.signatures.certpath import validate_signer_path

    if str(checks.indication) != Indication.TOTAL_PASSED or checks.signer_cert is None:
        return checks
    outcome = await validate_signer_path(
        checks.signer_cert, chain, options, moment=options.at or datetime.now(UTC)
    )
    checks.indication = outcome.indication
    checks.sub_indication = outcome.sub_indication
    checks.path = outcome.path
    checks.revocation_status = outcome.revocation
    checks.revocation_source = "online" if options.online else "none"
    if outcome.reason:
        checks.detail = outcome.reason
    return checks


def per_signer(signed_data: Any) -> list[Any]:
    """One CMS ``SignedData`` per SignerInfo (same content, certificates and CRLs), so that each
    signer of a CMS with several SignerInfos is validated, and gets a verdict, on its own.

    Each part is spliced from the encoded bytes of the original: everything but the SignerInfos
    is kept byte for byte (nothing is re-encoded, so a certificate or signed attribute that is
    not in strict DER still verifies as written)."""
    from asn1crypto import cms, parser

    infos = signed_data["signer_infos"]
    if len(infos) <= 1:
        return [signed_data]
    contents = parser.parse(signed_data.dump())[4]
    for _ in signed_data.explicit or ():  # e.g. the [0] of ContentInfo's content
        contents = parser.parse(contents)[4]
    items = _elements(contents)
    head = b"".join(items[:-1])
    return [
        cms.SignedData.load(parser.emit(0, 1, 16, head + parser.emit(0, 1, 17, si.dump())))
        for si in infos
    ]


def _elements(contents: bytes) -> list[bytes]:
    """The encoded values one after the other in ``contents`` (the inside of a SEQUENCE or SET)."""
    from asn1crypto import parser

    out, at = [], 0
    while at < len(contents):
        size = parser.peek(contents[at:])
        out.append(contents[at : at + size])
        at += size
    return out


def digest_slot_problem(signer_info: Any) -> str | None:
    """A plain sentence when a SignerInfo names a signature algorithm (e.g. sha256WithRSA) where
    its digest algorithm belongs, which some signing software writes; None otherwise."""
    from asn1crypto import algos

    try:
        oid = signer_info["digest_algorithm"]["algorithm"].dotted
    except Exception:
        return None
    if oid in algos.DigestAlgorithmId._map:
        return None
    name = algos.SignedDigestAlgorithmId._map.get(oid)
    if name is None:
        return f"the digest algorithm {oid} of the signature is not known"
    return (
        f"the signature names the signature algorithm {name} ({oid}) where its digest algorithm "
        "belongs, so the digest cannot be computed as the signature declares it"
    )


#: BSI TR-03111 ecdsa-plain-SHA* (signature value r||s instead of a DER SEQUENCE)
_PLAIN_ECDSA = {
    "0.4.0.127.0.7.1.1.4.1.1": "sha1_ecdsa",
    "0.4.0.127.0.7.1.1.4.1.2": "sha224_ecdsa",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256_ecdsa",
    "0.4.0.127.0.7.1.1.4.1.4": "sha384_ecdsa",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512_ecdsa",
}


def normalise_plain_ecdsa(signer_info: Any) -> str | None:
    """Rewrite a plain ECDSA signature (BSI TR-03111, r||s) of ``signer_info`` in place into the
    X9.62 DER form the validation engine verifies; the signed attributes and the mathematics are
    unchanged. Returns a note when it did so."""
    from asn1crypto import algos

    try:
        oid = signer_info["signature_algorithm"]["algorithm"].dotted
    except Exception:
        return None
    name = _PLAIN_ECDSA.get(oid)
    if name is None:
        return None
    raw = signer_info["signature"].native
    if not raw or len(raw) % 2:
        return None
    half = len(raw) // 2
    r, s = int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
    signer_info["signature"] = algos.DSASignature({"r": r, "s": s}).dump()
    signer_info["signature_algorithm"] = {"algorithm": name}
    return f"plain ECDSA signature value (BSI TR-03111 {name.split('_')[0].upper()}, r||s) read as X9.62"
