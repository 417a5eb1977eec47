"""CMS signatures: CAdES (ETSI EN 319 122-1) baseline B-B, B-T, B-LT and B-LTA.

Enveloping (``.p7m``) or detached (``.p7s``; the signed file given with ``--data``, or found next
to the signature as ``FILE`` for ``FILE.p7s``). DER, BER (indefinite lengths, as some signers
write) and PEM/base64 input. Every SignerInfo gets a verdict, and so does every
counter-signature (EN 319 122-1, 5.2.7) inside them.

The signature value and the signed attributes are checked with pyHanko's CMS integrity check;
the signature time stamp is validated over the signature value (``proven_time``); the
certificates and revocation data the SignedData carries (``certificates``, ``crls`` with CRLs and
OCSP responses, or the ``certificate-values``/``revocation-values`` attributes) feed the path
validation of the common conclusion (:mod:`.other_formats`).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from asn1crypto import cms, core, crl, ocsp, pem, x509
from pyhanko.sign.validation import errors as val_errors
from pyhanko.sign.validation.generic_cms import extract_self_reported_ts, validate_sig_integrity
from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator, SignatureValidationContext

from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.other_formats import (
    Check,
    DetachedData,
    check_timestamp,
    finish,
    key_algorithm,
    read_source,
)
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.verdicts import digest_slot_problem, normalise_plain_ecdsa

__all__ = ["cms_checks", "load_cms", "validate_cms"]

_ARCHIVE_TS = {"archive_time_stamp_v3", "1.2.840.113549.1.9.16.2.48", "1.2.840.113549.1.9.16.2.27"}


def load_cms(data: bytes) -> cms.ContentInfo:
    """A CMS signed-data object from DER, BER, PEM or bare base64."""
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    elif data.lstrip().startswith(b"MI"):  # base64 without PEM armour
        data = base64.b64decode(b"".join(data.split()), validate=True)
    info = cms.ContentInfo.load(data)
    if info["content_type"].native != "signed_data":
        raise ValueError(f"a CMS {info['content_type'].native}, not signed data")
    signed = info["content"]
    if not len(signed["signer_infos"]):
        raise ValueError("a CMS signed-data object without any SignerInfo")
    _ = signed["signer_infos"][0]["sid"]  # force parsing of what we need
    return info


def _attr_values(attrs: object, name: str) -> list[object]:
    if not isinstance(attrs, cms.CMSAttributes):
        return []
    out: list[object] = []
    for a in attrs:
        if a["type"].native == name or a["type"].dotted == name:
            out.extend(a["values"])
    return out


def _find_cert(sid: cms.SignerIdentifier, certs: list[x509.Certificate]) -> x509.Certificate | None:
    chosen = sid.chosen
    for c in certs:
        if sid.name == "issuer_and_serial_number":
            if c.issuer == chosen["issuer"] and c.serial_number == chosen["serial_number"].native:
                return c
        elif c.key_identifier == chosen.native:
            return c
    return None


def _revocation(
    signed: cms.SignedData, si: cms.SignerInfo
) -> tuple[list[crl.CertificateList], list[ocsp.OCSPResponse], list[x509.Certificate]]:
    crls: list[crl.CertificateList] = []
    ocsps: list[ocsp.OCSPResponse] = []
    certs: list[x509.Certificate] = []
    for choice in signed["crls"] or []:
        if choice.name == "crl":
            crls.append(choice.chosen)
        elif choice.name == "other":
            fmt = choice.chosen["other_rev_info_format"].native
            info = choice.chosen["other_rev_info"]
            if fmt in ("ocsp_response", "1.3.6.1.5.5.7.16.2"):
                ocsps.append(ocsp.OCSPResponse.load(info.dump()))
    for rv in _attr_values(si["unsigned_attrs"], "revocation_values"):
        for c in rv["crl_vals"] or []:  # type: ignore[index]
            crls.append(c)
        for b in rv["ocsp_vals"] or []:  # type: ignore[index]
            ocsps.append(
                ocsp.OCSPResponse(
                    {
                        "response_status": "successful",
                        "response_bytes": {"response_type": "basic_ocsp_response", "response": b},
                    }
                )
            )
    for cv in _attr_values(si["unsigned_attrs"], "certificate_values"):
        certs.extend(cv)  # type: ignore[arg-type]
    return crls, ocsps, certs


def _baseline(si: cms.SignerInfo, has_revocation: bool) -> str | None:
    signed = {a["type"].native for a in si["signed_attrs"] or []}
    if not signed & {"signing_certificate_v2", "signing_certificate"}:
        return None
    unsigned = {a["type"].native for a in si["unsigned_attrs"] or []} | {
        a["type"].dotted for a in si["unsigned_attrs"] or []
    }
    if "signature_time_stamp_token" not in unsigned:
        return "B-B"
    if not has_revocation:
        return "B-T"
    return "B-LTA" if unsigned & _ARCHIVE_TS else "B-LT"


async def _check_signer(
    si: cms.SignerInfo,
    *,
    digest_of: dict[str, bytes] | None,
    content: bytes | None,
    content_type: str,
    certs: list[x509.Certificate],
    signed: cms.SignedData,
    options: ValidationOptions,
    label: str | None,
    counter_of: bytes | None = None,
) -> list[Check]:
    crls, ocsps, extra = _revocation(signed, si)
    all_certs = certs + [c for c in extra if c not in certs]
    check = Check(label=label, crls=crls, ocsps=ocsps, claimed=extract_self_reported_ts(si))
    check.baseline = _baseline(si, bool(crls or ocsps))
    slot = digest_slot_problem(si)
    if slot:
        check.fail("TOTAL-FAILED", "FORMAT_FAILURE", slot, intact=False)
        return [check]
    signature = si["signature"].native  # as signed: time stamps and counter-signatures cover it
    plain = normalise_plain_ecdsa(si)
    if plain:
        check.warnings.append(plain)
    md = si["digest_algorithm"]["algorithm"].native
    check.algorithms.append((md, None))
    cert = _find_cert(si["sid"], all_certs)
    if cert is None:
        check.fail("INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", None)
        return [check]
    check.leaf = cert
    check.chain = [c for c in all_certs if c.sha256 != cert.sha256]
    check.algorithms.append(key_algorithm(cert))
    if counter_of is not None:
        actual = hashlib.new(md, counter_of).digest()
    elif digest_of is not None and md in digest_of:
        actual = digest_of[md]
    else:
        actual = hashlib.new(md, content or b"").digest()
    try:
        if counter_of is None:
            intact, valid = validate_sig_integrity(si, cert, content_type, actual)
        else:
            intact, valid = _counter_integrity(si, cert, actual)
    except val_errors.SignatureValidationError as exc:
        sub = getattr(exc.ades_subindication, "standard_name", None) or "FORMAT_FAILURE"
        indication = (
            "INDETERMINATE"
            if sub in ("NO_SIGNING_CERTIFICATE_FOUND", "GENERIC")
            else "TOTAL-FAILED"
        )
        check.fail(indication, sub, exc.failure_message, intact=False)
        return [check]
    except Exception:
        check.fail(
            "TOTAL-FAILED", "FORMAT_FAILURE", "the SignerInfo cannot be processed", intact=False
        )
        return [check]
    if not intact:
        what = "the signed content" if counter_of is None else "the counter-signed signature value"
        check.fail(
            "TOTAL-FAILED",
            "HASH_FAILURE",
            f"{what} does not match the message-digest attribute",
            intact=False,
        )
    elif not valid:
        check.fail("TOTAL-FAILED", "SIG_CRYPTO_FAILURE", None, intact=False)
    out = [check]
    if check.indication != "TOTAL-FAILED":
        for token in _attr_values(si["unsigned_attrs"], "signature_time_stamp_token"):
            outcome = await check_timestamp(token, signature, options, check=check)  # type: ignore[arg-type]
            if outcome.ok and outcome.time is not None:
                if check.proven is None or outcome.time < check.proven:
                    check.proven = outcome.time
            else:
                check.warnings.append(outcome.reason or "signature time stamp not valid")
        if check.baseline in ("B-T", "B-LT", "B-LTA") and check.proven is None:
            check.warnings.append("no valid signature time stamp: nothing proves the signing time")
        for name in sorted(_ARCHIVE_TS):
            for token in _attr_values(si["unsigned_attrs"], name):
                outcome = await check_timestamp(
                    token,
                    b"",
                    options,
                    what="archive time stamp",
                    imprint=False,  # type: ignore[arg-type]
                )
                if not outcome.ok:
                    check.warnings.append(outcome.reason or "archive time stamp not valid")
                else:
                    check.warnings.append(
                        "archive time stamp validated (authority and signature); what it covers"
                        " (ATSHashIndex) is not recomputed"
                    )
    for i, counter in enumerate(_attr_values(si["unsigned_attrs"], "counter_signature")):
        out += await _check_signer(
            counter,  # type: ignore[arg-type]
            digest_of=None,
            content=None,
            content_type=content_type,
            certs=all_certs,
            signed=signed,
            options=options,
            label=f"{label or 'signer'}, counter-signature {i + 1}",
            counter_of=signature,
        )
    return out


def _counter_integrity(
    si: cms.SignerInfo, cert: x509.Certificate, actual: bytes
) -> tuple[bool, bool]:
    """A counter-signature signs the parent's signature value (RFC 5652, 11.4): no content type."""
    attrs = si["signed_attrs"]
    digests = _attr_values(attrs, "message_digest")
    if len(digests) != 1:
        raise val_errors.SignatureValidationError(
            "counter-signature without one message-digest attribute",
            ades_subindication=val_errors.AdESFailure.FORMAT_FAILURE,  # type: ignore[attr-defined]
        )
    try:
        DefaultSignatureValidator().validate_signature(
            si["signature"].native,
            attrs.untag().dump(),
            cert.public_key,
            si["signature_algorithm"],
            context=SignatureValidationContext(
                contextual_md_algorithm=si["digest_algorithm"]["algorithm"].native
            ),
        )
        valid = True
    except Exception:
        valid = False
    return digests[0].native == actual, valid  # type: ignore[attr-defined]


def _detached_content(
    source: Path | bytes, data: DetachedData | None, name: str
) -> tuple[bytes | None, str | None]:
    """The content of a detached CMS: the one ``--data`` file, or the one named like the
    signature without its ``.p7s``/``.sig`` suffix, or that file next to the signature."""
    stem = Path(name).name
    for suffix in (".p7s", ".sig", ".P7S"):
        stem = stem.removesuffix(suffix)
    if data:
        if len(data) == 1:
            only = next(iter(data.items()))
            return only[1], only[0]
        if stem in data:
            return data[stem], stem
        return None, None
    if isinstance(source, Path) and source.suffix.lower() in (".p7s", ".sig"):
        sibling = source.with_suffix("")
        if sibling.is_file():
            return sibling.read_bytes(), sibling.name
    return None, None


async def cms_checks(
    raw: bytes,
    options: ValidationOptions,
    *,
    content: bytes | None = None,
    content_name: str | None = None,
) -> tuple[list[Check], list[str]]:
    """The checks of every signer of a CMS (``content``: the data of a detached signature).
    Raises ValueError when the bytes are not a CMS signed-data object or the content is missing."""
    notes: list[str] = []
    try:
        info = load_cms(raw)
    except Exception as exc:
        raise ValueError(f"not a CMS signed-data object ({exc})") from exc
    signed: cms.SignedData = info["content"]
    encap = signed["encap_content_info"]
    content_type = encap["content_type"].native
    inner = encap["content"]
    embedded: bytes | None = None if isinstance(inner, core.Void) else inner.native
    if embedded is not None:
        content, coverage = embedded, "the encapsulated content"
    elif content is None:
        raise ValueError(
            "a detached signature without its content (give it with --data; with several"
            " --data files, the content of FILE.p7s is the one named FILE)"
        )
    else:
        coverage = f"detached file {content_name}"
        notes.append(f"detached signature over {content_name}")
    certs = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
    checks: list[Check] = []
    many = len(signed["signer_infos"]) > 1
    for i, si in enumerate(signed["signer_infos"]):
        for c in await _check_signer(
            si,
            digest_of=None,
            content=content,
            content_type=content_type,
            certs=certs,
            signed=signed,
            options=options,
            label=f"signer {i + 1}" if many else None,
        ):
            if c.coverage == "ENTIRE_FILE":
                c.coverage = coverage if "counter" not in (c.label or "") else "the signature value"
            checks.append(c)
    if many:
        notes.append(f"{len(signed['signer_infos'])} parallel signatures")
    return checks, notes


async def validate_cms(
    source: Path | bytes,
    options: ValidationOptions,
    *,
    name: str,
    data: DetachedData | None = None,
) -> FileReport:
    raw = read_source(source)
    content, fname = _detached_content(source, data, name)
    try:
        checks, notes = await cms_checks(raw, options, content=content, content_name=fname)
    except ValueError as exc:
        return FileReport(file=name, format="CAdES", error=f"cannot read: {exc}")
    return await finish(checks, options, name=name, fmt="CAdES", notes=notes)
