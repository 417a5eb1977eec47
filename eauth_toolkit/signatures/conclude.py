"""The common end of the JAdES and XAdES validations: once the signature value has been checked,
validate the signer's certificate path and build the file report through :mod:`.verdicts`."""

from __future__ import annotations

from datetime import datetime

from asn1crypto import x509

from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.verdicts import Checks, build_verdict, validate_path

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
    only when that passed. ``reasons`` are extra plain sentences (the builder adds the one for
    the sub-indication)."""
    checks = Checks(
        indication=indication,
        sub_indication=sub,
        intact=intact,
        signer_cert=leaf,
        signing_time=claimed,
        baseline=baseline,
        coverage="ENTIRE_FILE",
        warnings=list(warnings),
        reasons=list(reasons),
    )
    checks = await validate_path(checks, chain, options)
    verdict = build_verdict(checks, options.trust)
    return FileReport(file=name, format=fmt, signatures=[verdict])  # type: ignore[arg-type]
