"""Build a corpus of PDFs in the shapes real signing software produces, one file (or more) per
class of verdict problem, with the verdict each must get.

Everything is made here with pyHanko, the certomancer sandbox PKI and small byte-level edits; no
file is copied from elsewhere. ``python -m tests.signatures.realworld.make_corpus DIR`` writes
the PDFs and ``expected.json``; the test suite builds the same corpus in a temporary folder and
checks every verdict, and ``bench/sig_bench.py --corpus DIR`` measures speed on it.

Each entry of ``expected.json``: ``class`` (the class of the issue it shows), ``online`` (verify
with the sandbox responders), ``signatures`` (how many verdicts), ``indications`` and
``sub_indications`` (one per verdict, in order), ``categories`` (the change categories that must
be reported for some signature) and ``notes`` (words that must appear in the file's notes).
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers import pdf_signer

from eauth_toolkit.signatures.samples import sample_pdf
from eauth_toolkit.signatures.sandbox import SandboxPKI, serve
from eauth_toolkit.signatures.signing import sign_pdf

__all__ = ["Expected", "build", "main"]

PASSED, FAILED, INDET = "TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE"


@dataclass
class Expected:
    file: str
    cls: str
    indications: list[str]
    sub_indications: list[str | None]
    categories: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    online: bool = False

    @property
    def signatures(self) -> int:
        return len(self.indications)


def _update(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@contextmanager
def _timestamp_type(value: str | None) -> Iterator[None]:
    """Document time stamps written with another /Type (or none), as some software does."""
    original = pdf_signer.DocumentTimestamp

    class Odd(original):  # type: ignore[misc,valid-type]
        def __init__(self, bytes_reserved: Any = None) -> None:
            super().__init__(bytes_reserved=bytes_reserved)
            if value is None:
                del self["/Type"]
            else:
                self["/Type"] = generic.pdf_name(value)

    pdf_signer.DocumentTimestamp = Odd  # type: ignore[misc]
    try:
        yield
    finally:
        pdf_signer.DocumentTimestamp = original  # type: ignore[misc]


def _doc_timestamp(data: bytes, pki: SandboxPKI) -> bytes:
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

    out = io.BytesIO()
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    signers.PdfTimeStamper(HTTPTimeStamper(pki.tsa_url)).timestamp_pdf(w, "sha256", output=out)
    return out.getvalue()


def _annotate(data: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        page = w.root["/Pages"]["/Kids"][0].get_object()
        annot = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
                generic.pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (50, 50, 70, 70)]
                ),
                generic.pdf_name("/Contents"): generic.pdf_string("SANDBOX reviewer note"),
            }
        )
        ref = w.add_object(annot)
        annots = page.get("/Annots")
        if annots is None:
            page[generic.pdf_name("/Annots")] = generic.ArrayObject([ref])
        else:
            annots.get_object().append(ref)
        w.update_container(page)

    return _update(data, change)


def _add_page(data: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        pages = w.root["/Pages"]
        stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (ADDED LATER) Tj ET")
        page = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/Parent"): w.root.raw_get("/Pages"),
                generic.pdf_name("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
                generic.pdf_name("/Contents"): w.add_object(stream),
            }
        )
        pages["/Kids"].append(w.add_object(page))
        pages[generic.pdf_name("/Count")] = generic.NumberObject(pages["/Count"] + 1)
        w.update_container(pages)

    return _update(data, change)


def _duplicate_key_update(data: bytes) -> bytes:
    """An incremental update whose new Info dictionary repeats a key (a sloppy writer)."""
    text = data.decode("latin-1")
    size = int(re.findall(r"/Size (\d+)", text)[-1])
    prev = int(re.findall(r"startxref\s+(\d+)", text)[-1])
    root = re.findall(r"/Root (\d+ \d+ R)", text)[-1]
    body = f"{size} 0 obj\n<< /Producer (SANDBOX writer) /Producer (SANDBOX writer 2) >>\nendobj\n"
    start = len(data) + 1
    xref_at = start + len(body)
    tail = (
        f"\n{body}xref\n{size} 1\n{start:010d} 00000 n \n"
        f"trailer\n<< /Size {size + 1} /Root {root} /Info {size} 0 R /Prev {prev} >>\n"
        f"startxref\n{xref_at}\n%%EOF\n"
    )
    return data + tail.encode("latin-1")


def _last(data: bytes, pattern: str) -> str:
    return re.findall(pattern, data.decode("latin-1"))[-1]


def _latest_object(data: bytes, num: int) -> bytes:
    """The body of the last written copy of object ``num`` (uncompressed)."""
    found = list(re.finditer(rb"(?<![0-9])%d 0 obj\s*(.*?)\s*endobj" % num, data, re.DOTALL))
    assert found, f"object {num} is not written uncompressed"
    return found[-1].group(1)


def _append_revision(
    data: bytes,
    objects: dict[int, bytes],
    *,
    free: dict[int, int] | None = None,
    hidden: dict[int, bytes] | None = None,
    root: int | None = None,
) -> bytes:
    """Append an incremental update written by hand: ``objects`` in a classic xref table,
    ``free`` entries (object number -> next generation), and ``hidden`` objects placed in an
    object stream that only a hybrid-reference ``/XRefStm`` lists (ISO 32000-1, 7.5.8.4)."""
    size = int(_last(data, r"/Size (\d+)"))
    prev = int(_last(data, r"startxref\s+(\d+)"))
    root_ref = f"{root} 0 R" if root is not None else _last(data, r"/Root (\d+ \d+ R)")
    body = b"\n"
    offsets: dict[int, int] = {}
    for num, content in objects.items():
        offsets[num] = len(data) + len(body)
        body += b"%d 0 obj\n%s\nendobj\n" % (num, content)
    xrefstm = ""
    if hidden:
        objstm_num = max([size - 1, *objects, *hidden]) + 1
        xref_num = objstm_num + 1
        size = xref_num + 1
        head = b" ".join(
            b"%d %d" % (n, i) for n, i in zip(hidden, _positions(hidden.values()), strict=True)
        )
        first = len(head) + 1
        payload = head + b"\n" + b"\n".join(hidden.values())
        offsets[objstm_num] = len(data) + len(body)
        body += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
            objstm_num, len(hidden), first, len(payload), payload)  # fmt: skip
        rows = b"".join(b"\x02" + objstm_num.to_bytes(4, "big") + i.to_bytes(2, "big")
                        for i in range(len(hidden)))  # fmt: skip
        index = b" ".join(b"%d 1" % n for n in hidden)
        xref_at = len(data) + len(body)
        body += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
            xref_num, size, index, len(rows), rows)  # fmt: skip
        xrefstm = f" /XRefStm {xref_at}"
    entries = {n: f"{o:010d} 00000 n " for n, o in offsets.items()}
    for num, gen in (free or {}).items():
        entries[num] = f"0000000000 {gen:05d} f "
    table = "xref\n0 1\n0000000000 65535 f \n" + "".join(
        f"{n} 1\n{entries[n]}\n" for n in sorted(entries)
    )
    size = max([size, *(n + 1 for n in entries)])
    tail = (
        f"{table}trailer\n<< /Size {size} /Root {root_ref} /Prev {prev}{xrefstm} >>\n"
        f"startxref\n{len(data) + len(body)}\n%%EOF\n"
    )
    return data + body + tail.encode("latin-1")


def _positions(parts: Any) -> list[int]:
    out, at = [], 0
    for p in parts:
        out.append(at)
        at += len(p) + 1
    return out


def _catalog_with(data: bytes, **entries: bytes) -> tuple[int, bytes]:
    """The document catalog's number and its body with ``entries`` (key without slash) set."""
    root = int(_last(data, r"/Root (\d+) \d+ R"))
    cat = _latest_object(data, root)
    for key, value in entries.items():
        cat, n = re.subn(rb"/%s\s+(\d+ \d+ R|<<.*?>>)" % key.encode(), b"/%s %s" % (key.encode(), value), cat,
                         count=1, flags=re.DOTALL)  # fmt: skip
        if not n:
            cat = cat.rstrip()[:-2] + b" /%s %s >>" % (key.encode(), value)
    return root, cat


def _dss_ref(data: bytes) -> int:
    root = int(_last(data, r"/Root (\d+) \d+ R"))
    return int(re.search(rb"/DSS\s+(\d+) 0 R", _latest_object(data, root)).group(1))  # type: ignore[union-attr]


def _hybrid_dss_update(data: bytes) -> bytes:
    """A later revision written with a hybrid-reference xref: the catalog (classic table) points
    at a new DSS dictionary that sits in an object stream only ``/XRefStm`` lists."""
    dss = _latest_object(data, _dss_ref(data))
    size = int(_last(data, r"/Size (\d+)"))
    root, cat = _catalog_with(data, DSS=b"%d 0 R" % size)
    return _append_revision(data, {root: cat}, hidden={size: dss})


def _unreachable_dss_update(data: bytes) -> bytes:
    """A DSS refresh that also lists an object no cross-reference section has (strict reading
    refuses it; a lenient reader takes it as null)."""
    num = _dss_ref(data)
    size = int(_last(data, r"/Size (\d+)"))
    dss = _latest_object(data, num).rstrip()[:-2] + b" /CRLs [%d 0 R] >>" % (size + 40)
    return _append_revision(data, {num: dss})


def _dss_overwrite(data: bytes) -> bytes:
    """The /DSS dictionary rewritten in place (same object number), its arrays now indirect."""
    num = _dss_ref(data)
    dss = _latest_object(data, num)
    size = int(_last(data, r"/Size (\d+)"))
    extra: dict[int, bytes] = {}

    def indirect(m: re.Match[bytes]) -> bytes:
        n = size + len(extra)
        extra[n] = m.group(2)
        return m.group(1) + b" %d 0 R" % n

    dss = re.sub(rb"(/Certs|/OCSPs|/CRLs)\s+(\[[^\]]*\])", indirect, dss)
    return _append_revision(data, {num: dss, **extra})


def _vri_refs(dss: bytes) -> list[tuple[bytes, int]]:
    return [
        (m.group(1), int(m.group(2))) for m in re.finditer(rb"/([0-9A-F]{40})\s+(\d+) 0 R", dss)
    ]


def _vri_odd_type(data: bytes, key_type: bytes = b"/CertVRI") -> bytes:
    """A second /VRI entry whose dictionary carries an unusual /Type, written in a DSS update."""
    num = _dss_ref(data)
    size = int(_last(data, r"/Size (\d+)"))
    dss = _latest_object(data, num)
    certs = re.search(rb"/Certs\s+(\d+ 0 R|\[[^\]]*\])", dss)
    assert certs is not None
    vri = b"<< /Type %s /Cert %s >>" % (key_type, certs.group(1))
    dss = dss.replace(b"/VRI <<", b"/VRI <<\n/%s %d 0 R" % (b"A1" * 20, size), 1)
    assert b"A1A1" in dss, "the DSS has no direct /VRI dictionary"
    return _append_revision(data, {num: dss, size: vri})


def _freed_update(data: bytes) -> bytes:
    """A DSS refresh that writes a VRI entry anew under another number and marks the old object
    free (its number may be reused at the next generation)."""
    num = _dss_ref(data)
    dss = _latest_object(data, num)
    [(key, old)] = _vri_refs(dss)[:1]
    size = int(_last(data, r"/Size (\d+)"))
    dss = dss.replace(b"/%s %d 0 R" % (key, old), b"/%s %d 0 R" % (key, size))
    return _append_revision(data, {num: dss, size: _latest_object(data, old)}, free={old: 1})


def _shift_xref_entries(data: bytes, by: int = 3) -> bytes:
    """Shift every in-use offset of the last classic xref table by a few bytes."""
    at = data.rindex(b"\nxref")
    end = data.index(b"trailer", at)

    def shift(m: re.Match[bytes]) -> bytes:
        return b"%010d %s n" % (int(m.group(1)) + by, m.group(2))

    fixed = re.sub(rb"(?<![0-9])(\d{10}) (\d{5}) n", shift, data[at:end])
    return data[:at] + fixed + data[end:]


def _form_field_with_font(data: bytes) -> bytes:
    """A text field added after signing; its appearance uses a font that is added to the page's
    /Resources under a new name (DSS classes this as allowed)."""
    from pyhanko.pdf_utils.content import RawContent
    from pyhanko.sign.fields import SigFieldSpec  # noqa: F401  (form tools below)

    def change(w: IncrementalPdfFileWriter) -> None:
        page = w.root["/Pages"]["/Kids"][0].get_object()
        font = w.add_object(generic.DictionaryObject({
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Courier"),
        }))  # fmt: skip
        res = page.get("/Resources")
        if res is None:
            res = generic.DictionaryObject()
            page[generic.pdf_name("/Resources")] = res
        res = res.get_object()
        fonts = res.get("/Font")
        if fonts is None:
            res[generic.pdf_name("/Font")] = generic.DictionaryObject(
                {generic.pdf_name("/FAdded"): font}
            )
        else:
            fonts.get_object()[generic.pdf_name("/FAdded")] = font
        ap_res = generic.DictionaryObject({
            generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/FAdded"): font})
        })  # fmt: skip
        ap = RawContent(b"BT /FAdded 10 Tf 2 4 Td (SANDBOX) Tj ET", box=None)
        ap_stream = generic.StreamObject(
            {generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
             generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
             generic.pdf_name("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 120, 16)]),
             generic.pdf_name("/Resources"): ap_res},
            stream_data=ap.data,
        )  # fmt: skip
        widget = generic.DictionaryObject({
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Widget"),
            generic.pdf_name("/FT"): generic.pdf_name("/Tx"),
            generic.pdf_name("/T"): generic.pdf_string("Remark"),
            generic.pdf_name("/V"): generic.pdf_string("SANDBOX"),
            generic.pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (300, 50, 420, 66)]),
            generic.pdf_name("/P"): w.root["/Pages"].raw_get("/Kids")[0],
            generic.pdf_name("/AP"): generic.DictionaryObject({generic.pdf_name("/N"): w.add_object(ap_stream)}),
        })  # fmt: skip
        ref = w.add_object(widget)
        annots = page.get("/Annots")
        if annots is None:
            page[generic.pdf_name("/Annots")] = generic.ArrayObject([ref])
        else:
            annots.get_object().append(ref)
        form = w.root["/AcroForm"]
        form["/Fields"].append(ref)
        w.update_container(form)
        w.update_container(page)
        w.update_container(w.root["/Pages"]["/Kids"][0].get_object())

    return _update(data, change)


def _damage_last_xref(data: bytes) -> bytes:
    """Point the last ``startxref`` (written after signing) a few bytes off its section."""
    m = list(re.finditer(rb"startxref\s+(\d+)", data))[-1]
    wrong = str(int(m.group(1)) + 2).encode().rjust(len(m.group(1)))[-len(m.group(1)) :]
    return data[: m.start(1)] + wrong + data[m.end(1) :]


def _encrypted_sample() -> bytes:
    """A one-page PDF encrypted with an owner password and an empty user password."""
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler

    w = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    text = b"BT /F1 18 Tf 72 760 Td (SANDBOX encrypted contract) Tj ET"
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]
            ),
            generic.pdf_name("/Contents"): w.add_object(generic.StreamObject(stream_data=text)),
            generic.pdf_name("/Resources"): generic.DictionaryObject(
                {
                    generic.pdf_name("/Font"): generic.DictionaryObject(
                        {generic.pdf_name("/F1"): w.add_object(font)}
                    )
                }
            ),
        }
    )
    w.insert_page(page)
    w._assign_security_handler(StandardSecurityHandler.build_from_pw(b"SANDBOX-owner", b""))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _sign_encrypted(data: bytes, pki: SandboxPKI) -> bytes:
    from pyhanko.sign import fields

    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    w.encrypt(b"")
    signer = signers.SimpleSigner(
        signing_cert=pki.cert("my-signer-qc"),
        signing_key=pki.key("my-signer-qc"),
        cert_registry=__import__(
            "pyhanko_certvalidator.registry", fromlist=["SimpleCertificateStore"]
        ).SimpleCertificateStore.from_certs([pki.cert("my-root")]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(w, output=out)
    return out.getvalue()


def _zero_contents(data: bytes) -> bytes:
    m = re.compile(rb"/Contents\s*<([0-9A-Fa-f]+)>").search(data)
    assert m is not None
    at = m.start(1) + 40
    return data[:at] + b"0" * 64 + data[at + 64 :]


def _signature_algorithm_in_digest_slot(data: bytes) -> bytes:
    """Write sha256WithRSAEncryption where the SignerInfo's digest algorithm belongs (outside the
    signed attributes, so only the CMS bytes in /Contents change)."""
    import binascii

    from asn1crypto import cms

    m = re.compile(rb"/Contents\s*<([0-9A-Fa-f]+)>").search(data)
    assert m is not None
    raw = binascii.unhexlify(m.group(1))
    info = cms.ContentInfo.load(raw)
    info = cms.ContentInfo.load(raw[: len(info.dump())])
    info["content"]["signer_infos"][0]["digest_algorithm"] = {"algorithm": "1.2.840.113549.1.1.11"}
    hexed = binascii.hexlify(info.dump(force=True)).upper()
    assert len(hexed) <= len(m.group(1))
    hexed += b"0" * (len(m.group(1)) - len(hexed))
    return data[: m.start(1)] + hexed + data[m.end(1) :]


class _PlainEcdsaSigner(signers.SimpleSigner):
    """Writes BSI TR-03111 ecdsa-plain-SHA256: the signature value is r||s, not a DER SEQUENCE."""

    def get_signature_mechanism_for_digest(self, digest_algorithm: Any) -> Any:
        from asn1crypto import algos

        return algos.SignedDigestAlgorithm({"algorithm": "0.4.0.127.0.7.1.1.4.1.3"})

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        n = (key.curve.key_size + 7) // 8
        return r.to_bytes(n, "big") + s.to_bytes(n, "big")


def _sign_with(signer: signers.Signer, bytes_reserved: int | None = None) -> bytes:
    from pyhanko.sign import fields

    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    out = io.BytesIO()
    w = IncrementalPdfFileWriter(io.BytesIO(sample_pdf()), strict=False)
    signers.PdfSigner(meta, signer=signer).sign_pdf(w, output=out, bytes_reserved=bytes_reserved)
    return out.getvalue()


def _simple(pki: SandboxPKI, label: str, root: str, cls: type = signers.SimpleSigner) -> Any:
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return cls(
        signing_cert=pki.cert(label),
        signing_key=pki.key(label),
        cert_registry=SimpleCertificateStore.from_certs([pki.cert(root)]),
    )


class _ContentSigner(signers.SimpleSigner):
    """An enveloping CMS whose content is the digest of the byte ranges (adbe.pkcs7.sha1)."""

    _inner = False

    async def async_sign(
        self, data_digest: bytes, digest_algorithm: str, *args: Any, **kw: Any
    ) -> Any:
        if self._inner:
            return await super().async_sign(data_digest, digest_algorithm, *args, **kw)
        self._inner = True
        try:
            return await self.async_sign_general_data(data_digest, "sha256", detached=False)
        finally:
            self._inner = False


def _sign_enveloping(pki: SandboxPKI, subfilter: str, md: str) -> bytes:
    """A PDF signature whose CMS carries the digest of the byte ranges (written with another
    SubFilter than pyHanko's own, as some software does)."""
    from pyhanko.sign import fields

    original = pdf_signer.SignatureObject

    class OddDict(original):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self["/SubFilter"] = generic.pdf_name(subfilter)

    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        md_algorithm=md,
    )
    out = io.BytesIO()
    w = IncrementalPdfFileWriter(io.BytesIO(sample_pdf()), strict=False)
    pdf_signer.SignatureObject = OddDict  # type: ignore[misc]
    try:
        signers.PdfSigner(
            meta, signer=_simple(pki, "my-signer-qc", "my-root", _ContentSigner)
        ).sign_pdf(w, output=out)
    finally:
        pdf_signer.SignatureObject = original  # type: ignore[misc]
    return out.getvalue()


def _two_signer_infos(data: bytes, pki: SandboxPKI) -> bytes:
    """A second signer signs the same byte ranges; its SignerInfo joins the first in one CMS."""
    import binascii

    from asn1crypto import cms
    from pyhanko.pdf_utils.reader import PdfFileReader

    from eauth_toolkit.signatures._aio import run_sync

    esig = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures[0]
    digest = esig.compute_digest()
    second = _simple(pki, "sg-signer-qc", "sg-root")
    other = run_sync(lambda: second.async_sign(digest, "sha256", use_pades=True))
    m = re.compile(rb"/Contents\s*<([0-9A-Fa-f]+)>").search(data)
    assert m is not None
    raw = binascii.unhexlify(m.group(1))
    info = cms.ContentInfo.load(raw)
    info = cms.ContentInfo.load(raw[: len(info.dump())])
    sd, sd2 = info["content"], other["content"]
    sd["signer_infos"] = cms.SignerInfos(
        [sd["signer_infos"][0].copy(), sd2["signer_infos"][0].copy()]
    )
    sd["certificates"] = cms.CertificateSet(
        [c.copy() for c in sd["certificates"]] + [c.copy() for c in sd2["certificates"]]
    )
    hexed = binascii.hexlify(info.dump(force=True)).upper()
    assert len(hexed) <= len(m.group(1)), "reserve more room for the signature"
    hexed += b"0" * (len(m.group(1)) - len(hexed))
    return data[: m.start(1)] + hexed + data[m.end(1) :]


def build(out: Path, pki: SandboxPKI) -> list[Expected]:
    """Write the corpus into ``out``; return what each file must get."""
    out.mkdir(parents=True, exist_ok=True)
    entries: list[Expected] = []

    def put(name: str, data: bytes, exp: Expected) -> None:
        (out / name).write_bytes(data)
        exp.file = name
        entries.append(exp)

    blt = sign_pdf(sample_pdf(), pki=pki, signer="my-signer-qc", baseline="B-LT")
    blta = sign_pdf(sample_pdf(), pki=pki, signer="my-signer-qc", baseline="B-LTA")

    # 1. strict reading: a later revision that strict reading refuses; read tolerantly, say so
    put(
        "strict-duplicate-key.pdf",
        _duplicate_key_update(blt),
        Expected("", "1 strict reading", [PASSED], [None], notes=["non-strict mode"]),
    )
    # 1. a later revision with a hybrid-reference xref; one listing an object no section has
    put(
        "strict-hybrid-xref.pdf",
        _hybrid_dss_update(blta),
        Expected("", "1 strict reading: hybrid-reference xref", [PASSED], [None],
                 categories=["DSS/VRI update"], notes=["non-strict mode"]),
    )  # fmt: skip
    put(
        "strict-unreachable-object.pdf",
        _unreachable_dss_update(blt),
        Expected("", "1 strict reading: object unreachable", [PASSED], [None],
                 categories=["DSS/VRI update"], notes=["non-strict mode"]),
    )  # fmt: skip
    # 5. DSS updates DSS allows: dictionary overwritten, VRI with an odd /Type, freed references
    put(
        "mod-dss-overwrite.pdf",
        _dss_overwrite(blt),
        Expected("", "5 DSS dictionary overwritten", [PASSED], [None],
                 categories=["DSS/VRI update"]),
    )  # fmt: skip
    put(
        "mod-vri-odd-type.pdf",
        _vri_odd_type(blta),
        Expected("", "5 VRI entry with an unusual /Type", [PASSED], [None],
                 categories=["DSS/VRI update"]),
    )  # fmt: skip
    put(
        "mod-freed-reference.pdf",
        _freed_update(blt),
        Expected("", "5 freed references", [PASSED], [None], categories=["DSS/VRI update"]),
    )
    put(
        "mod-resources-field-font.pdf",
        _form_field_with_font(blt),
        Expected("", "5 page resources extended for a new field's appearance", [PASSED], [None],
                 categories=["form field filled", "other"]),
    )  # fmt: skip
    # 6. damaged cross-reference entries: offsets a few bytes off, recovered by scanning
    put(
        "damaged-xref-entries.pdf",
        _shift_xref_entries(_dss_overwrite(blt)),
        Expected("", "6 damaged cross-reference entries", [PASSED], [None],
                 categories=["DSS/VRI update"], notes=["recovered by scanning for the object header"]),
    )  # fmt: skip
    # 2. document time stamps without /Type /DocTimeStamp
    for label, value in (("missing", None), ("sig", "/Sig")):
        base = sign_pdf(sample_pdf(), pki=pki, signer="my-signer-qc", baseline="B-LT")
        with _timestamp_type(value):
            data = _doc_timestamp(base, pki)
        put(
            f"doctimestamp-type-{label}.pdf",
            data,
            Expected("", "2 document time stamp classified by SubFilter", [PASSED], [None],
                     notes=["document time stamp"]),
        )  # fmt: skip
    # 3. a CMS with two SignerInfos: a verdict for each
    put(
        "two-signer-infos.pdf",
        _two_signer_infos(_sign_with(_simple(pki, "my-signer-qc", "my-root"), 32768), pki),
        Expected("", "3 several SignerInfos", [PASSED, PASSED], [None, None], online=True),
    )
    # 3. adbe.pkcs7.sha1: validated; SHA-1 judged by date (signed now: not proven early enough)
    put(
        "adbe-pkcs7-sha1.pdf",
        _sign_enveloping(pki, "/adbe.pkcs7.sha1", "sha1"),
        Expected("", "3 adbe.pkcs7.sha1", [INDET], ["CRYPTO_CONSTRAINTS_FAILURE_NO_POE"],
                 online=True),
    )  # fmt: skip
    put(
        "adbe-detached-enveloping.pdf",
        _sign_enveloping(pki, "/adbe.pkcs7.detached", "sha256"),
        Expected("", "3 enveloping adbe.pkcs7.detached", [PASSED], [None], online=True),
    )
    # 5. changes after signing: DSS refreshed (allowed), annotation (warning), page (fails)
    put(
        "mod-dss-refresh.pdf",
        _doc_timestamp(blt, pki),
        Expected("", "5 DSS/time stamp update allowed", [PASSED], [None],
                 categories=["time stamp added"]),
    )  # fmt: skip
    put(
        "mod-annotation.pdf",
        _annotate(blt),
        Expected("", "5 annotation added, a warning", [PASSED], [None],
                 categories=["annotation added"]),
    )  # fmt: skip
    put(
        "mod-page-added.pdf",
        _add_page(blt),
        Expected("", "5 page added, not allowed", [FAILED], ["FORMAT_FAILURE"],
                 categories=["page added"]),
    )  # fmt: skip
    # 6. files DSS can read: encrypted with an empty user password; damaged xref; many signatures
    put(
        "encrypted-empty-password.pdf",
        _sign_encrypted(_encrypted_sample(), pki),
        Expected("", "6 encrypted, empty user password", [PASSED], [None],
                 notes=["encrypted"], online=True),
    )  # fmt: skip
    put(
        "damaged-xref.pdf",
        _damage_last_xref(_annotate(blt)),
        Expected("", "6 damaged cross-reference table", [PASSED], [None], notes=["recovered"]),
    )  # fmt: skip
    many = sample_pdf()
    for i in range(5):
        many = sign_pdf(
            many, pki=pki, signer="my-signer-qc", baseline="B-LT", field_name=f"Signature{i + 1}"
        )
    put(
        "five-signatures-and-timestamp.pdf",
        _doc_timestamp(many, pki),
        Expected("", "6 five signatures and a document time stamp", [PASSED] * 5, [None] * 5),
    )
    # two signers whose certificates come from the same CA, each with its own OCSP response in
    # the DSS: the other signer's response never concerns this one's validation
    for baseline in ("B-LT", "B-LTA"):
        first = sign_pdf(sample_pdf(), pki=pki, signer="my-signer", baseline=baseline)
        both = sign_pdf(
            first, pki=pki, signer="my-signer-qc", baseline=baseline, field_name="Signature2"
        )
        put(
            f"two-signers-same-ca-{baseline.lower()}.pdf",
            both,
            Expected("", f"5 two signers of one CA, {baseline}, offline", [PASSED] * 2, [None] * 2),
        )
    # 4. plain ECDSA (r||s) verified; a signature algorithm in the digest slot explained
    put(
        "ecdsa-plain.pdf",
        _sign_with(_simple(pki, "my-signer-ec", "my-root", _PlainEcdsaSigner)),
        Expected("", "4 plain ECDSA (BSI TR-03111)", [PASSED], [None], online=True),
    )
    put(
        "digest-slot-signature-algorithm.pdf",
        _signature_algorithm_in_digest_slot(
            sign_pdf(sample_pdf(), pki=pki, signer="my-signer", baseline="B-B")
        ),
        Expected("", "4 signature algorithm in the digest slot", [FAILED], ["FORMAT_FAILURE"]),
    )
    # 7. a damaged CMS: a plain reason, no exception text
    put(
        "damaged-cms.pdf",
        _zero_contents(sign_pdf(sample_pdf(), pki=pki, signer="my-signer-qc", baseline="B-B")),
        Expected("", "7 explanations", [FAILED], ["FORMAT_FAILURE"]),
    )
    # 9. B-LT and B-LTA as signed (the time-travel test checks them later in time)
    put("blt.pdf", blt, Expected("", "9 B-LT stays valid", [PASSED], [None]))
    put("blta.pdf", blta, Expected("", "9 B-LTA stays valid", [PASSED], [None]))
    # 10. revoked before signing: no level
    put(
        "revoked-signer.pdf",
        sign_pdf(sample_pdf(), pki=pki, signer="my-signer-revoked", baseline="B-B"),
        Expected("", "10 revoked signer has no level", [INDET], ["REVOKED_NO_POE"], online=True),
    )
    (out / "expected.json").write_text(
        json.dumps([{**asdict(e), "signatures": e.signatures} for e in entries], indent=2)
    )
    return entries


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tests.signatures.realworld.make_corpus DIR", file=sys.stderr)
        return 2
    with serve() as pki:
        entries = build(Path(args[0]), pki)
    print(f"{len(entries)} files written to {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
