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
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import algos, cms, core, crl, ocsp, pem, x509
from pyhanko.sign.validation import errors as val_errors
from pyhanko.sign.validation.generic_cms import extract_self_reported_ts, validate_sig_integrity
from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator, SignatureValidationContext

from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.other_formats import (
    Check,
    DetachedData,
    archive_poe,
    finish,
    key_algorithm,
    read_source,
    signature_timestamp,
)
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.verdicts import digest_slot_problem, normalise_plain_ecdsa

__all__ = [
    "ATSHashIndexV3",
    "ats_hash_index_v3",
    "ats_v3_input",
    "cms_checks",
    "load_cms",
    "validate_cms",
]

#: archive-time-stamp-v3 (EN 319 122-1, 5.5.3) and the older archive time stamps (RFC 5126)
ATS_V3 = "0.4.0.1733.2.4"
#: ats-hash-index-v3, an unsigned attribute of the archive time-stamp token (EN 319 122-1, 5.5.2)
ATS_HASH_INDEX_V3 = "0.4.0.19122.1.5"
_ARCHIVE_TS = {ATS_V3, "1.2.840.113549.1.9.16.2.48", "1.2.840.113549.1.9.16.2.27"}


class _Hashes(core.SequenceOf):
    _child_spec = core.OctetString


class _AnySequence(core.SequenceOf):
    _child_spec = core.Any


@dataclass(frozen=True)
class ATSHashIndexV3:
    """ATSHashIndexV3 (EN 319 122-1, 5.5.2): what an archive-time-stamp-v3 covers of the
    certificates, revocation data and unsigned attributes, one hash each. Its first field,
    hashIndAlgorithm, DEFAULT sha256, is a SEQUENCE like the others, so it is told apart by
    the number of fields."""

    algorithm: str
    certificates: list[bytes]
    crls: list[bytes]
    unsigned_attrs: list[bytes]

    @classmethod
    def load(cls, der: bytes) -> ATSHashIndexV3:
        fields = list(_AnySequence.load(der))
        algo = "sha256"
        if len(fields) == 4:
            algo = algos.DigestAlgorithm.load(fields.pop(0).dump())["algorithm"].native
        if len(fields) != 3:
            raise ValueError("ATSHashIndexV3 with a wrong number of fields")
        certs, crls, attrs = (_Hashes.load(f.dump()).native for f in fields)
        return cls(algo, certs, crls, attrs)

    def dump(self) -> bytes:
        parts = (
            []
            if self.algorithm == "sha256"
            else [algos.DigestAlgorithm({"algorithm": self.algorithm}).dump()]
        )
        parts += [_Hashes(v).dump() for v in (self.certificates, self.crls, self.unsigned_attrs)]
        body = b"".join(parts)
        return core.Sequence.load(b"\x30" + _der_length(len(body)) + body).dump()


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _attr_octets(attr: cms.CMSAttribute) -> bytes:
    """An unsigned attribute as ATSHashIndexV3 hashes it: attrType, then each of attrValues."""
    return attr["type"].dump() + b"".join(v.dump() for v in attr["values"])


def _index_parts(
    signed: cms.SignedData, si: cms.SignerInfo, algo: str
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    def h(octets: bytes) -> bytes:
        return hashlib.new(algo, octets).digest()

    return (
        [h(c.dump()) for c in signed["certificates"] or []],
        [h(c.dump()) for c in signed["crls"] or []],
        [h(_attr_octets(a)) for a in si["unsigned_attrs"] or []],
    )


def ats_hash_index_v3(
    signed: cms.SignedData, si: cms.SignerInfo, algo: str = "sha256"
) -> ATSHashIndexV3:
    """The ATSHashIndexV3 of the signature as it is now (to time-stamp it)."""
    return ATSHashIndexV3(algo, *_index_parts(signed, si, algo))


def ats_v3_input(
    signed: cms.SignedData, si: cms.SignerInfo, index: ATSHashIndexV3, content: bytes, algo: str
) -> bytes:
    """What an archive-time-stamp-v3's message imprint is computed over (EN 319 122-1, 5.5.3):
    the eContentType, the hash of the signed content, the SignerInfo's version, sid,
    digestAlgorithm, signedAttrs, signatureAlgorithm and signature, and the ATSHashIndexV3."""
    fields = (
        "version",
        "sid",
        "digest_algorithm",
        "signed_attrs",
        "signature_algorithm",
        "signature",
    )
    return (
        signed["encap_content_info"]["content_type"].dump()
        + hashlib.new(algo, content).digest()
        + b"".join(si[f].dump() for f in fields)
        + index.dump()
    )


def _archive_v3(
    token: cms.ContentInfo, signed: cms.SignedData, si: cms.SignerInfo, content: bytes
) -> tuple[bytes | None, str | None]:
    """The imprint input of an archive-time-stamp-v3, or why what it covers no longer matches:
    every certificate, revocation value and unsigned attribute its ATSHashIndexV3 lists must
    still be in the signature unchanged (added ones are allowed: later validation data)."""
    try:
        tsi = token["content"]["signer_infos"][0]
        algo = (
            token["content"]["encap_content_info"]["content"]
            .parsed["message_imprint"]["hash_algorithm"]["algorithm"]
            .native
        )
        found = _attr_values(tsi["unsigned_attrs"], ATS_HASH_INDEX_V3)
        if len(found) != 1:
            return None, "archive-time-stamp-v3 without one ats-hash-index-v3 attribute"
        index = ATSHashIndexV3.load(found[0].dump())  # type: ignore[attr-defined]
        certs, crls, attrs = _index_parts(signed, si, index.algorithm)
    except Exception as exc:
        return (
            None,
            f"archive-time-stamp-v3: ats-hash-index-v3 cannot be read ({type(exc).__name__})",
        )
    for label, listed, present in (
        ("certificate", index.certificates, certs),
        ("revocation value", index.crls, crls),
        ("unsigned attribute", index.unsigned_attrs, attrs),
    ):
        missing = [h for h in listed if h not in present]
        if missing:
            return None, (
                f"the archive time stamp no longer matches the signature: {len(missing)}"
                f" {label}(s) it covers changed or removed after archiving (ats-hash-index-v3)"
            )
    return ats_v3_input(signed, si, index, content, algo), None


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
        archives: list[tuple[bytes | cms.ContentInfo, bytes | None]] = []
        for name in sorted(_ARCHIVE_TS):
            for value in _attr_values(si["unsigned_attrs"], name):
                try:  # an unknown attribute type leaves its value unparsed
                    token = cms.ContentInfo.load(value.dump())  # type: ignore[attr-defined]
                except ValueError:
                    check.warnings.append("an archive time stamp cannot be read")
                    continue
                if name != ATS_V3 or counter_of is not None:
                    archives.append((token, None))  # type: ignore[arg-type]
                    continue
                imprint, problem = _archive_v3(token, signed, si, content or b"")  # type: ignore[arg-type]
                if problem is not None:
                    check.warnings.append(problem)
                else:
                    archives.append((token, imprint))  # type: ignore[arg-type]
        poe = await archive_poe(archives, options, check) if archives else None
        for token in _attr_values(si["unsigned_attrs"], "signature_time_stamp_token"):
            await signature_timestamp(token, signature, options, check, poe)  # type: ignore[arg-type]
        if check.baseline in ("B-T", "B-LT", "B-LTA") and check.proven is None:
            check.warnings.append("no valid signature time stamp: nothing proves the signing time")
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
