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

from eauth_toolkit.signatures.models import FileReport, Indication, SignatureVerdict, SubIndication
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.verdicts import (
    Checks,
    build_verdict,
    digest_slot_problem,
    per_signer,
    unreadable_verdict,
)

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
    if not len(info["content"]["signer_infos"]):  # force parsing of what we need
        raise ValueError("no SignerInfo")
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
    signers = per_signer(signed_data)
    if len(signers) > 1:
        notes.append(f"{len(signers)} SignerInfos: each is validated on its own")
    verdicts = []
    for one in signers:
        signer_info = one["signer_infos"][0]
        raw_digest: bytes | None = None
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
                note = f"detached signature over {content_path.name}"
                if note not in notes:
                    notes.append(note)
            except (OSError, ValueError) as exc:
                return FileReport(
                    file=name,
                    format="CAdES",
                    error=f"cannot read the signed content {content_path}: {exc}",
                )
        verdicts.append(await _one_signer(one, signer_info, raw_digest, options))
    return FileReport(file=name, format="CAdES", signatures=verdicts, notes=notes)


async def _one_signer(
    signed_data: cms.SignedData,
    signer_info: cms.SignerInfo,
    raw_digest: bytes | None,
    options: ValidationOptions,
) -> SignatureVerdict:
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
        slot = digest_slot_problem(signer_info)
        return unreadable_verdict(
            None,
            SubIndication.FORMAT_FAILURE,
            slot or "the CMS signature could not be processed",
            indication=Indication.TOTAL_FAILED if slot else Indication.INDETERMINATE,
            detail=f"{type(exc).__name__}: {exc}",
        )
    status = res.api_status
    indication = _STATUS[res.ades_subindic.status]
    cert = getattr(status, "signing_cert", None)
    ts = getattr(status, "timestamp_validity", None)
    checks = Checks(
        indication=indication,
        sub_indication=None if indication == "TOTAL-PASSED" else res.ades_subindic,
        detail=res.failure_msg,
        intact=bool(status and status.intact and status.valid),
        signer_cert=cert,
        path=getattr(status, "validation_path", None),
        signing_time=extract_self_reported_ts(signer_info),
        proven_time=ts.timestamp if ts is not None and ts.intact and ts.valid else None,
        baseline=_baseline(signer_info),
        revocation_source="online" if options.online else "none",
        coverage="ENTIRE_FILE" if raw_digest is None else "DETACHED_CONTENT",
    )
    return build_verdict(checks, options.trust)
