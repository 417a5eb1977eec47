"""CMS signatures (CAdES): detached ``.p7s`` next to the signed file, or enveloping ``.p7m``.

Validation goes through pyHanko's AdES engine for generic CMS: the basic process (EN 319 102-1,
5.3) for a signature without time stamp, the process with time (5.5) when a signature time stamp
is attached. A detached signature's content is the file of the same name without ``.p7s``.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from asn1crypto import cms, pem
from pyhanko.sign.ades.report import AdESStatus
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

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

__all__ = ["validate_cms"]

_STATUS = {
    AdESStatus.PASSED: "TOTAL-PASSED",
    AdESStatus.FAILED: "TOTAL-FAILED",
    AdESStatus.INDETERMINATE: "INDETERMINATE",
}


def _load(data: bytes) -> cms.ContentInfo:
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    elif data.lstrip().startswith(b"MI"):  # base64 without PEM armour
        data = base64.b64decode(b"".join(data.split()), validate=True)
    info = cms.ContentInfo.load(data)
    if info["content_type"].native != "signed_data":
        raise ValueError(f"a CMS {info['content_type'].native}, not signed data")
    _ = info["content"]["signer_infos"][0]  # force parsing of what we need
    return info


def _baseline(signer_info: cms.SignerInfo) -> str | None:
    signed = {a["type"].native for a in signer_info["signed_attrs"]}
    if not signed & {"signing_certificate_v2", "signing_certificate"}:
        return None
    unsigned = {a["type"].native for a in (signer_info["unsigned_attrs"] or [])}
    level = "B-B"
    if "signature_time_stamp_token" in unsigned:
        level = "B-T"
        if {"certificate_values", "revocation_values"} <= unsigned:
            level = "B-LT"
            if unsigned & {"archive_time_stamp_v3", "1.2.840.113549.1.9.16.2.48"}:
                level = "B-LTA"
    return level


async def validate_cms(
    source: Path | bytes, options: ValidationOptions, *, name: str
) -> FileReport:
    notes: list[str] = []
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
        info = _load(data)
    except OSError as exc:
        return FileReport(file=name, format=None, error=f"cannot read: {exc.strerror}")
    except Exception as exc:
        return FileReport(
            file=name, format="CAdES", error=f"cannot read: not a CMS signed-data object ({exc})"
        )
    signed_data: cms.SignedData = info["content"]
    content = signed_data["encap_content_info"]["content"]
    raw_digest: bytes | None = None
    signer_info = signed_data["signer_infos"][0]
    if content.native is None:  # detached
        if not isinstance(source, Path) or source.suffix.lower() not in (".p7s", ".sig"):
            return FileReport(
                file=name,
                format="CAdES",
                error="cannot read: detached signature without its content (name it FILE.p7s)",
            )
        content_path = source.with_suffix("")
        try:
            digest_alg = signer_info["digest_algorithm"]["algorithm"].native
            h = hashlib.new(digest_alg)
            with open(content_path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            raw_digest = h.digest()
            notes.append(f"detached signature over {content_path.name}")
        except (OSError, ValueError) as exc:
            return FileReport(
                file=name,
                format="CAdES",
                error=f"cannot read the signed content {content_path}: {exc}",
            )
    timing = options.timing()
    spec = options.spec().signature_validation_spec
    unsigned = {a["type"].native for a in (signer_info["unsigned_attrs"] or [])}
    res: Any
    try:
        if "signature_time_stamp_token" in unsigned:
            res = await ades.ades_with_time_validation(
                signed_data, spec, timing_info=timing, raw_digest=raw_digest
            )
        else:
            res = await ades.ades_basic_validation(
                signed_data, spec, timing_info=timing, raw_digest=raw_digest
            )
    except Exception as exc:
        return FileReport(
            file=name,
            format="CAdES",
            notes=notes,
            signatures=[
                SignatureVerdict(
                    field=None, indication="INDETERMINATE", sub_indication="GENERIC", level=None, baseline=None,
                    signer=None, signing_time=None, proven_time=None,
                    trust=TrustInfo(ams=None, service=None, status="not evaluated"),
                    revocation=RevocationInfo(status="unknown", source="none"), coverage=None, modifications=None,
                    reasons=[f"could not evaluate: {type(exc).__name__}: {exc}"],
                )
            ],
        )  # fmt: skip
    status = res.api_status
    indication = _STATUS[res.ades_subindic.status]
    sub = None if indication == "TOTAL-PASSED" else res.ades_subindic.standard_name
    reasons = [explain(sub, res.failure_msg)] if sub else []
    cert = getattr(status, "signing_cert", None)
    ts = getattr(status, "timestamp_validity", None)
    proven = ts.timestamp if ts is not None and ts.intact and ts.valid else None
    claimed = extract_self_reported_ts(signer_info)
    decision = decide_level(
        indication=indication,
        intact=bool(status and status.intact and status.valid),
        path=getattr(status, "validation_path", None),
        signing_time=proven or claimed,
        trust=options.trust,
        indeterminate_reason=reasons[0] if reasons else None,
        signer_cert=cert,
    )
    reasons += [r for r in decision.reasons if r not in reasons]
    revoked = sub in ("REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE")
    verdict = SignatureVerdict(
        field=None,
        indication=indication,  # type: ignore[arg-type]
        sub_indication=sub,
        level=decision.level,  # type: ignore[arg-type]
        baseline=_baseline(signer_info),  # type: ignore[arg-type]
        signer=None
        if cert is None
        else SignerInfo(
            subject=cert.subject.human_friendly,
            issuer=cert.issuer.human_friendly,
            serial=format(cert.serial_number, "x"),
        ),
        signing_time=claimed,
        proven_time=proven,
        trust=TrustInfo(
            ams=decision.ams,
            service=decision.service,
            status=decision.status,
            recognised_in=options.trust.ams,
            legal_term=legal_term(options.trust.ams or decision.ams, decision.level),
        ),
        revocation=RevocationInfo(
            status="revoked"
            if revoked
            else ("good" if indication == "TOTAL-PASSED" else "unknown"),
            source="online" if options.online else "none",
        ),
        coverage="ENTIRE_FILE" if raw_digest is None else "DETACHED_CONTENT",
        modifications=None,
        warnings=list(decision.warnings),
        reasons=reasons,
    )
    return FileReport(file=name, format="CAdES", signatures=[verdict], notes=notes)
