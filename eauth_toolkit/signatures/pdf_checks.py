"""Checks on a PDF around its signatures: dictionary structure, baseline level, revocation
source, changes after signing, and bytes that belong to no revision.

The AdES engine decides whether a signature is valid; these checks say what the document
contains (ETSI EN 319 142-1 baseline levels) and what happened to it after signing.
"""

from __future__ import annotations

import io
import re
from typing import Any

from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from eauth_toolkit.signatures.models import RevocationInfo

__all__ = [
    "baseline_level",
    "is_doc_timestamp",
    "modification_findings",
    "RecoveringReader",
    "dss_entries",
    "read_dss",
    "recovery_note",
    "repair_startxref",
    "revocation_info",
    "structure_problem",
    "unaccounted_tail",
]


def _unwrap(value: Any) -> Any:
    """The plain object behind pyHanko's proxy for objects of an encrypted document."""
    return getattr(value, "decrypted", value)


def structure_problem(obj: Any, size: int) -> str | None:
    """Why a signature dictionary's /ByteRange and /Contents cannot be right (None if they can)."""
    br = _unwrap(obj.get("/ByteRange"))
    if not isinstance(br, list) or len(br) != 4 or not all(isinstance(v, int) for v in br):
        return "/ByteRange is not an array of four integers"
    a, b, c, d = (int(v) for v in br)
    if a != 0 or b <= 0 or c <= b or d < 0 or c + d > size:
        return f"/ByteRange [{a} {b} {c} {d}] does not describe two ranges around /Contents within the file"
    contents = obj.get("/Contents")
    contents = getattr(contents, "raw_object", contents)  # not encrypted in encrypted files
    if not isinstance(contents, bytes) or not contents:
        return "/Contents is missing or not a byte string"
    return None


def is_doc_timestamp(obj: Any) -> bool:
    """A document time stamp by what it is (SubFilter ETSI.RFC3161, or a CMS whose content is a
    time-stamp token), whatever its /Type says."""
    try:
        if str(obj.get("/Type", "")) == "/DocTimeStamp":
            return True
        if str(obj.get("/SubFilter", "")) == "/ETSI.RFC3161":
            return True
        contents = obj.get("/Contents")
        if not isinstance(contents, bytes) or not contents:
            return False
        from asn1crypto import cms

        info = cms.ContentInfo.load(contents.rstrip(b"\x00") or contents)
        return bool(info["content"]["encap_content_info"]["content_type"].native == "tst_info")
    except Exception:
        return False


def read_dss(reader: PdfFileReader) -> DocumentSecurityStore | None:
    """The document's DSS (read once per reader: every signature of the file asks for it)."""
    cache = reader.__dict__.setdefault("_eauth_dss", [])
    if not cache:
        cache.append(_read_dss(reader))
    return cache[0]  # type: ignore[no-any-return]


def _read_dss(reader: PdfFileReader) -> DocumentSecurityStore | None:
    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None
    except Exception:
        # an entry that is no stream (an unreachable object read as null): use what can be read
        certs, ocsps, crls, _ = dss_entries(reader)
        return _ReadDSS(certs, ocsps, crls)  # type: ignore[return-value]


class _ReadDSS:
    """What a DSS holds, for the revocation summary, when pyHanko's reader refuses one entry."""

    def __init__(self, certs: list[Any], ocsps: list[Any], crls: list[Any]) -> None:
        self.certs = {c.issuer_serial: c for c in certs}
        self.ocsps = ocsps
        self.crls = crls


def dss_entries(reader: Any) -> tuple[list[Any], list[Any], list[Any], int]:
    """Certificates, OCSP responses and CRLs of the document's DSS, each entry read on its own:
    an entry that is not a readable stream (e.g. an object no cross-reference section lists,
    read as null) is skipped and counted, and the rest is still used."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from asn1crypto import x509
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    kinds = (
        ("/Certs", DecodePurpose.CERTIFICATE, x509.Certificate.load),
        ("/OCSPs", DecodePurpose.OCSP_RESPONSE, asn1_ocsp.OCSPResponse.load),
        ("/CRLs", DecodePurpose.CRL, asn1_crl.CertificateList.load),
    )
    out: list[list[Any]] = [[], [], []]
    skipped = 0
    try:
        dss = reader.root["/DSS"]
    except Exception:
        return [], [], [], 0
    for bucket, (key, purpose, load) in zip(out, kinds, strict=True):
        try:
            items = list(dss[key]) if key in dss else []
        except Exception:
            skipped += 1
            continue
        for item in items:
            try:
                parsed = load(item.get_object().read_data(purpose))
                parsed.native  # noqa: B018  (parse now, fail here)
                bucket.append(parsed)
            except Exception:
                skipped += 1
    return out[0], out[1], out[2], skipped


def baseline_level(
    esig: EmbeddedPdfSignature,
    reader: PdfFileReader,
    timestamps: list[EmbeddedPdfSignature] | None = None,
) -> tuple[str | None, list[str]]:
    """The PAdES baseline level the document supports for this signature (ETSI EN 319 142-1)."""
    warnings: list[str] = []
    subfilter = str(esig.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        warnings.append(f"not a PAdES baseline signature (SubFilter {subfilter or 'missing'})")
        return None, warnings
    attrs = {a["type"].native for a in esig.signer_info["signed_attrs"]}
    if not attrs & {"signing_certificate_v2", "signing_certificate"}:
        warnings.append("no signing-certificate attribute: not PAdES B-B")
        return None, warnings
    level = "B-B"
    unsigned = esig.signer_info["unsigned_attrs"]
    sig_ts = bool(unsigned) and any(
        a["type"].native == "signature_time_stamp_token" for a in unsigned
    )
    if timestamps is None:
        timestamps = list(reader.embedded_timestamp_signatures)
    later_ts = [ts for ts in timestamps if ts.signed_revision > esig.signed_revision]
    if not (sig_ts or later_ts):
        return level, warnings
    level = "B-T"
    dss = read_dss(reader)
    if dss is None or not (dss.ocsps or dss.crls):
        return level, warnings
    level = "B-LT"
    # B-LTA: a document time stamp over a revision that already holds the validation data
    for ts in later_ts:
        try:
            if "/DSS" in reader.get_historical_root(ts.signed_revision):
                return "B-LTA", warnings
        except Exception:
            continue
    return level, warnings


def revocation_info(
    sub: str | None,
    passed: bool,
    dss: DocumentSecurityStore | None,
    esig: EmbeddedPdfSignature,
    online: bool,
) -> RevocationInfo:
    source = "none"
    if dss is not None and (dss.ocsps or dss.crls):
        source = "embedded (DSS)"
    else:
        attrs = {a["type"].native for a in esig.signer_info["signed_attrs"]}
        if "adobe_revocation_info_archival" in attrs:
            source = "embedded (signature)"
        elif online:
            source = "online"
    if sub in ("REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"):
        return RevocationInfo(status="revoked", source=source)
    if passed:
        return RevocationInfo(status="good" if source != "none" else "not checked", source=source)
    return RevocationInfo(status="unknown", source=source)


def modification_findings(status: Any) -> tuple[str | None, str | None, list[str], list[str]]:
    """coverage, modification level, warnings, failure reasons."""
    warnings: list[str] = []
    fails: list[str] = []
    coverage = getattr(status, "coverage", None)
    cov = coverage.name if coverage is not None else None
    if coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        fails.append(
            f"the signature does not cover a whole revision of the document (coverage {cov})"
        )
    level = getattr(status, "modification_level", None)
    mod = level.name if level is not None else None
    diff = getattr(status, "diff_result", None)
    if level == ModificationLevel.FORM_FILLING:
        fields = sorted(getattr(diff, "changed_form_fields", ()) or ())
        warnings.append(
            "form fields were filled in after signing"
            + (f": {', '.join(fields)}" if fields else "")
            + " (what the page shows may differ from what was signed)"
        )
    elif level == ModificationLevel.ANNOTATIONS:
        warnings.append("annotations were added or changed after signing")
    elif level == ModificationLevel.OTHER:
        detail = f": {diff}" if diff is not None and not hasattr(diff, "modification_level") else ""
        fails.append(
            f"the document was modified after signing beyond what the signature permits{detail}"
        )
    if getattr(status, "docmdp_ok", True) is False and level != ModificationLevel.OTHER:
        fails.append("changes after signing violate the document's modification policy (DocMDP)")
    return cov, mod, warnings, fails


_EOF_TAIL = re.compile(
    rb"\s*(endobj\s*)?(trailer\s*)?(<<.*>>\s*)?startxref\s+\d+\s+%%EOF\s*", re.DOTALL
)


def unaccounted_tail(reader: PdfFileReader) -> int:
    """Bytes after the last revision's end-of-file marker that belong to no revision."""
    xrefs = reader.xrefs
    end = xrefs.get_xref_container_info(xrefs.total_revisions - 1).end_location
    stream = reader.stream
    size = stream.seek(0, io.SEEK_END)
    if size - end > 1 << 16:
        return size - end
    stream.seek(end)
    tail = stream.read()
    m = _EOF_TAIL.match(tail)
    return len(tail) - (m.end() if m else 0)


_XREF_START = re.compile(rb"(?:^|[\r\n])(xref\b|\d+\s+\d+\s+obj\b)")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def repair_startxref(stream: Any, window: int = 4096) -> tuple[bytes, str] | None:
    """When the last ``startxref`` does not point at a cross-reference section, find the section
    by scanning near that offset (as recovering readers do) and return the repaired bytes and a
    note; ``None`` when nothing needs repair or nothing can be found."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(max(0, size - 64))
    tail = stream.read()
    m = _STARTXREF.search(tail)
    if m is None:
        return None
    offset = int(m.group(1))
    stream.seek(min(offset, size))
    if re.match(rb"\s*(xref\b|\d+\s+\d+\s+obj\b)", stream.read(32)):
        stream.seek(0)
        return None
    lo = max(0, offset - window)
    stream.seek(lo)
    area = stream.read(2 * window)
    found = [lo + h.start(1) for h in _XREF_START.finditer(area)]
    stream.seek(0)
    if not found:
        return None
    best = min(found, key=lambda p: abs(p - offset))
    digits = str(best).encode()
    if len(digits) > len(m.group(1)):
        return None
    data = stream.read()
    stream.seek(0)
    at = size - len(tail) + m.start(1)
    fixed = data[:at] + digits.rjust(len(m.group(1))) + data[at + len(m.group(1)) :]
    return fixed, (
        f"structural irregularity: the last startxref pointed to byte {offset}, which is no "
        f"cross-reference section; recovered by scanning (found at byte {best})"
    )


class RecoveringReader(PdfFileReader):
    """A reader that, when a cross-reference entry points a few bytes (or more) away from the
    object it names, finds the object's ``N G obj`` header by scanning the file and reads it
    there (as recovering readers do). Every recovered entry is kept in ``recovered`` so the
    report can say so; nothing in the file is rewritten, so signed bytes stay as they are."""

    recovered: dict[tuple[int, int], tuple[int, int]]

    def _read_object(self, ref: Any, marker: Any, *args: Any, **kw: Any) -> Any:
        try:
            return super()._read_object(ref, marker, *args, **kw)
        except PdfReadError:
            if not isinstance(marker, int):
                raise
            found = self._find_header(ref.idnum, ref.generation, marker)
            if found is None or found == marker:
                raise
            self.__dict__.setdefault("recovered", {})[(ref.idnum, ref.generation)] = (
                marker,
                found,
            )
            return super()._read_object(ref, found, *args, **kw)

    def _find_header(self, idnum: int, generation: int, near: int) -> int | None:
        stream = self.stream
        here = stream.tell()
        stream.seek(0)
        data = stream.read()
        stream.seek(here)
        pattern = re.compile(rb"(?<![0-9])%d\s+%d\s+obj\b" % (idnum, generation))
        hits = [m.start() for m in pattern.finditer(data)]
        if not hits:
            return None
        return min(hits, key=lambda p: abs(p - near))


def recovery_note(reader: Any) -> str | None:
    """The warning for cross-reference entries :class:`RecoveringReader` had to correct."""
    recovered = getattr(reader, "recovered", None)
    if not recovered:
        return None
    items = sorted(recovered.items())
    shown = ", ".join(
        f"object {i} {g} (listed at byte {a}, found at {b})" for (i, g), (a, b) in items[:5]
    )
    more = f" and {len(items) - 5} more" if len(items) > 5 else ""
    return (
        "structural irregularity: damaged cross-reference data; "
        f"{len(items)} entr{'y' if len(items) == 1 else 'ies'} pointed to the wrong byte and "
        f"{'was' if len(items) == 1 else 'were'} recovered by scanning for the object header: {shown}{more}"
    )
