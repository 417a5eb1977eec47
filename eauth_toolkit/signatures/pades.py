"""PAdES (PDF) signatures: ETSI EN 319 102-1 verdicts through pyHanko's AdES LTA validation.

For each signature in a PDF this module runs ``pyhanko.sign.validation.ades.ades_lta_validation``
(the long-term validation process, which also covers basic and with-time validation), then adds
what the AdES engine leaves to its caller: the baseline level the document actually supports,
the signature level against the AMS trust lists (:mod:`.levels`), and checks on what changed
after signing. Anything changed beyond what the signature permits fails the signature; form
filling that the signature does permit is still reported as a warning (the shadow "replace via
form field" attack relies on it being silent).
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from asn1crypto import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError, PdfStrictReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESStatus
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature, async_validate_pdf_timestamp
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    FreshnessReqType,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from eauth_toolkit.signatures import _speedups
from eauth_toolkit.signatures._aio import run_sync
from eauth_toolkit.signatures.indications import explain
from eauth_toolkit.signatures.levels import TrustSet
from eauth_toolkit.signatures.models import (
    BaselineLevel,
    Change,
    ChangeCategory,
    FileReport,
    Indication,
    SignatureVerdict,
    SubIndication,
)
from eauth_toolkit.signatures.pdf_changes import analyse_changes, fully_classified, judge
from eauth_toolkit.signatures.pdf_checks import (
    RecoveringReader,
    baseline_level,
    dss_entries,
    is_doc_timestamp,
    modification_findings,
    read_dss,
    recovery_note,
    repair_startxref,
    revocation_info,
    structure_problem,
    unaccounted_tail,
)
from eauth_toolkit.signatures.verdicts import (
    Checks,
    build_verdict,
    digest_slot_problem,
    normalise_plain_ecdsa,
    per_signer,
    sub_indication,
    unreadable_verdict,
)

__all__ = ["ValidationOptions", "explain", "validate_pdf", "validate_pdf_async", "etsi_report"]

log = logging.getLogger("eauth_toolkit.signatures")


#: how long after the proven signing time revocation data must be issued to count (none: any
#: data issued after that time shows the certificate was not revoked when it signed)
REVINFO_GRACE = timedelta(0)


@dataclass(frozen=True)
class ValidationOptions:
    """What a validation run trusts and when it validates; build once, reuse for a whole batch."""

    trust: TrustSet
    online: bool = False
    at: datetime | None = None
    _spec: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def spec(self) -> PdfSignatureValidationSpec:
        cached = self._spec.get("pdf")
        if cached is None:
            rule = RevocationCheckingRule.CHECK_IF_DECLARED
            cvp = CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=self.trust.anchors()),
                revinfo_policy=CertRevTrustPolicy(
                    RevocationCheckingPolicy(
                        ee_certificate_rule=rule, intermediate_ca_cert_rule=rule
                    ),
                    # EN 319 102-1, 5.2.5.4: revocation data issued after the time the signature
                    # is proven to exist is fresh enough, however long ago that was; embedded
                    # data therefore keeps a B-LT signature valid after its nextUpdate. A
                    # validation at a given past time (--at) judges the data as it stood then.
                    freshness_req_type=FreshnessReqType.DEFAULT
                    if self.at is not None
                    else FreshnessReqType.TIME_AFTER_SIGNATURE,
                    freshness=None if self.at is not None else REVINFO_GRACE,
                ),
            )
            fetching = (
                RevinfoOnlineFetchingRule.ALWAYS_FETCH
                if self.online
                else RevinfoOnlineFetchingRule.LOCAL_ONLY
            )
            cached = PdfSignatureValidationSpec(
                SignatureValidationSpec(
                    cert_validation_policy=cvp,
                    revinfo_gathering_policy=RevocationInfoGatheringSpec(
                        online_fetching_rule=fetching
                    ),
                )
            )
            self._spec["pdf"] = cached
        return cached

    def timing(self) -> ValidationTimingInfo:
        if self.at is None:
            return ValidationTimingInfo.now(tz=UTC)
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)
        return ValidationTimingInfo(
            validation_time=at, best_signature_time=at, point_in_time_validation=True
        )


# ----------------------------------------------------------------------------- reading


class _Unreadable(Exception):
    pass


class _ReadAgainLeniently(Exception):
    """Strict reading failed in the middle of a validation: start again in non-strict mode."""


def _unlock(reader: PdfFileReader, notes: list[str]) -> None:
    """Open an encrypted document with the empty user password (as every viewer does)."""
    if not reader.encrypted:
        return
    try:
        result = reader.decrypt(b"")
    except Exception as exc:
        raise _Unreadable(f"encrypted, and the empty password does not open it ({exc})") from None
    if getattr(result, "status", None) is not None and result.status.name == "FAILED":
        raise _Unreadable("encrypted with a user password; it cannot be opened without it")
    notes.append("the document is encrypted; opened with the empty user password")


def _open_reader(stream: IO[bytes], *, strict: bool = True) -> tuple[PdfFileReader, list[str]]:
    """Strict parsing first; hybrid-reference or sloppy files are read again leniently, and we say so."""
    notes: list[str] = []
    if strict:
        try:
            reader = RecoveringReader(stream, strict=True)
            if reader.xrefs.hybrid_xrefs_present:
                raise PdfStrictReadError("hybrid cross-reference sections")
            _unlock(reader, notes)
            return reader, notes
        except PdfStrictReadError as exc:
            log.debug("strict reading failed", exc_info=exc)
            notes.append(
                "structural irregularity: strict reading refused the file "
                f"({_plain(exc)}); read again in non-strict mode"
            )
        except (
            PdfReadError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
            AttributeError,
            AssertionError,
        ) as exc:
            log.debug("strict reading failed", exc_info=exc)
            notes.append(
                "structural irregularity: strict reading failed "
                f"({_plain(exc)}); read again in non-strict mode"
            )
        except RecursionError:
            raise _Unreadable("the document structure is nested too deeply") from None
    stream.seek(0)
    try:
        reader = RecoveringReader(stream, strict=False)
        _unlock(reader, notes)
        return reader, notes
    except _Unreadable:
        raise
    except RecursionError:
        raise _Unreadable("the document structure is nested too deeply") from None
    except Exception as exc:
        log.debug("non-strict reading failed", exc_info=exc)
        raise _Unreadable(f"not a readable PDF ({_plain(exc)})") from exc


def _plain(exc: BaseException) -> str:
    """A short description of a reading problem, without internal object representations."""
    text = str(exc).split("\n")[0]
    text = re.sub(r"Reference\(idnum=(\d+), generation=(\d+)\)", r"object \1 \2", text)
    return text[:160] or type(exc).__name__


_SUBFILTERS = {"/adbe.pkcs7.detached", "/adbe.pkcs7.sha1", "/ETSI.CAdES.detached", "/ETSI.RFC3161"}


class _DocTimeStamp(EmbeddedPdfSignature):
    """A document time stamp whose dictionary does not say /Type /DocTimeStamp (missing, null or
    /Sig) but whose SubFilter is ETSI.RFC3161 or whose content is a time-stamp token."""

    @property
    def sig_object_type(self) -> Any:
        return generic.pdf_name("/DocTimeStamp")


def _classify_timestamps(reader: PdfFileReader, notes: list[str]) -> None:
    """Classify document time stamps by SubFilter and content, not by /Type (as DSS does)."""
    try:
        found = reader.embedded_signatures
    except Exception:
        return
    for esig in found:
        try:
            if type(esig) is EmbeddedPdfSignature and esig.sig_object_type != "/DocTimeStamp":
                if is_doc_timestamp(esig.sig_object):
                    esig.__class__ = _DocTimeStamp
                    notes.append(
                        f"'{esig.field_name}' is a document time stamp although its dictionary "
                        f"says /Type {esig.sig_object.get('/Type', '(missing)')}; "
                        "classified by its SubFilter and content"
                    )
        except Exception:
            log.debug("time stamp classification failed", exc_info=True)


class _OneSignerOf(EmbeddedPdfSignature):
    """One SignerInfo of a PDF signature whose CMS holds several (each is validated on its own,
    over the same byte ranges, as the EU's DSS does)."""

    def __init__(self, reader: PdfFileReader, sig_field: Any, fq_name: str, signed_data: Any):
        # the same state pyHanko's constructor sets up, with one SignerInfo's SignedData
        from pyhanko.sign.validation.pdf_embedded import extract_contents

        self.reader = reader
        self.sig_field = sig_field = sig_field.get_object()
        ref = sig_field.raw_get("/V")
        self.sig_object = ref.get_object()
        self.byte_range = self.sig_object.raw_get("/ByteRange")
        self.pkcs7_content = extract_contents(self.sig_object)
        self.signed_data = signed_data
        self.signer_info = signed_data["signer_infos"][0]
        self._sd_cert_info = None
        self.md_algorithm = self.signer_info["digest_algorithm"]["algorithm"].native.lower()
        self.external_md_algorithm = self.md_algorithm
        self.signed_revision = reader.xrefs.get_last_change(ref.reference)
        self.coverage = None
        self.external_digests = {}
        self._docmdp = None
        self._fieldmdp = None
        self._docmdp_queried = self._fieldmdp_queried = False
        self.tst_signature_digest = None
        self.diff_result = None
        self._integrity_checked = False
        self.fq_name = fq_name


def _several_signers(
    reader: PdfFileReader, sig_field: Any, name: str, obj: Any
) -> list[EmbeddedPdfSignature]:
    """One signature object per SignerInfo when the CMS of ``obj`` holds more than one."""
    from asn1crypto import cms

    try:
        contents = obj.get("/Contents")
        contents = getattr(contents, "raw_object", contents)
        signed_data = cms.ContentInfo.load(bytes(contents))["content"]
        if len(signed_data["signer_infos"]) < 2:
            return []
    except Exception:
        return []
    return [_OneSignerOf(reader, sig_field, name, sd) for sd in per_signer(signed_data)]


def _signatures(reader: PdfFileReader) -> list[EmbeddedPdfSignature | tuple[str, str]]:
    """Every filled signature field: a parsed signature, or ``(field, why it cannot be read)``.

    pyHanko's own collection drops signatures with an unknown SubFilter and stops at the first
    malformed one; here each field gets its own verdict, so nothing disappears silently.
    """
    try:
        # the reader's own objects, when it can build them all: the AdES engine then shares them
        engine = list(reader.embedded_regular_signatures)
        fields = [
            name
            for name, obj, _ in enumerate_sig_fields(reader, filled_status=True)
            if not is_doc_timestamp(obj.get_object())
        ]
        size = reader.stream.seek(0, io.SEEK_END)
        if len(engine) == len(fields) and all(
            structure_problem(e.sig_object, size) is None for e in engine
        ):
            return list(engine)
    except Exception:
        pass
    return _collect(reader, want_timestamps=False)


def _doc_timestamps(reader: PdfFileReader) -> list[EmbeddedPdfSignature | tuple[str, str]]:
    return _collect(reader, want_timestamps=True)


def _collect(
    reader: PdfFileReader, *, want_timestamps: bool
) -> list[EmbeddedPdfSignature | tuple[str, str]]:
    found: list[EmbeddedPdfSignature | tuple[str, str]] = []
    size = reader.stream.seek(0, io.SEEK_END)
    for name, sig_obj, sig_field in enumerate_sig_fields(reader, filled_status=True):
        try:
            obj = sig_obj.get_object()
            is_ts = is_doc_timestamp(obj)
            if is_ts != want_timestamps:
                continue
            subfilter = str(obj.get("/SubFilter", ""))
            if subfilter not in _SUBFILTERS:
                found.append((name, f"unsupported SubFilter {subfilter or '(missing)'}"))
                continue
            problem = structure_problem(obj, size)
            if problem:
                found.append((name, problem))
                continue
            several = _several_signers(reader, sig_field, name, obj)
            if several:
                found.extend(several)
                continue
            esig = EmbeddedPdfSignature(reader, sig_field, name)
            if is_ts and esig.sig_object_type != "/DocTimeStamp":
                esig.__class__ = _DocTimeStamp
            found.append(esig)
        except RecursionError:
            found.append((name, "structure nested too deeply"))
        except Exception as exc:
            log.debug("signature field %s cannot be read", name, exc_info=exc)
            found.append((name, "its CMS signature data cannot be parsed"))
    found.sort(key=lambda e: e.signed_revision if isinstance(e, EmbeddedPdfSignature) else 1 << 30)
    return found


# ----------------------------------------------------------------------------- per signature


def _tolerant_dss_knowledge(reader: PdfFileReader) -> Any:
    from pyhanko.sign.validation.policy_decl import LocalKnowledge
    from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

    certs, ocsps, crls, _ = dss_entries(reader)
    return LocalKnowledge(
        known_ocsps=[c for o in ocsps for c in OCSPContainer.load_multi(o)],
        known_crls=[CRLContainer(crl_data=c) for c in crls],
        known_certs=certs,
    )


def _knowledge(
    esig: EmbeddedPdfSignature, sig_spec: SignatureValidationSpec
) -> SignatureValidationSpec:
    """The policy plus what the document embeds (DSS and the signature's revocation attribute)."""
    try:
        dss = ades._dss_to_local_knowledge(reader=esig.reader)
    except PdfStrictReadError:
        raise
    except Exception:
        # one DSS entry pyHanko cannot read (e.g. unreachable, read as null): use the others
        dss = _tolerant_dss_knowledge(esig.reader)
    attr = ades._adobe_revinfo_archival_to_local_knowledge(esig)
    lk = sig_spec.local_knowledge
    certs = [*lk.known_certs, *dss.known_certs]
    ocsps = _without_siblings(
        esig, [*lk.known_ocsps, *dss.known_ocsps, *attr.known_ocsps], certs, sig_spec
    )
    knowledge = dataclasses.replace(
        lk,
        known_ocsps=ocsps,
        known_crls=[*lk.known_crls, *dss.known_crls, *attr.known_crls],
        known_certs=[*lk.known_certs, *dss.known_certs],
    )
    return dataclasses.replace(sig_spec, local_knowledge=knowledge)


def _chain_certificates(esig: EmbeddedPdfSignature, pool: list[Any]) -> list[Any]:
    """The signer's and its signature time stamp's certificates and their issuers, as far as
    the signature and the document carry them."""
    from asn1crypto import cms as asn1_cms
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    certs = [*pool, *(c.chosen for c in esig.signed_data["certificates"] or ())]
    starts = [esig.signer_cert]
    for tst in extract_tst_data_iter(esig.signer_info, signed=False):
        certs += [c.chosen for c in tst["certificates"] or ()]
        sid = tst["signer_infos"][0]["sid"]
        starts += [
            c
            for c in certs
            if isinstance(c, x509.Certificate)
            and isinstance(sid.chosen, asn1_cms.IssuerAndSerialNumber)
            and c.serial_number == sid.chosen["serial_number"].native
            and c.issuer == sid.chosen["issuer"]
        ]
    by_subject = {c.subject.sha256: c for c in certs if isinstance(c, x509.Certificate)}
    chain: list[Any] = []
    for cert in starts:
        while cert is not None and cert not in chain:
            chain.append(cert)
            cert = None if cert.self_signed else by_subject.get(cert.issuer.sha256)
    return chain


def _without_siblings(
    esig: EmbeddedPdfSignature, ocsps: list[Any], pool: list[Any], sig_spec: SignatureValidationSpec
) -> list[Any]:
    """The OCSP responses without those about other certificates of the same issuers as this
    signature's chain (another signer's certificate from the same CA, say). They never concern
    this signature, and pyHanko counts each as a failure beside a stale response, which turns a
    plain "not fresh, try with the time-stamp's time" into a general chain failure. Responses
    about any certificate of the chain, and about other issuers, are kept."""
    try:
        chain = _chain_certificates(esig, pool)
        by_subject = {c.subject.sha256: c for c in chain}
        trust = sig_spec.cert_validation_policy.trust_manager
        issued: dict[tuple[str, bytes], set[int]] = {}
        for cert in chain:
            keys = (
                [by_subject[cert.issuer.sha256].public_key]
                if cert.issuer.sha256 in by_subject
                else []
            )
            finder = getattr(trust, "find_potential_issuers", None)
            if finder is not None:
                keys += [a.authority.public_key for a in finder(cert)]
            for key_info in keys:
                for algo in ("sha1", "sha256"):
                    issued.setdefault((algo, getattr(key_info, algo)), set()).add(
                        cert.serial_number
                    )
        kept = []
        for container in ocsps:
            single = container.extract_single_response()
            if single is not None:
                cert_id = single["cert_id"]
                algo = cert_id["hash_algorithm"]["algorithm"].native
                serials = issued.get((algo, cert_id["issuer_key_hash"].native))
                if serials is not None and cert_id["serial_number"].native not in serials:
                    continue
            kept.append(container)
        return kept
    except Exception:  # noqa: BLE001 - an unusual structure: keep every response, as before
        log.debug("OCSP responses kept unfiltered", exc_info=True)
        return ocsps


def _has_signature_timestamp(esig: EmbeddedPdfSignature) -> bool:
    unsigned = esig.signer_info["unsigned_attrs"]
    return bool(unsigned) and any(
        a["type"].native == "signature_time_stamp_token" for a in unsigned
    )


def _timestamps_of(reader: PdfFileReader) -> list[EmbeddedPdfSignature]:
    """The document time stamps, also when another signature of the file cannot be parsed by
    pyHanko's own collection (which then gives none at all)."""
    try:
        return list(reader.embedded_timestamp_signatures)
    except Exception:
        return [t for t in _collect(reader, want_timestamps=True) if not isinstance(t, tuple)]


def _has_later_doc_timestamp(esig: EmbeddedPdfSignature) -> bool:
    return any(ts.signed_revision > esig.signed_revision for ts in _timestamps_of(esig.reader))


#: Run pyHanko's difference analysis for every signature, beside ours (as before; only the
#: benchmark sets it, to measure what skipping it saves).
PYHANKO_DIFF_ALWAYS = False


def _integrity(esig: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec) -> dict[str, Any]:
    """Coverage and difference analysis (computed once per signature). pyHanko's own difference
    analysis runs only when ours cannot sort every change into a category."""
    try:
        return esig.summarise_integrity_info()
    except SignatureValidationError:
        classified = fully_classified(_changes(esig, esig.reader))
        esig.compute_integrity_info(
            diff_policy=spec.diff_policy, skip_diff=classified and not PYHANKO_DIFF_ALWAYS
        )
        return esig.summarise_integrity_info()


def _as_lta(res: Any, best_time: datetime) -> ades.AdESLTAValidationResult:
    return ades.AdESLTAValidationResult(
        ades_subindic=res.ades_subindic,
        api_status=res.api_status,
        failure_msg=res.failure_msg,
        best_signature_time=getattr(res, "best_signature_time", best_time),
        signature_not_before_time=getattr(res, "signature_not_before_time", None),
        oldest_evidence_record_timestamp=None,
        signature_timestamp_status=None,
        validation_objects=res.validation_objects,
    )


async def _ades(
    esig: EmbeddedPdfSignature, options: ValidationOptions
) -> tuple[ades.AdESLTAValidationResult, bool]:
    """AdES validation of one PDF signature with the process that fits what it carries.

    - no time stamp at all (B-B): validation process for basic signatures (EN 319 102-1, 5.3);
    - a signature time stamp but no document time stamp after it (B-T, B-LT): validation with
      time (5.5), with the revocation data the document embeds;
    - document time stamps after it (B-LTA): the long-term process (5.6.3, pyHanko's LTA
      validation), whose evidence record is the chain of document time stamps. If that chain does
      not validate, the signature is judged on its own time evidence (5.5) and the broken time
      stamps are reported by the file-level checks.

    Returns the result and whether the evidence record (document time stamps) was validated.
    """
    spec = options.spec()
    timing = options.timing()
    sig_spec = spec.signature_validation_spec
    if _enveloped_content(esig) is not None:
        return await _enveloping(esig, sig_spec, timing), False
    has_archive = _has_later_doc_timestamp(esig)
    # coverage and (when ours cannot place every change) pyHanko's difference analysis; the LTA
    # process below recomputes integrity for every signature of the file, without the
    # difference analysis (a result computed here is kept)
    _integrity(esig, spec)
    if not has_archive and not _has_signature_timestamp(esig):
        basic = await ades.ades_basic_validation(
            esig.signed_data,
            _knowledge(esig, sig_spec),
            timing_info=timing,
            raw_digest=esig.compute_digest(),
        )
        basic = _with_pdf_status(basic, _integrity(esig, spec))
        return _as_lta(basic, timing.best_signature_time), False
    if not has_archive:
        return await _with_time(esig, sig_spec, spec, timing), False
    lta_spec = spec if PYHANKO_DIFF_ALWAYS else dataclasses.replace(spec, diff_policy=None)
    result = await ades.ades_lta_validation(esig, lta_spec, timing_info=timing)
    archived = result.oldest_evidence_record_timestamp is not None
    if result.ades_subindic.status != AdESStatus.INDETERMINATE:
        return result, archived
    # Indeterminate: either the archive time stamps did not validate, or the long-term process
    # gave up before its past-signature validation (pyHanko attempts that only after a plain
    # TRY_LATER, and revocation data of the file's other signers turns "not fresh" into a general
    # chain failure). Either way the signature is judged on its own time evidence (5.5), with the
    # revocation data issued after the time its time stamp proves.
    with_time = await _with_time(esig, sig_spec, spec, timing)
    return (with_time if with_time.ades_subindic.status == AdESStatus.PASSED else result), archived


#: SHA-1 as the digest of the signed bytes is accepted for signatures proven (or claimed, for
#: signatures without a time stamp) to exist before this time (a policy choice: SHA-1 collisions
#: were practical well before its 2017 public demonstration)
SHA1_ACCEPTED_UNTIL = datetime(2012, 1, 1, tzinfo=UTC)


def _byte_range_digest(esig: EmbeddedPdfSignature, algorithm: str) -> bytes:
    import hashlib

    h = hashlib.new(algorithm)
    stream = esig.reader.stream
    br = [int(v) for v in esig.byte_range]
    for start, length in ((br[0], br[1]), (br[2], br[3])):
        stream.seek(start)
        h.update(stream.read(length))
    return h.digest()


def _byte_range_bytes(esig: EmbeddedPdfSignature) -> bytes:
    stream = esig.reader.stream
    br = [int(v) for v in esig.byte_range]
    parts = []
    for start, length in ((br[0], br[1]), (br[2], br[3])):
        stream.seek(start)
        parts.append(stream.read(length))
    return b"".join(parts)


def _coverage_kwargs(esig: EmbeddedPdfSignature) -> dict[str, Any]:
    """Coverage of a signature pyHanko's integrity check does not handle (adbe.pkcs7.sha1)."""
    br = [int(v) for v in esig.byte_range]
    size = esig.reader.stream.seek(0, io.SEEK_END)
    end = br[2] + br[3]
    xrefs = esig.reader.xrefs
    ends = {xrefs.get_xref_container_info(r).end_location for r in range(xrefs.total_revisions)}
    if end == size:
        cov = SignatureCoverageLevel.ENTIRE_FILE
    elif end in ends or end + 1 in ends or end - 1 in ends:
        cov = SignatureCoverageLevel.ENTIRE_REVISION
    else:
        cov = SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START
    return {"coverage": cov, "diff_result": None, "docmdp_ok": None}


_DIGEST_BY_SIZE = {20: "sha1", 32: "sha256", 48: "sha384", 64: "sha512"}


def _enveloped_content(esig: EmbeddedPdfSignature) -> bytes | None:
    """The content an ``adbe.pkcs7.sha1`` signature, or an ``adbe.pkcs7.detached`` one written
    as an enveloping CMS, carries (None for a detached CMS)."""
    subfilter = str(esig.sig_object.get("/SubFilter", ""))
    if subfilter not in ("/adbe.pkcs7.sha1", "/adbe.pkcs7.detached"):
        return None
    eci = esig.signed_data["encap_content_info"]
    if eci["content_type"].native != "data":
        return None
    content = eci["content"].native
    return content if isinstance(content, bytes) else None


async def _enveloping(
    esig: EmbeddedPdfSignature,
    sig_spec: SignatureValidationSpec,
    timing: ValidationTimingInfo,
) -> ades.AdESLTAValidationResult:
    """A CMS that carries what it signs: ``adbe.pkcs7.sha1`` (the SHA-1 digest of the byte
    ranges) or an enveloping ``adbe.pkcs7.detached`` (a digest of the byte ranges, or the bytes
    themselves). The CMS is validated as an enveloping one, its content against the document,
    and SHA-1 is judged by the date the signature is known to exist (:data:`SHA1_ACCEPTED_UNTIL`)."""
    from pyhanko.sign.ades.report import AdESFailure

    knowledge = _knowledge(esig, sig_spec)
    res: Any
    if _has_signature_timestamp(esig):
        res = await ades.ades_with_time_validation(
            esig.signed_data,
            knowledge,
            timing_info=timing,
            extra_status_kwargs=_coverage_kwargs(esig),
            status_cls=PdfSignatureStatus,
        )
    else:
        res = await ades.ades_basic_validation(esig.signed_data, knowledge, timing_info=timing)
        res = _with_pdf_status(res, _coverage_kwargs(esig))
    result = _as_lta(res, timing.best_signature_time)
    content = _enveloped_content(esig) or b""
    sha1 = str(esig.sig_object.get("/SubFilter", "")) == "/adbe.pkcs7.sha1"
    algorithm = "sha1" if sha1 else _DIGEST_BY_SIZE.get(len(content))
    br = [int(v) for v in esig.byte_range]
    if algorithm is not None and content == _byte_range_digest(esig, algorithm):
        pass
    elif not sha1 and len(content) == br[1] + br[3] and content == _byte_range_bytes(esig):
        algorithm = None  # the signed bytes themselves
    else:
        return dataclasses.replace(
            result,
            ades_subindic=AdESFailure.HASH_FAILURE,
            failure_msg="the content the signature carries does not match the document",
        )
    if algorithm == "sha1" and result.ades_subindic.status == AdESStatus.PASSED:
        ts = getattr(result.api_status, "timestamp_validity", None)
        proven = ts.timestamp if ts is not None and ts.intact and ts.valid else None
        if (proven or timing.best_signature_time) >= SHA1_ACCEPTED_UNTIL:
            return dataclasses.replace(
                result,
                ades_subindic=AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
                failure_msg="SHA-1 digest of the document, and nothing proves the signature "
                f"existed before {SHA1_ACCEPTED_UNTIL:%Y-%m-%d}",
            )
    return result


def _with_pdf_status(basic: Any, pdf_facts: dict[str, Any]) -> Any:
    """The basic process returns a plain CMS status; add the PDF integrity facts to it."""
    st = basic.api_status
    if st is None:
        return basic
    kwargs = {f.name: getattr(st, f.name) for f in dataclasses.fields(st) if f.init}
    kwargs.update(pdf_facts)
    return dataclasses.replace(basic, api_status=PdfSignatureStatus(**kwargs))


async def _with_time(
    esig: EmbeddedPdfSignature,
    sig_spec: SignatureValidationSpec,
    spec: PdfSignatureValidationSpec,
    timing: ValidationTimingInfo,
) -> ades.AdESLTAValidationResult:
    knowledge = _knowledge(esig, sig_spec)

    async def run(at: ValidationTimingInfo) -> Any:
        return await ades.ades_with_time_validation(
            esig.signed_data,
            knowledge,
            timing_info=at,
            raw_digest=esig.compute_digest(),
            extra_status_kwargs=_integrity(esig, spec),
            status_cls=PdfSignatureStatus,
        )

    res = await run(timing)
    poe = getattr(res, "best_signature_time", None)
    if (
        res.ades_subindic == AdESIndeterminate.TRY_LATER
        and poe is not None
        and poe < timing.best_signature_time
    ):
        # The signature time stamp validated and proves the signature existed at ``poe``;
        # revocation data issued after that time is what EN 319 102-1 (5.5) asks for, so the
        # certificate is validated again with that proof of existence.
        res = await run(
            ValidationTimingInfo(
                validation_time=timing.validation_time,
                best_signature_time=poe,
                point_in_time_validation=timing.point_in_time_validation,
            )
        )
    return _as_lta(res, timing.best_signature_time)


async def _one(
    esig: EmbeddedPdfSignature, reader: PdfFileReader, options: ValidationOptions
) -> tuple[SignatureVerdict, ades.AdESLTAValidationResult | None]:
    field_name = None
    try:
        field_name = esig.field_name
    except Exception:
        field_name = None
    try:
        signer_cert: x509.Certificate | None = esig.signer_cert
    except Exception:
        signer_cert = None
    plain_note = None
    try:
        plain_note = normalise_plain_ecdsa(esig.signer_info)
    except Exception as exc:
        log.debug("plain ECDSA conversion failed", exc_info=exc)
    try:
        result, _archive_ok = await _ades(esig, options)
    except PdfStrictReadError as exc:
        if reader.strict:
            raise _ReadAgainLeniently(_plain(exc)) from exc
        raise
    except Exception as exc:  # the engine could not evaluate this signature at all
        slot = digest_slot_problem(esig.signer_info)
        if slot is not None:
            return (
                unreadable_verdict(
                    field_name,
                    SubIndication.FORMAT_FAILURE,
                    slot,
                    signer_cert=signer_cert,
                    detail=f"{type(exc).__name__}: {exc}",
                ),
                None,
            )
        return (
            unreadable_verdict(
                field_name,
                SubIndication.GENERIC,
                "the signature could not be evaluated",
                indication=Indication.INDETERMINATE,
                signer_cert=signer_cert,
                detail=f"{type(exc).__name__}: {exc}",
            ),
            None,
        )
    status = result.api_status
    ades_status = result.ades_subindic.status
    indication = {
        AdESStatus.PASSED: Indication.TOTAL_PASSED,
        AdESStatus.FAILED: Indication.TOTAL_FAILED,
        AdESStatus.INDETERMINATE: Indication.INDETERMINATE,
    }[ades_status]
    sub = None if ades_status == AdESStatus.PASSED else sub_indication(result.ades_subindic)
    reasons: list[str] = []
    warnings: list[str] = [plain_note] if plain_note else []
    cov, mod, mod_warn, mod_fail = modification_findings(status)
    try:
        changes = _changes(esig, reader)
    except PdfStrictReadError as exc:
        raise _ReadAgainLeniently(_plain(exc)) from exc
    if mod is None and changes is not None:
        mod = _modification_level(changes)  # pyHanko's difference analysis was not needed
    if changes is not None:
        # our object-by-object analysis decides; pyHanko's stricter one only warns
        disallowed = [c for c in changes if not c.allowed]
        for c in changes:
            if c.allowed and c.category not in (
                ChangeCategory.DSS_UPDATE,
                ChangeCategory.TIMESTAMP_ADDED,
                ChangeCategory.SIGNATURE_ADDED,
                ChangeCategory.OTHER,  # allowed "other": metadata, extended resources
            ):
                warnings.append(f"after signing: {c.description}")
        coverage_fail = [r for r in mod_fail if "does not cover" in r]
        if mod_fail and not disallowed and not coverage_fail:
            warnings.append(
                "pyHanko's difference analysis could not explain every change after signing; "
                "each change is listed with its category"
            )
        mod_fail = coverage_fail + [
            "the document was changed after signing in a way the signature does not permit: "
            + c.description
            for c in disallowed
        ]
    else:
        warnings.extend(mod_warn)
    if mod_fail and indication != Indication.TOTAL_FAILED:
        indication, sub = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
    reasons.extend(mod_fail)
    intact = bool(status and status.intact and status.valid)
    if status is not None and not status.intact and indication == Indication.TOTAL_PASSED:
        indication, sub = Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE
    try:
        baseline, bl_warn = baseline_level(esig, reader, _timestamps_of(reader))
    except Exception as exc:
        log.debug("baseline level not determined", exc_info=exc)
        baseline, bl_warn = None, ["the baseline level could not be determined"]
    warnings.extend(bl_warn)
    signing_time = getattr(status, "signer_reported_dt", None)
    if signing_time is None:
        try:
            # the /M entry (PAdES has no signing-time attribute)
            signing_time = esig.self_reported_timestamp
        except Exception:
            signing_time = None
    proven = None
    ts_validity = getattr(status, "timestamp_validity", None)
    if ts_validity is not None and ts_validity.intact and ts_validity.valid:
        proven = ts_validity.timestamp
    elif result.oldest_evidence_record_timestamp is not None:
        proven = result.oldest_evidence_record_timestamp
    revocation = revocation_info(
        sub, indication == Indication.TOTAL_PASSED, read_dss(reader), esig, options.online
    )
    context = None
    if _enveloped_content(esig) is not None and sub in (
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
        SubIndication.HASH_FAILURE,
    ):
        context = result.failure_msg  # our own plain sentence for this SubFilter
    checks = Checks(
        indication=indication,
        sub_indication=sub,
        context=context,
        detail=result.failure_msg,
        intact=intact,
        field=field_name,
        signer_cert=signer_cert,
        path=getattr(status, "validation_path", None),
        signing_time=signing_time,
        proven_time=proven,
        baseline=baseline,
        revocation_status=revocation.status,
        revocation_source=revocation.source,
        coverage=cov,
        modifications=mod,
        changes=changes or [],
        warnings=warnings,
        reasons=reasons,
    )
    return build_verdict(checks, options.trust), result


def _modification_level(changes: list[Change]) -> str:
    """The modification level (pyHanko's names) that our categories amount to."""
    cats = {c.category for c in changes}
    if any(not c.allowed for c in changes):
        return "OTHER"
    if cats & {
        ChangeCategory.ANNOTATION_ADDED,
        ChangeCategory.ANNOTATION_CHANGED,
        ChangeCategory.ANNOTATION_REMOVED,
    }:
        return "ANNOTATIONS"
    if cats & {ChangeCategory.FORM_FILL, ChangeCategory.SIGNATURE_ADDED}:
        return "FORM_FILLING"
    return "LTA_UPDATES" if changes else "NONE"


def _changes(esig: EmbeddedPdfSignature, reader: PdfFileReader) -> list[Change] | None:
    """Every change after this signature, judged against its DocMDP/FieldMDP (None: not known)."""
    try:
        changes = analyse_changes(reader, esig.signed_revision)
        level = esig.docmdp_level
        fieldmdp = esig.fieldmdp
        return judge(
            changes,
            None if level is None else int(level.value),
            fieldmdp.is_locked if fieldmdp is not None else None,
        )
    except PdfStrictReadError:
        raise
    except Exception as exc:
        log.debug("change analysis failed", exc_info=exc)
        return None


# ----------------------------------------------------------------------------- per file


async def validate_pdf_async(
    source: Path | bytes,
    options: ValidationOptions,
    *,
    name: str | None = None,
    keep: list[Any] | None = None,
) -> FileReport:
    """Validate every signature of one PDF. Never raises for bad input: an unreadable file gets ``error``.

    ``keep`` (a list) receives ``(embedded signature, AdES result)`` pairs for the ETSI report.
    """
    with _speedups.applied():
        return await _validate_pdf(source, options, name=name, keep=keep)


async def _validate_pdf(
    source: Path | bytes,
    options: ValidationOptions,
    *,
    name: str | None,
    keep: list[Any] | None,
) -> FileReport:
    label = name or (str(source) if isinstance(source, Path) else "upload.pdf")
    stream: IO[bytes]
    try:
        stream = open(source, "rb") if isinstance(source, Path) else io.BytesIO(source)
    except OSError as exc:
        return FileReport(file=label, format=None, error=f"cannot read: {exc.strerror}")
    try:
        head = stream.read(1024)
        stream.seek(0)
        if b"%PDF-" not in head:
            return FileReport(
                file=label, format=None, error="cannot read: not a PDF (no %PDF- header)"
            )
        extra: list[str] = []
        repaired = repair_startxref(stream)
        if repaired is not None:
            stream.close()
            stream, extra = io.BytesIO(repaired[0]), [repaired[1]]
        try:
            return await _validate_stream(stream, label, options, keep, strict=True, notes=extra)
        except _ReadAgainLeniently as exc:
            if keep is not None:
                keep.clear()
            note = (
                "structural irregularity: strict reading failed during validation "
                f"({exc}); validated again in non-strict mode"
            )
            stream.seek(0)
            return await _validate_stream(
                stream, label, options, keep, strict=False, notes=[*extra, note]
            )
    finally:
        stream.close()


async def _validate_stream(
    stream: IO[bytes],
    label: str,
    options: ValidationOptions,
    keep: list[Any] | None,
    *,
    strict: bool,
    notes: list[str],
) -> FileReport:
    try:
        reader, read_notes = _open_reader(stream, strict=strict)
        notes = [*notes, *read_notes]
        _classify_timestamps(reader, notes)
        sigs = _signatures(reader)
    except _Unreadable as exc:
        return FileReport(file=label, format="PAdES", error=f"cannot read: {exc}")
    except RecursionError:
        return FileReport(
            file=label, format="PAdES", error="cannot read: structure nested too deeply"
        )
    except Exception as exc:
        if notes_retry := await _retry_lenient(stream):
            reader, more, sigs = notes_retry
            notes = [*notes, *more]
        else:
            log.debug("unreadable PDF", exc_info=exc)
            return FileReport(file=label, format="PAdES", error=f"cannot read: {_plain(exc)}")
    verdicts: list[SignatureVerdict] = []
    archives_validated = True
    if not sigs:
        notes.append("the document contains no signatures")
    for esig in sigs:
        if isinstance(esig, tuple):
            verdicts.append(_broken_field(*esig))
            archives_validated = False
            continue
        try:
            verdict, result = await _one(esig, reader, options)
        except _ReadAgainLeniently:
            raise
        except RecursionError:
            verdict, result = _broken(esig, "structure nested too deeply"), None
        except Exception as exc:
            log.debug("signature could not be processed", exc_info=exc)
            verdict, result = _broken(esig, "its data could not be processed"), None
        verdicts.append(verdict)
        archives_validated &= (
            result is not None and result.oldest_evidence_record_timestamp is not None
        )
        if keep is not None and result is not None:
            keep.append((esig, result))
    if verdicts:
        verdicts = await _file_level_checks(
            reader, verdicts, options, notes, check_timestamps=not archives_validated
        )
    if recovered := recovery_note(reader):
        notes.append(recovered)
    return FileReport(file=label, format="PAdES", signatures=verdicts, notes=notes)


async def _file_level_checks(
    reader: PdfFileReader,
    verdicts: list[SignatureVerdict],
    options: ValidationOptions,
    notes: list[str],
    *,
    check_timestamps: bool = True,
) -> list[SignatureVerdict]:
    """What concerns the whole file: stray bytes after the last revision, broken document time stamps."""
    extra: list[str] = []
    try:
        stray = unaccounted_tail(reader)
    except Exception:
        stray = 0
    if stray > 0:
        extra.append(
            f"{stray} byte(s) after the end of the last revision belong to no revision (appended after signing)"
        )
    broken_ts: list[str] = []
    try:
        # when the AdES LTA process validated the archive time stamp chain, it is not redone
        timestamps = _doc_timestamps(reader) if check_timestamps else []
    except Exception as exc:
        log.debug("document time stamps cannot be collected", exc_info=exc)
        timestamps = [("?", "the time-stamp fields cannot be read")]
    for ts in timestamps:
        if isinstance(ts, tuple):
            broken_ts.append(f"document time stamp '{ts[0]}' cannot be read: {ts[1]}")
            continue
        try:
            vc = ValidationContext(trust_roots=options.trust.anchors(), allow_fetching=False)
            st = await async_validate_pdf_timestamp(ts, validation_context=vc, skip_diff=True)
            if not (st.intact and st.valid) or st.coverage not in (
                SignatureCoverageLevel.ENTIRE_FILE,
                SignatureCoverageLevel.ENTIRE_REVISION,
            ):
                broken_ts.append(
                    f"document time stamp '{ts.field_name}' does not verify "
                    f"(intact={st.intact}, valid={st.valid}, coverage={st.coverage.name if st.coverage else None})"
                )
        except Exception as exc:
            log.debug("document time stamp check failed", exc_info=exc)
            broken_ts.append(f"document time stamp '{ts.field_name}' could not be verified")
    if not extra and not broken_ts:
        return verdicts
    notes.extend(extra + broken_ts)
    out = []
    for v in verdicts:
        baseline = v.baseline
        if broken_ts and baseline == BaselineLevel.B_LTA:
            baseline = BaselineLevel.B_LT
        out.append(
            v.model_copy(
                update={"warnings": [*v.warnings, *extra, *broken_ts], "baseline": baseline}
            )
        )
    return out


async def _retry_lenient(
    stream: IO[bytes],
) -> tuple[PdfFileReader, list[str], list[EmbeddedPdfSignature | tuple[str, str]]] | None:
    try:
        stream.seek(0)
        reader = RecoveringReader(stream, strict=False)
        return (
            reader,
            ["strict reading of the signatures failed; read again in non-strict mode"],
            _signatures(reader),
        )
    except Exception:
        return None


def _broken(esig: EmbeddedPdfSignature, why: str) -> SignatureVerdict:
    field_name = None
    try:
        field_name = esig.field_name
    except Exception:
        field_name = None
    return _broken_field(field_name, why)


def _broken_field(field_name: str | None, why: str) -> SignatureVerdict:
    return unreadable_verdict(field_name, SubIndication.FORMAT_FAILURE, why)


def validate_pdf(
    source: Path | bytes, options: ValidationOptions, *, name: str | None = None
) -> FileReport:
    """Synchronous wrapper of :func:`validate_pdf_async`."""
    return run_sync(lambda: validate_pdf_async(source, options, name=name))


_ETSI_NS = "http://uri.etsi.org/19102/v1.2.1#"


def _minimal_svr(verdict: SignatureVerdict) -> Any:
    """A SignatureValidationReport from our own verdict, for a signature pyHanko's report
    generator cannot describe (e.g. a CMS without a signer certificate)."""
    from lxml import etree

    ns = f"{{{_ETSI_NS}}}"
    svr = etree.Element(ns + "SignatureValidationReport", nsmap={None: _ETSI_NS})
    if verdict.field:
        ident = etree.SubElement(svr, ns + "SignatureIdentifier")
        etree.SubElement(ident, ns + "DAReference").text = verdict.field
    status = etree.SubElement(svr, ns + "SignatureValidationStatus")
    main = verdict.indication.value.lower().replace("-", "_")
    main = {"total_passed": "total-passed", "total_failed": "total-failed"}.get(main, main)
    etree.SubElement(status, ns + "MainIndication").text = f"urn:etsi:019102:mainindication:{main}"
    if verdict.sub_indication:
        etree.SubElement(
            status, ns + "SubIndication"
        ).text = f"urn:etsi:019102:subindication:{verdict.sub_indication.value}"
    if verdict.reasons:
        info = etree.SubElement(status, ns + "AssociatedValidationReportData")
        etree.SubElement(info, ns + "AdditionalValidationReportData").text = "; ".join(
            verdict.reasons
        )
    return svr


def etsi_report(source: Path | bytes, options: ValidationOptions) -> str:
    """An ETSI TS 119 102-2 validation report (XML) for every signature of one PDF.

    Never raises for a readable or unreadable PDF: a signature that pyHanko's report generator
    cannot describe gets a report built from our verdict, and a file without signatures gets an
    empty report (the reason is in the JSON verdicts).
    """
    with _speedups.applied():
        return _etsi_report(source, options)


def _etsi_report(source: Path | bytes, options: ValidationOptions) -> str:
    from lxml import etree
    from pyhanko.sign.validation.report.tools import generate_report

    kept: list[Any] = []
    report = run_sync(lambda: validate_pdf_async(source, options, keep=kept))
    by_field: dict[str | None, Any] = {}
    for esig, res in kept:
        try:
            by_field[esig.field_name] = (esig, res)
        except Exception:
            continue
    ns = f"{{{_ETSI_NS}}}"
    main = etree.Element(ns + "ValidationReport", nsmap={None: _ETSI_NS})
    objects = None
    for verdict in report.signatures:
        pair = by_field.get(verdict.field)
        svrs: list[Any] = []
        if pair is not None:
            try:
                doc = etree.fromstring(generate_report(*pair).encode())
                svrs = doc.findall(ns + "SignatureValidationReport")
                objs = doc.find(ns + "SignatureValidationObjects")
                if objs is not None:
                    if objects is None:
                        objects = etree.Element(ns + "SignatureValidationObjects")
                    objects.extend(list(objs))
            except Exception as exc:
                log.debug("ETSI report generator failed for %s", verdict.field, exc_info=exc)
                svrs = []
        main.extend(svrs or [_minimal_svr(verdict)])
    if objects is not None:
        main.append(objects)
    return etree.tostring(main, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()
