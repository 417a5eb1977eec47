"""The common end of the JAdES and XAdES validations: once the signature value has been checked,
validate the signer's certificate path, decide the level and build the file report."""

from __future__ import annotations

from datetime import UTC, datetime

from asn1crypto import x509

from eauth_toolkit.signatures.certpath import validate_signer_path
from eauth_toolkit.signatures.indications import explain
from eauth_toolkit.signatures.levels import decide_level, legal_term
from eauth_toolkit.signatures.models import (
    FileReport,
    RevocationInfo,
    SignatureVerdict,
    SignerInfo,
    TrustInfo,
)
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = ["conclude"]


async def conclude(
    *,
    name: str,
    fmt: str,
    leaf: x509.Certificate,
    chain: list[x509.Certificate],
    options: ValidationOptions,
    indication: str,
    sub: str | None,
    intact: bool,
    claimed: datetime | None,
    baseline: str | None,
    reasons: list[str],
    warnings: list[str],
) -> FileReport:
    """``indication``/``sub``/``intact`` describe the signature value check; the path check runs
    only when that passed (a failed signature is not made better by a good certificate)."""
    path = None
    revocation = "not checked"
    if indication == "TOTAL-PASSED":
        outcome = await validate_signer_path(
            leaf, chain, options, moment=options.at or datetime.now(UTC)
        )
        indication, sub, path, revocation = (
            outcome.indication,
            outcome.sub_indication,
            outcome.path,
            outcome.revocation,
        )
        if sub:
            reasons.append(explain(sub, outcome.reason))
    decision = decide_level(
        indication=indication,
        intact=intact,
        path=path,
        signing_time=claimed,
        trust=options.trust,
        indeterminate_reason=reasons[0] if reasons else None,
        signer_cert=leaf,
    )
    reasons += [r for r in decision.reasons if r not in reasons]
    verdict = SignatureVerdict(
        field=None,
        indication=indication,  # type: ignore[arg-type]
        sub_indication=sub,
        level=decision.level,  # type: ignore[arg-type]
        baseline=baseline,  # type: ignore[arg-type]
        signer=SignerInfo(
            subject=leaf.subject.human_friendly,
            issuer=leaf.issuer.human_friendly,
            serial=format(leaf.serial_number, "x"),
        ),
        signing_time=claimed,
        proven_time=None,
        trust=TrustInfo(
            ams=decision.ams,
            service=decision.service,
            status=decision.status,
            recognised_in=options.trust.ams,
            legal_term=legal_term(options.trust.ams or decision.ams, decision.level),
        ),
        revocation=RevocationInfo(
            status=revocation,  # type: ignore[arg-type]
            source="online" if options.online else "none",
        ),
        coverage="ENTIRE_FILE",
        modifications=None,
        warnings=warnings + list(decision.warnings),
        reasons=reasons,
    )
    return FileReport(file=name, format=fmt, signatures=[verdict])  # type: ignore[arg-type]
