"""Generator of the non-PDF signature fixtures: XAdES, JAdES, CAdES, ASiC and MyInvois e-invoices.

Every file is made here with the libraries (signxml, joserfc, pyHanko's CMS signer, certomancer's
sandbox PKI and time-stamping authority) and small edits, one per class of problem the validator
must get right; ``expected.json`` records, per file, the indication, sub-indication, number of
signatures and baseline level it must get. Nothing is copied from elsewhere.

Run ``python tests/signatures/realworld/make_formats.py OUT_DIR`` to write the files (the
sandbox PKI is served on loopback while it runs); the tests call :func:`generate`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import cms, core, x509
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, KeyLabel
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jws
from joserfc.jwk import RSAKey
from lxml import etree
from pyhanko.sign import signers
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.registry import SimpleCertificateStore
from signxml import SignatureConstructionMethod
from signxml.xades import XAdESSigner

from eauth_toolkit.signatures._aio import run_sync
from eauth_toolkit.signatures.einvoice_sign import (
    sample_invoice_json,
    sample_invoice_xml,
    sign_myinvois_json,
    sign_myinvois_xml,
)
from eauth_toolkit.signatures.jades import jades_registry
from eauth_toolkit.signatures.sandbox import PKI_CONFIG, SandboxPKI
from eauth_toolkit.signatures.xades import XmlSignature, _archive_input, reference_octets

__all__ = ["Case", "generate"]

HERE = Path(__file__).parent
DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
CONTRACT = b"SANDBOX contract: delivery of 2 laptops, 3,300.00 MYR\n"
ORDER = b'<order xmlns="urn:example:sandbox"><item>laptop</item><total currency="MYR">3300.00</total></order>'
TERMS = b'<terms xmlns="urn:example:sandbox"><payment>30 days</payment></terms>'


@dataclass
class Case:
    """One fixture and what the validator must say about it."""

    file: str
    format: str | None
    indication: str | None
    sub_indication: str | None = None
    count: int = 1
    baseline: str | None = None
    data: list[str] = field(default_factory=list)
    online: bool = False
    at: str | None = None
    error: bool = False
    proven: bool = False
    note: str | None = None
    reason: str | None = None
    warning: str | None = None
    what: str = ""


# ---- helpers ---------------------------------------------------------------------------


def _formats_arch() -> Any:
    cfg = CertomancerConfig.from_file(
        str(HERE / "formats_pki.yml"), key_search_dir=str(PKI_CONFIG.parent / "keys")
    )
    return cfg.get_pki_arch(ArchLabel("formats"))


def _pyca_key(info: Any) -> Any:
    return serialization.load_der_private_key(info.dump(), password=None)


def _issuer(pki: SandboxPKI, signer: str) -> x509.Certificate:
    return pki.cert("sg-root" if signer.startswith("sg-") else "my-root")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tst(pki: SandboxPKI, data: bytes) -> cms.ContentInfo:
    stamper = HTTPTimeStamper(pki.tsa_url)
    return run_sync(lambda: stamper.async_timestamp(hashlib.sha256(data).digest(), "sha256"))


def _revinfo(
    pki: SandboxPKI, cert: x509.Certificate, issuer: x509.Certificate
) -> tuple[list[Any], list[Any]]:
    """OCSP responses and CRLs for ``cert``, fetched from the sandbox responders."""
    vc = ValidationContext(
        trust_roots=[issuer], allow_fetching=True, fetcher_backend=RequestsFetcherBackend()
    )
    run_sync(
        lambda: CertificateValidator(cert, validation_context=vc).async_validate_usage(
            {"digital_signature"}
        )
    )
    return list(vc.ocsps), list(vc.crls)


def _e(parent: Any, ns: str, name: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, f"{{{ns}}}{name}", attrib=attrs)
    if text is not None:
        el.text = text
    return el


# ---- XAdES -----------------------------------------------------------------------------


def _xades(
    data: bytes,
    cert: x509.Certificate,
    key: Any,
    chain: list[x509.Certificate],
    *,
    method: SignatureConstructionMethod = SignatureConstructionMethod.enveloped,
    reference_uri: str | None = None,
) -> Any:
    from cryptography import x509 as cx509

    signer = XAdESSigner(method=method, signature_algorithm="rsa-sha256")
    payload: Any = (
        data if method != SignatureConstructionMethod.enveloped else etree.fromstring(data)
    )
    kwargs: dict[str, Any] = {}
    if reference_uri:
        kwargs["reference_uri"] = [reference_uri]
    return signer.sign(
        payload,
        key=key,
        cert=[cx509.load_der_x509_certificate(c.dump()) for c in [cert, *chain]],
        **kwargs,
    )


def _signature_el(root: Any) -> Any:
    return root if root.tag == f"{{{DS}}}Signature" else root.find(f".//{{{DS}}}Signature")


def _unsigned_props(sig: Any) -> Any:
    qp = sig.find(f"{{{DS}}}Object/{{{XADES}}}QualifyingProperties")
    up = _e(qp, XADES, "UnsignedProperties")
    return _e(up, XADES, "UnsignedSignatureProperties")


def _xades_extend(
    pki: SandboxPKI,
    root: Any,
    level: str,
    signer: str,
    *,
    stamps: tuple[Any, Any] | None = None,
    values: tuple[list[Any], list[Any], list[Any]] | None = None,
) -> Any:
    """Add a signature time stamp (B-T), validation data (B-LT), an archive time stamp (B-LTA).
    ``stamps``: the signature and archive time stampers (data -> token), by default the
    sandbox TSA; ``values``: the certificates, OCSP responses and CRLs, by default fetched."""
    sig_tst, arc_tst = stamps or (lambda d: _tst(pki, d), lambda d: _tst(pki, d))
    sig = _signature_el(root)
    usp = _unsigned_props(sig)
    ts = _e(usp, XADES, "SignatureTimeStamp")
    _e(ts, DS, "CanonicalizationMethod", Algorithm=C14N)
    value = sig.find(f"{{{DS}}}SignatureValue")
    token = sig_tst(etree.tostring(value, method="c14n"))
    _e(ts, XADES, "EncapsulatedTimeStamp", _b64(token.dump()))
    if level == "B-T":
        return root
    if values is None:
        cert, issuer = pki.cert(signer), _issuer(pki, signer)
        ocsps, crls = _revinfo(pki, cert, issuer)
        values = ([issuer, pki.cert("tsa"), pki.cert("tsa-root")], ocsps, crls)
    certs, ocsps, crls = values
    cv = _e(usp, XADES, "CertificateValues")
    for c in certs:
        _e(cv, XADES, "EncapsulatedX509Certificate", _b64(c.dump()))
    rv = _e(usp, XADES, "RevocationValues")
    if crls:
        crl_el = _e(rv, XADES, "CRLValues")
        for c in crls:
            _e(crl_el, XADES, "EncapsulatedCRLValue", _b64(c.dump()))
    if ocsps:
        ocsp_el = _e(rv, XADES, "OCSPValues")
        for o in ocsps:
            _e(ocsp_el, XADES, "EncapsulatedOCSPValue", _b64(o.dump()))
    if level == "B-LT":
        return root
    ats = etree.SubElement(usp, f"{{{XADES141}}}ArchiveTimeStamp", nsmap={"xades141": XADES141})
    _e(ats, DS, "CanonicalizationMethod", Algorithm=C14N)
    enc = _e(ats, XADES, "EncapsulatedTimeStamp", "")
    imprint = _archive_input(XmlSignature(root, sig), ats, C14N, None)
    enc.text = _b64(arc_tst(imprint).dump())
    return root


def _xml_bytes(root: Any) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _resign_sha1(root: Any, key: rsa.RSAPrivateKey) -> Any:
    """Small edit: the same signature made with RSA-SHA1 (a weak algorithm under the policy)."""
    sig = _signature_el(root)
    si = sig.find(f"{{{DS}}}SignedInfo")
    si.find(f"{{{DS}}}SignatureMethod").set(
        "Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    )
    method = si.find(f"{{{DS}}}CanonicalizationMethod").get("Algorithm")
    exclusive = "exc-c14n" in method
    value = key.sign(
        etree.tostring(si, method="c14n", exclusive=exclusive), padding.PKCS1v15(), hashes.SHA1()
    )
    sig.find(f"{{{DS}}}SignatureValue").text = _b64(value)
    return root


def _resign(root: Any, key: rsa.RSAPrivateKey, ref_attrs: str = "", si_attrs: str = "") -> Any:
    """Small edit: recompute the digests of the same-document references (no transforms:
    Canonical XML 1.0) and the RSA-SHA256 signature value over ds:SignedInfo. ``ref_attrs`` and
    ``si_attrs`` are the ``xml:`` attributes the canonical form of a document subset's apex
    takes from its ancestors, written out here by hand into lxml's canonical bytes (which
    leave them out): every ``xml:`` attribute under 1.0, only ``xml:lang``/``xml:space`` under
    Canonical XML 1.1."""

    def canonical(el: Any, extra: str) -> bytes:
        octets = etree.tostring(el, method="c14n")
        end = octets.index(b">")
        return octets[:end] + extra.encode() + octets[end:]

    sig = _signature_el(root)
    si = sig.find(f"{{{DS}}}SignedInfo")
    for ref in si.iterfind(f"{{{DS}}}Reference"):
        uri = ref.get("URI") or ""
        if not uri.startswith("#"):
            continue
        (target,) = root.xpath("//*[@Id=$v]", v=uri[1:])
        digest = hashlib.sha256(canonical(target, ref_attrs)).digest()
        ref.find(f"{{{DS}}}DigestValue").text = _b64(digest)
    value = key.sign(canonical(si, si_attrs), padding.PKCS1v15(), hashes.SHA256())
    sig.find(f"{{{DS}}}SignatureValue").text = _b64(value)
    return root


def _counter_sign(root: Any, cert: x509.Certificate, issuer: x509.Certificate, key: Any) -> Any:
    """Small edit: a counter-signature (EN 319 132-1, 5.4.2) over the signature value, made with
    lxml's exclusive canonicalisation and the signer's key."""
    exc = "http://www.w3.org/2001/10/xml-exc-c14n#"
    sig = _signature_el(root)
    value = sig.find(f"{{{DS}}}SignatureValue")
    value.set("Id", "parent-signature-value")
    counter = _e(
        _e(_unsigned_props(sig), XADES, "CounterSignature"), DS, "Signature", Id="counter-1"
    )
    si = _e(counter, DS, "SignedInfo")
    _e(si, DS, "CanonicalizationMethod", Algorithm=exc)
    _e(si, DS, "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    ref = _e(
        si,
        DS,
        "Reference",
        URI="#parent-signature-value",
        Type="http://uri.etsi.org/01903#CountersignedSignature",
    )
    _e(_e(ref, DS, "Transforms"), DS, "Transform", Algorithm=exc)
    _e(ref, DS, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    digest = hashlib.sha256(etree.tostring(value, method="c14n", exclusive=True)).digest()
    _e(ref, DS, "DigestValue", _b64(digest))
    sv = _e(counter, DS, "SignatureValue", "")
    x509data = _e(_e(counter, DS, "KeyInfo"), DS, "X509Data")
    for c in (cert, issuer):
        _e(x509data, DS, "X509Certificate", _b64(c.dump()))
    signed = etree.tostring(si, method="c14n", exclusive=True)
    sv.text = _b64(key.sign(signed, padding.PKCS1v15(), hashes.SHA256()))
    return root


def _make_xades(pki: SandboxPKI, out: Path, arch: Any) -> list[Case]:
    cases: list[Case] = []
    signer = "my-signer-qc"
    cert, key = pki.cert(signer), _pyca_key(pki.key(signer))
    chain = [_issuer(pki, signer)]
    doc = b'<invoice xmlns="urn:example:sandbox"><amount currency="MYR">3300.00</amount></invoice>'

    def write(name: str, data: bytes) -> None:
        (out / name).write_bytes(data)

    bb = _xml_bytes(_xades(doc, cert, key, chain))
    write("xades-enveloped-B-B.xml", bb)
    cases.append(
        Case(
            "xades-enveloped-B-B.xml",
            "XAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="enveloped",
        )
    )
    write("xades-bom.xml", b"\xef\xbb\xbf" + bb)
    cases.append(
        Case(
            "xades-bom.xml",
            "XAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="UTF-8 byte-order mark",
        )
    )
    text = bb.decode("utf-8").replace(
        "<?xml version='1.0' encoding='UTF-8'?>", '<?xml version="1.0" encoding="UTF-16"?>'
    )
    write("xades-utf16.xml", text.encode("utf-16"))
    cases.append(
        Case(
            "xades-utf16.xml",
            "XAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="UTF-16 document",
        )
    )
    write("xades-tampered.xml", bb.replace(b">3300.00<", b">33.00<"))
    cases.append(
        Case(
            "xades-tampered.xml",
            "XAdES",
            "TOTAL-FAILED",
            "HASH_FAILURE",
            baseline="B-B",
            online=True,
            reason="the whole document",
            what="document changed after signing",
        )
    )
    props = etree.fromstring(bb)
    st = props.find(f".//{{{XADES}}}SigningTime")
    st.text = "2020-01-01T00:00:00Z"
    write("xades-props-tampered.xml", _xml_bytes(props))
    cases.append(
        Case(
            "xades-props-tampered.xml",
            "XAdES",
            "TOTAL-FAILED",
            "HASH_FAILURE",
            baseline="B-B",
            online=True,
            reason="signed properties",
            what="signing time changed",
        )
    )
    sha1 = _resign_sha1(etree.fromstring(bb), key)
    write("xades-rsa-sha1.xml", _xml_bytes(sha1))
    cases.append(
        Case(
            "xades-rsa-sha1.xml",
            "XAdES",
            "INDETERMINATE",
            "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            baseline="B-B",
            online=True,
            what="RSA-SHA1 signature",
        )
    )
    enveloping = _xades(ORDER, cert, key, chain, method=SignatureConstructionMethod.enveloping)
    write("xades-enveloping.xml", _xml_bytes(enveloping))
    cases.append(
        Case(
            "xades-enveloping.xml",
            "XAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="root is ds:Signature",
        )
    )
    write("order.xml", ORDER)
    detached = _xades(
        ORDER,
        cert,
        key,
        chain,
        method=SignatureConstructionMethod.detached,
        reference_uri="order.xml",
    )
    write("xades-detached.xml", _xml_bytes(detached))
    cases.append(
        Case(
            "xades-detached.xml",
            "XAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            data=["order.xml"],
            what="detached, data given",
        )
    )
    cases.append(
        Case(
            "xades-detached.xml",
            "XAdES",
            "INDETERMINATE",
            "SIGNED_DATA_NOT_FOUND",
            baseline="B-B",
            online=True,
            what="detached, data not given",
        )
    )
    write("order-changed.xml", ORDER.replace(b"3300.00", b"33.00"))
    cases.append(
        Case(
            "xades-detached.xml",
            "XAdES",
            "TOTAL-FAILED",
            "HASH_FAILURE",
            baseline="B-B",
            online=True,
            data=["order-changed.xml"],
            what="detached, other data",
        )
    )
    sg = "sg-signer-qc"
    countered = _counter_sign(
        etree.fromstring(bb), pki.cert(sg), _issuer(pki, sg), _pyca_key(pki.key(sg))
    )
    write("xades-counter.xml", _xml_bytes(countered))
    cases.append(
        Case(
            "xades-counter.xml",
            "XAdES",
            "TOTAL-PASSED",
            count=2,
            online=True,
            note=None,
            what="counter-signature",
        )
    )
    # signatures in the namespaces of XAdES 1.2.2 and 1.1.1 (TS 101 903), still in circulation
    for version in ("1.2.2", "1.1.1"):
        old = bb.replace(XADES.encode(), f"http://uri.etsi.org/01903/v{version}#".encode())
        write(f"xades-v{version}.xml", _xml_bytes(_resign(etree.fromstring(old), key)))
        cases.append(
            Case(
                f"xades-v{version}.xml",
                "XAdES",
                "TOTAL-PASSED",
                baseline="B-B",
                online=True,
                what=f"XAdES {version} namespace",
            )
        )
    # a document whose root carries xml:lang and xml:id: ds:SignedInfo is canonicalised with
    # Canonical XML 1.1 (inherits xml:lang only), the references without transforms with 1.0
    # (inherit xml:id and xml:lang)
    lang_doc = doc.replace(b'sandbox">', b'sandbox" xml:lang="ms" xml:id="inv-1">', 1)
    c14n11 = _resign(
        _xades(lang_doc, cert, key, chain),
        key,
        ref_attrs=' xml:id="inv-1" xml:lang="ms"',
        si_attrs=' xml:lang="ms"',
    )
    assert (
        _signature_el(c14n11)
        .find(f"{{{DS}}}SignedInfo/{{{DS}}}CanonicalizationMethod")
        .get("Algorithm")
        == "http://www.w3.org/2006/12/xml-c14n11"
    )
    write("xades-c14n11-xml-attrs.xml", _xml_bytes(c14n11))
    cases.append(
        Case(
            "xades-c14n11-xml-attrs.xml",
            "XAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="Canonical XML 1.1 and 1.0 with inherited xml: attributes",
        )
    )
    for level in ("B-T", "B-LT", "B-LTA"):
        root = _xades_extend(pki, _xades(doc, cert, key, chain), level, signer)
        name = f"xades-{level}.xml"
        write(name, _xml_bytes(root))
        # B-LT and B-LTA carry their revocation values: they validate offline
        cases.append(
            Case(
                name,
                "XAdES",
                "TOTAL-PASSED",
                baseline=level,
                online=level == "B-T",
                proven=True,
                what=f"baseline {level}",
            )
        )
    expired, ekey = (
        arch.get_cert(CertLabel("expired-signer")),
        _pyca_key(arch.key_set.get_private_key(KeyLabel("expired-signer"))),
    )
    ex = _xml_bytes(_xades(doc, expired, ekey, [arch.get_cert(CertLabel("my-root"))]))
    write("xades-expired-signer.xml", ex)
    cases.append(
        Case(
            "xades-expired-signer.xml",
            "XAdES",
            "INDETERMINATE",
            "OUT_OF_BOUNDS_NO_POE",
            baseline="B-B",
            what="expired signer, validated now",
        )
    )
    cases.append(
        Case(
            "xades-expired-signer.xml",
            "XAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            at="2024-06-01T00:00:00Z",
            what="expired signer, --at inside its validity",
        )
    )
    return cases


# ---- JAdES -----------------------------------------------------------------------------


def _jose_key(pki: SandboxPKI, signer: str) -> RSAKey:
    return RSAKey.import_key(
        _pyca_key(pki.key(signer)).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _jades_header(pki: SandboxPKI, signer: str, **extra: Any) -> dict[str, Any]:
    cert = pki.cert(signer)
    header = {
        "alg": "RS256",
        "typ": "jose",
        "x5c": [_b64(c.dump()) for c in (cert, _issuer(pki, signer))],
        "x5t#S256": _b64url(hashlib.sha256(cert.dump()).digest()),
        "sigT": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "crit": ["sigT"],
    }
    header.update(extra)
    return header


def _flat(pki: SandboxPKI, signer: str, payload: bytes, **extra: Any) -> dict[str, Any]:
    header = _jades_header(pki, signer, **extra)
    return dict(
        jws.serialize_json(
            {"protected": header},
            payload,
            _jose_key(pki, signer),
            registry=jades_registry(["RS256"]),
        )
    )  # type: ignore[arg-type]


def _etsi_u(name: str, value: Any) -> str:
    return _b64url(json.dumps({name: value}, separators=(",", ":")).encode())


def _make_jades(pki: SandboxPKI, out: Path) -> list[Case]:
    cases: list[Case] = []
    payload = b'{"invoice":"SANDBOX-1","amount":"3300.00","currency":"MYR"}'
    reg = jades_registry(["RS256"])

    def write(name: str, data: bytes | str | dict[str, Any]) -> None:
        if isinstance(data, dict):
            data = json.dumps(data, indent=1)
        (out / name).write_bytes(data.encode() if isinstance(data, str) else data)

    compact = jws.serialize_compact(
        _jades_header(pki, "sg-signer-qc"), payload, _jose_key(pki, "sg-signer-qc"), registry=reg
    )
    write("jades-compact-B-B.jws", compact)
    cases.append(
        Case(
            "jades-compact-B-B.jws",
            "JAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="compact",
        )
    )
    h, p, s = compact.split(".")
    forged = f"{h}.{_b64url(payload.replace(b'3300', b'33'))}.{s}"
    write("jades-tampered.jws", forged)
    cases.append(
        Case(
            "jades-tampered.jws",
            "JAdES",
            "TOTAL-FAILED",
            "SIG_CRYPTO_FAILURE",
            online=True,
            what="payload changed",
        )
    )
    flat = _flat(pki, "my-signer-qc", payload)
    write("jades-flattened.json", flat)
    cases.append(
        Case(
            "jades-flattened.json",
            "JAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="flattened JSON",
        )
    )
    second = _flat(pki, "sg-signer-qc", payload)
    general = {
        "payload": flat["payload"],
        "signatures": [
            {k: v for k, v in flat.items() if k != "payload"},
            {k: v for k, v in second.items() if k != "payload"},
        ],
    }
    write("jades-general-2.json", general)
    cases.append(
        Case(
            "jades-general-2.json",
            "JAdES",
            "TOTAL-PASSED",
            count=2,
            baseline="B-B",
            online=True,
            what="general JSON, two signers",
        )
    )
    cert = pki.cert("my-signer-qc")
    etsi = _flat(
        pki,
        "my-signer-qc",
        payload,
        **{
            "x5t#o": {"digAlg": "S512", "digVal": _b64url(hashlib.sha512(cert.dump()).digest())},
            "sigX5ts": [
                {"digAlg": "S256", "digVal": _b64url(hashlib.sha256(cert.dump()).digest())}
            ],
            "sigPId": {
                "id": "urn:oid:1.3.6.1.4.1.99999.1.1",
                "digAlg": "S256",
                "digVal": _b64url(b"\x00" * 32),
            },
            "srCms": [{"commId": {"id": "http://uri.etsi.org/01903/v1.2.2#ProofOfApproval"}}],
            "sigPl": {"addressCountry": "MY"},
            "srAts": {"claimed": [{"role": "SANDBOX finance officer"}]},
            "crit": ["sigT", "x5t#o", "sigX5ts", "sigPId", "srCms", "sigPl", "srAts"],
        },
    )
    write("jades-etsi-headers.json", etsi)
    cases.append(
        Case(
            "jades-etsi-headers.json",
            "JAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="ETSI header parameters, critical",
        )
    )
    # a counter-signature (cSig): a detached compact JWS over the signature value
    counter = jws.serialize_compact(
        _jades_header(pki, "sg-signer-qc"),
        base64.urlsafe_b64decode(flat["signature"] + "=" * (-len(flat["signature"]) % 4)),
        _jose_key(pki, "sg-signer-qc"),
        registry=reg,
    )
    ch, _, cs = counter.split(".")
    countered = dict(flat, header={"etsiU": [_etsi_u("cSig", f"{ch}..{cs}")]})
    write("jades-counter.json", countered)
    cases.append(
        Case(
            "jades-counter.json",
            "JAdES",
            "TOTAL-PASSED",
            count=2,
            baseline="B-B",
            online=True,
            what="counter-signature (cSig)",
        )
    )
    # the signing certificate named only by kid (IssuerSerial), given in xVals after its issuer
    from asn1crypto import tsp

    kid = tsp.IssuerSerial(
        {
            "issuer": [x509.GeneralName({"directory_name": cert.issuer})],
            "serial_number": cert.serial_number,
        }
    )
    by_kid = dict(
        jws.serialize_json(
            {
                "protected": {
                    "alg": "RS256",
                    "kid": _b64(kid.dump()),
                    "sigT": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "crit": ["sigT"],
                }
            },
            payload,
            _jose_key(pki, "my-signer-qc"),
            registry=reg,
        )
    )  # type: ignore[arg-type]
    x_vals = [{"x509Cert": _b64(c.dump())} for c in (_issuer(pki, "my-signer-qc"), cert)]
    by_kid["header"] = {"etsiU": [_etsi_u("xVals", x_vals)]}
    write("jades-kid.json", by_kid)
    cases.append(
        Case(
            "jades-kid.json",
            "JAdES",
            "TOTAL-PASSED",
            online=True,
            what="signing certificate named by kid only",
        )
    )
    # detached: sigD ObjectIdByURIHash
    (out / "contract.txt").write_bytes(CONTRACT)
    sig_d = {
        "mId": "http://uri.etsi.org/19182/ObjectIdByURIHash",
        "pars": ["contract.txt"],
        "hashM": "S256",
        "hashV": [_b64url(hashlib.sha256(CONTRACT).digest())],
    }
    det = jws.serialize_compact(
        _jades_header(pki, "my-signer-qc", sigD=sig_d, crit=["sigT", "sigD"]),
        b"",
        _jose_key(pki, "my-signer-qc"),
        registry=reg,
    )
    write("jades-sigd.jws", det)
    cases.append(
        Case(
            "jades-sigd.jws",
            "JAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            data=["contract.txt"],
            what="sigD detached",
        )
    )
    (out / "contract-changed.txt").write_bytes(CONTRACT.replace(b"3,300", b"9,300"))
    cases.append(
        Case(
            "jades-sigd.jws",
            "JAdES",
            "TOTAL-FAILED",
            "HASH_FAILURE",
            online=True,
            data=["contract-changed.txt"],
            what="sigD detached, other data",
        )
    )
    plain = jws.detach_content(
        jws.serialize_compact(
            _jades_header(pki, "my-signer-qc"),
            CONTRACT,
            _jose_key(pki, "my-signer-qc"),
            registry=reg,
        )
    )
    write("jades-detached.jws", plain)
    cases.append(
        Case(
            "jades-detached.jws",
            "JAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            data=["contract.txt"],
            what="detached payload",
        )
    )
    # malformed crit: a string, not a list (small edit, re-signed with the key)
    bad = _jades_header(pki, "my-signer-qc", crit="sigT")
    hb = _b64url(json.dumps(bad).encode())
    pb = _b64url(payload)
    sig = _pyca_key(pki.key("my-signer-qc")).sign(
        f"{hb}.{pb}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    write("jades-bad-crit.jws", f"{hb}.{pb}.{_b64url(sig)}")
    cases.append(
        Case(
            "jades-bad-crit.jws",
            "JAdES",
            "TOTAL-FAILED",
            "FORMAT_FAILURE",
            online=True,
            reason="crit",
            what="crit is not a list",
        )
    )
    # B-T, B-LT, B-LTA in the unprotected etsiU header
    for level in ("B-T", "B-LT", "B-LTA"):
        doc = _flat(pki, "my-signer-qc", payload)
        comps = [
            _etsi_u(
                "sigTst",
                {"tstTokens": [{"val": _b64(_tst(pki, doc["signature"].encode()).dump())}]},
            )
        ]
        if level != "B-T":
            ocsps, crls = _revinfo(pki, cert, pki.cert("my-root"))
            comps.append(
                _etsi_u(
                    "xVals",
                    [
                        {"x509Cert": {"val": _b64(c.dump())}}
                        for c in (pki.cert("my-root"), pki.cert("tsa"), pki.cert("tsa-root"))
                    ],
                )
            )
            comps.append(
                _etsi_u(
                    "rVals",
                    {
                        "ocspVals": [{"val": _b64(o.dump())} for o in ocsps],
                        "crlVals": [{"val": _b64(c.dump())} for c in crls],
                    },
                )
            )
        if level == "B-LTA":
            imprint = (
                doc["payload"] + "." + doc["protected"] + "." + doc["signature"] + "".join(comps)
            ).encode()
            comps.append(
                _etsi_u("arcTst", {"tstTokens": [{"val": _b64(_tst(pki, imprint).dump())}]})
            )
        doc["header"] = {"etsiU": comps}
        write(f"jades-{level}.json", doc)
        cases.append(
            Case(
                f"jades-{level}.json",
                "JAdES",
                "TOTAL-PASSED",
                baseline=level,
                online=level == "B-T",
                proven=True,
                what=f"baseline {level}",
            )
        )
    return cases


# ---- CAdES -----------------------------------------------------------------------------


def _simple(pki: SandboxPKI, signer: str) -> signers.SimpleSigner:
    return signers.SimpleSigner(
        signing_cert=pki.cert(signer),
        signing_key=pki.key(signer),
        cert_registry=SimpleCertificateStore.from_certs([_issuer(pki, signer)]),
    )


def _cms(
    pki: SandboxPKI, data: bytes, signer: str = "my-signer-qc", *, detached: bool, ts: bool
) -> cms.ContentInfo:
    simple = _simple(pki, signer)
    stamper = HTTPTimeStamper(pki.tsa_url) if ts else None
    return run_sync(
        lambda: simple.async_sign_general_data(
            data, "sha256", detached=detached, use_cades=True, timestamper=stamper
        )
    )


def _add_unsigned(si: cms.SignerInfo, attr: str, value: Any) -> None:
    attrs = list(si["unsigned_attrs"]) if si["unsigned_attrs"].native else []
    attrs.append(cms.CMSAttribute({"type": attr, "values": [value]}))
    si["unsigned_attrs"] = cms.CMSAttributes(attrs)


def _ber(der: bytes) -> bytes:
    """Small edit: the CMS in BER as streaming signers write it: indefinite lengths for the
    ContentInfo, its [0], the SignedData and the encapsulated content, whose OCTET STRING is
    constructed from chunks."""
    eoc = b"\x00\x00"
    info = cms.ContentInfo.load(der)
    sd = info["content"]
    encap = sd["encap_content_info"]
    content = encap["content"].native
    chunks = b"".join(
        core.OctetString(content[i : i + 16]).dump() for i in range(0, len(content), 16)
    )
    encap_ber = (
        b"\x30\x80" + encap["content_type"].dump() + b"\xa0\x80\x24\x80" + chunks + eoc + eoc + eoc
    )
    fields = [sd["version"].dump(), sd["digest_algorithms"].dump(), encap_ber]
    fields += [sd[k].dump() for k in ("certificates", "crls") if sd[k].native is not None]
    fields.append(sd["signer_infos"].dump())
    signed_ber = b"\x30\x80" + b"".join(fields) + eoc
    out = b"\x30\x80" + info["content_type"].dump() + b"\xa0\x80" + signed_ber + eoc + eoc
    assert cms.ContentInfo.load(out)["content"]["encap_content_info"]["content"].native == content
    return out


def _make_cades(pki: SandboxPKI, out: Path) -> list[Case]:
    cases: list[Case] = []
    (out / "contract.txt").write_bytes(CONTRACT)
    (out / "contract-changed.txt").write_bytes(CONTRACT.replace(b"3,300", b"9,300"))

    def write(name: str, info: cms.ContentInfo | bytes) -> None:
        (out / name).write_bytes(info if isinstance(info, bytes) else info.dump())

    write("cades-B-B.p7s", _cms(pki, CONTRACT, detached=True, ts=False))
    cases.append(
        Case(
            "cades-B-B.p7s",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            data=["contract.txt"],
            what="detached, --data",
        )
    )
    cases.append(
        Case(
            "cades-B-B.p7s",
            "CAdES",
            "TOTAL-FAILED",
            "HASH_FAILURE",
            online=True,
            data=["contract-changed.txt"],
            what="detached, other data",
        )
    )
    cases.append(Case("cades-B-B.p7s", "CAdES", None, error=True, what="detached, no data"))
    bt = _cms(pki, CONTRACT, detached=True, ts=True)
    write("cades-B-T.p7s", bt)
    cases.append(
        Case(
            "cades-B-T.p7s",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-T",
            online=True,
            proven=True,
            data=["contract.txt"],
            what="signature time stamp",
        )
    )
    # a time stamp over something else: no proven time, and said so
    broken = cms.ContentInfo.load(bt.dump())
    bsi = broken["content"]["signer_infos"][0]
    attrs = [a for a in bsi["unsigned_attrs"] if a["type"].native != "signature_time_stamp_token"]
    bsi["unsigned_attrs"] = cms.CMSAttributes(attrs)
    _add_unsigned(bsi, "signature_time_stamp_token", _tst(pki, b"some other data"))
    write("cades-broken-ts.p7s", broken)
    cases.append(
        Case(
            "cades-broken-ts.p7s",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-T",
            online=True,
            data=["contract.txt"],
            warning="message imprint differs",
            what="time stamp over other data",
        )
    )
    # B-LT: the certificates and the OCSP response / CRL in the SignedData
    cert = pki.cert("my-signer-qc")
    ocsps, crls = _revinfo(pki, cert, pki.cert("my-root"))
    lt = cms.ContentInfo.load(bt.dump())
    sd = lt["content"]
    certs = list(sd["certificates"]) + [
        cms.CertificateChoices({"certificate": c}) for c in (pki.cert("tsa"), pki.cert("tsa-root"))
    ]
    sd["certificates"] = cms.CertificateSet(certs)
    rev = [cms.RevocationInfoChoice({"crl": c}) for c in crls]
    rev += [
        cms.RevocationInfoChoice(
            {"other": {"other_rev_info_format": "ocsp_response", "other_rev_info": o}}
        )
        for o in ocsps
    ]
    sd["crls"] = cms.RevocationInfoChoices(rev)
    write("cades-B-LT.p7s", lt)
    cases.append(
        Case(
            "cades-B-LT.p7s",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-LT",
            proven=True,
            data=["contract.txt"],
            what="embedded revocation data, offline",
        )
    )
    lta = cms.ContentInfo.load(lt.dump())
    si = lta["content"]["signer_infos"][0]
    _add_unsigned(si, "1.2.840.113549.1.9.16.2.48", _tst(pki, lt.dump()))
    write("cades-B-LTA.p7s", lta)
    cases.append(
        Case(
            "cades-B-LTA.p7s",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-LTA",
            proven=True,
            data=["contract.txt"],
            what="archive time stamp",
        )
    )
    # parallel signers
    one = _cms(pki, CONTRACT, "my-signer-qc", detached=False, ts=False)
    two = _cms(pki, CONTRACT, "sg-signer-qc", detached=False, ts=False)
    par = cms.ContentInfo.load(one.dump())
    par["content"]["signer_infos"] = cms.SignerInfos(
        [one["content"]["signer_infos"][0].copy(), two["content"]["signer_infos"][0].copy()]
    )
    par["content"]["certificates"] = cms.CertificateSet(
        list(one["content"]["certificates"]) + list(two["content"]["certificates"])
    )
    write("cades-parallel.p7m", par)
    cases.append(
        Case(
            "cades-parallel.p7m",
            "CAdES",
            "TOTAL-PASSED",
            count=2,
            baseline="B-B",
            online=True,
            what="two SignerInfos",
        )
    )
    # counter-signature: the SG signer signs the MY signer's signature value
    cs = cms.ContentInfo.load(one.dump())
    parent = cs["content"]["signer_infos"][0]
    counter = _cms(pki, parent["signature"].native, "sg-signer-qc", detached=True, ts=False)
    _add_unsigned(parent, "counter_signature", counter["content"]["signer_infos"][0].copy())
    cs["content"]["certificates"] = cms.CertificateSet(
        list(one["content"]["certificates"]) + list(counter["content"]["certificates"])
    )
    write("cades-counter.p7m", cs)
    cases.append(
        Case(
            "cades-counter.p7m",
            "CAdES",
            "TOTAL-PASSED",
            count=2,
            baseline="B-B",
            online=True,
            what="counter-signature",
        )
    )
    write("cades-ber.p7m", _ber(one.dump()))
    cases.append(
        Case(
            "cades-ber.p7m",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="BER indefinite lengths",
        )
    )
    write(
        "cades-pdf-content.p7m",
        _cms(pki, b"%PDF-1.7\n% SANDBOX a PDF inside a CMS\n", detached=False, ts=False),
    )
    cases.append(
        Case(
            "cades-pdf-content.p7m",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            what="%PDF- in the content",
        )
    )
    return cases


# ---- ASiC ------------------------------------------------------------------------------


def _zip(path: Path, mimetype: str | None, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        if mimetype:
            zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)


def _xades_signatures_file(sig: Any, key: rsa.RSAPrivateKey) -> bytes:
    """The signature inside ``asic:XAdESSignatures``. Moving it there changes the namespace
    context of its same-document references, so their digests and the signature value are
    computed again in place (as a signer writing the container does)."""
    root = etree.Element(
        "{http://uri.etsi.org/02918/v1.2.1#}XAdESSignatures",
        nsmap={"asic": "http://uri.etsi.org/02918/v1.2.1#"},
    )
    root.append(sig)
    xs = XmlSignature(root, sig)
    for ref in xs.references:
        if ref.uri and ref.uri.startswith("#"):
            octets, _ = reference_octets(xs, ref, None)
            ref.el.find(f"{{{DS}}}DigestValue").text = _b64(hashlib.sha256(octets).digest())
    si = sig.find(f"{{{DS}}}SignedInfo")
    method = si.find(f"{{{DS}}}CanonicalizationMethod").get("Algorithm")
    signed = etree.tostring(si, method="c14n", exclusive="exc-c14n" in method)
    sig.find(f"{{{DS}}}SignatureValue").text = _b64(
        key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _manifest(sig_name: str, objects: dict[str, bytes]) -> bytes:
    ns = "http://uri.etsi.org/02918/v1.2.1#"
    root = etree.Element(f"{{{ns}}}ASiCManifest", nsmap={"asic": ns, "ds": DS})
    _e(root, ns, "SigReference", URI=sig_name, MimeType="application/pkcs7-signature")
    for name, data in objects.items():
        ref = _e(root, ns, "DataObjectReference", URI=name)
        _e(ref, DS, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
        _e(ref, DS, "DigestValue", _b64(hashlib.sha256(data).digest()))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _crl_2024(arch: Any) -> Any:
    """An empty CRL of the MY CA for June 2024 (validation data for a B-LT signature of 2024)."""
    from cryptography import x509 as cx509

    root = cx509.load_der_x509_certificate(arch.get_cert(CertLabel("my-root")).dump())
    key = _pyca_key(arch.key_set.get_private_key(KeyLabel("my-root")))
    when = datetime(2024, 6, 1, 10, 5, tzinfo=UTC)
    built = (
        cx509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(when)
        .next_update(datetime(2024, 7, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    from asn1crypto import crl as asn1_crl

    return asn1_crl.CertificateList.load(built.public_bytes(serialization.Encoding.DER))


def _make_archive_poe(pki: SandboxPKI, out: Path, arch: Any) -> list[Case]:
    """A CAdES B-LTA signature of June 2024 whose signer and signature time-stamping authority
    certificates expired on 1 January 2025, archived in December 2024 by an authority still
    valid: the archive time stamp proves the signature, its time stamp and validation data
    existed while they were valid (past signature validation). Without the archive time stamp
    nothing does. A changed unsigned attribute after archiving breaks the archive time stamp."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    from eauth_toolkit.signatures.cades import (
        ATS_HASH_INDEX_V3,
        ATS_V3,
        ats_hash_index_v3,
        ats_v3_input,
    )

    def cert(label: str) -> x509.Certificate:
        return arch.get_cert(CertLabel(label))

    def stamper(label: str, when: datetime) -> DummyTimeStamper:
        return DummyTimeStamper(
            tsa_cert=cert(label),
            tsa_key=arch.key_set.get_private_key(KeyLabel(label)),
            certs_to_embed=SimpleCertificateStore.from_certs([cert("tsa-root")]),
            fixed_dt=when,
        )

    signer = signers.SimpleSigner(
        signing_cert=cert("expired-signer"),
        signing_key=arch.key_set.get_private_key(KeyLabel("expired-signer")),
        cert_registry=SimpleCertificateStore.from_certs([cert("my-root")]),
    )
    signed_at = datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    lt: cms.ContentInfo = run_sync(
        lambda: signer.async_sign_general_data(
            CONTRACT,
            "sha256",
            detached=False,
            use_cades=True,
            timestamper=stamper("old-tsa", signed_at),
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=signed_at),
        )
    )
    sd = lt["content"]
    sd["certificates"] = cms.CertificateSet(
        list(sd["certificates"]) + [cms.CertificateChoices({"certificate": cert("old-tsa")})]
    )
    sd["crls"] = cms.RevocationInfoChoices([cms.RevocationInfoChoice({"crl": _crl_2024(arch)})])
    lt = cms.ContentInfo.load(lt.dump())
    (out / "cades-poe-no-archive.p7m").write_bytes(lt.dump())

    lta = cms.ContentInfo.load(lt.dump())
    sd, si = lta["content"], lta["content"]["signer_infos"][0]
    index = ats_hash_index_v3(sd, si)
    imprint = ats_v3_input(sd, si, index, CONTRACT, "sha256")
    token = stamper("archive-tsa", datetime(2024, 12, 1, tzinfo=UTC))
    ats = run_sync(lambda: token.async_timestamp(hashlib.sha256(imprint).digest(), "sha256"))
    _add_unsigned(ats["content"]["signer_infos"][0], ATS_HASH_INDEX_V3, core.Any.load(index.dump()))
    ats = cms.ContentInfo.load(ats.dump())
    _add_unsigned(si, ATS_V3, ats)
    lta = cms.ContentInfo.load(lta.dump())
    (out / "cades-poe-archive.p7m").write_bytes(lta.dump())

    # an unsigned attribute changed after archiving: the signature time stamp replaced by a
    # copy with one more unsigned attribute of its own (example OID arc 2.999)
    changed = cms.ContentInfo.load(lta.dump())
    csi = changed["content"]["signer_infos"][0]
    attrs = list(csi["unsigned_attrs"])
    tst = cms.ContentInfo.load(attrs[0]["values"][0].dump())
    _add_unsigned(tst["content"]["signer_infos"][0], "2.999.1", core.OctetString(b"changed"))
    attrs[0] = cms.CMSAttribute({"type": attrs[0]["type"].native, "values": [tst]})
    csi["unsigned_attrs"] = cms.CMSAttributes(attrs)
    (out / "cades-poe-archive-changed.p7m").write_bytes(changed.dump())
    # an older (RFC 5126 v2) archive time stamp over something else: what it covers is not
    # recomputed, so it must not serve as proof of existence
    unrelated = cms.ContentInfo.load(lt.dump())
    token = stamper("archive-tsa", datetime(2024, 12, 1, tzinfo=UTC))
    other = run_sync(lambda: token.async_timestamp(hashlib.sha256(b"unrelated").digest(), "sha256"))
    _add_unsigned(unrelated["content"]["signer_infos"][0], "1.2.840.113549.1.9.16.2.48", other)
    (out / "cades-poe-archive-v2.p7m").write_bytes(unrelated.dump())
    later = "2026-06-01T00:00:00Z"
    cases = _xades_jades_poe(pki, out, arch, stamper, _crl_2024(arch), later)
    return cases + [
        Case(
            "cades-poe-archive.p7m",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-LTA",
            proven=True,
            at=later,
            warning="the time an archive time stamp proves",
            what="expired signature TSA and signer, archive time stamp of 2024",
        ),
        Case(
            "cades-poe-no-archive.p7m",
            "CAdES",
            "INDETERMINATE",
            "OUT_OF_BOUNDS_NO_POE",
            baseline="B-LT",
            at=later,
            warning="does not chain to a trust list",
            what="expired signature TSA and signer, no archive time stamp",
        ),
        Case(
            "cades-poe-archive-v2.p7m",
            "CAdES",
            "INDETERMINATE",
            "OUT_OF_BOUNDS_NO_POE",
            baseline="B-LTA",
            at=later,
            warning="not taken as proof of existence",
            what="a v2 archive time stamp over other data proves nothing",
        ),
        Case(
            "cades-poe-archive-changed.p7m",
            "CAdES",
            "INDETERMINATE",
            "OUT_OF_BOUNDS_NO_POE",
            baseline="B-LTA",
            at=later,
            warning="changed or removed after archiving",
            what="unsigned attribute changed after the archive-time-stamp-v3",
        ),
    ]


def _xades_jades_poe(
    pki: SandboxPKI, out: Path, arch: Any, stamper: Any, crl_2024: Any, later: str
) -> list[Case]:
    """The same proof-of-existence classes in XAdES (ArchiveTimeStamp) and JAdES (arcTst)."""
    cert = arch.get_cert(CertLabel("expired-signer"))
    key_info = arch.key_set.get_private_key(KeyLabel("expired-signer"))
    root_cert = arch.get_cert(CertLabel("my-root"))
    certs = [root_cert, arch.get_cert(CertLabel("old-tsa")), arch.get_cert(CertLabel("tsa-root"))]
    signed_at = datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    archived_at = datetime(2024, 12, 1, tzinfo=UTC)

    def sig_tst(data: bytes) -> cms.ContentInfo:
        s = stamper("old-tsa", signed_at)
        return run_sync(lambda: s.async_timestamp(hashlib.sha256(data).digest(), "sha256"))

    def arc_tst(data: bytes) -> cms.ContentInfo:
        s = stamper("archive-tsa", archived_at)
        return run_sync(lambda: s.async_timestamp(hashlib.sha256(data).digest(), "sha256"))

    cases: list[Case] = []
    doc = b'<invoice xmlns="urn:example:sandbox"><amount currency="MYR">3300.00</amount></invoice>'
    for level, name in (("B-LTA", "xades-poe-archive.xml"), ("B-LT", "xades-poe-no-archive.xml")):
        root = _xades(doc, cert, _pyca_key(key_info), [root_cert])
        root = _xades_extend(
            pki,
            root,
            level,
            "expired-signer",
            stamps=(sig_tst, arc_tst),
            values=(certs, [], [crl_2024]),
        )
        (out / name).write_bytes(_xml_bytes(root))
    payload = b'{"invoice":"SANDBOX-2024-17","amount":"3300.00","currency":"MYR"}'
    key = RSAKey.import_key(
        _pyca_key(key_info).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    header = {
        "alg": "RS256",
        "x5c": [_b64(c.dump()) for c in (cert, root_cert)],
        "x5t#S256": _b64url(hashlib.sha256(cert.dump()).digest()),
        "sigT": "2024-06-01T10:00:00Z",
        "crit": ["sigT"],
    }
    flat: dict[str, Any] = dict(
        jws.serialize_json({"protected": header}, payload, key, registry=jades_registry(["RS256"]))
    )  # type: ignore[arg-type]
    comps = [
        _etsi_u(
            "sigTst", {"tstTokens": [{"val": _b64(sig_tst(flat["signature"].encode()).dump())}]}
        ),
        _etsi_u("xVals", [{"x509Cert": {"val": _b64(c.dump())}} for c in certs]),
        _etsi_u("rVals", {"crlVals": [{"val": _b64(crl_2024.dump())}]}),
    ]
    (out / "jades-poe-no-archive.json").write_text(json.dumps(dict(flat, header={"etsiU": comps})))
    imprint = flat["payload"] + "." + flat["protected"] + "." + flat["signature"] + "".join(comps)
    arc = _etsi_u("arcTst", {"tstTokens": [{"val": _b64(arc_tst(imprint.encode()).dump())}]})
    (out / "jades-poe-archive.json").write_text(
        json.dumps(dict(flat, header={"etsiU": [*comps, arc]}))
    )
    for fmt, ext in (("XAdES", "xml"), ("JAdES", "json")):
        prefix = fmt[0].lower() + "ades"
        cases.append(
            Case(
                f"{prefix}-poe-archive.{ext}",
                fmt,
                "TOTAL-PASSED",
                baseline="B-LTA",
                proven=True,
                at=later,
                warning="the time an archive time stamp proves",
                what=f"{fmt}: expired signature TSA and signer, archive time stamp of 2024",
            )
        )
        cases.append(
            Case(
                f"{prefix}-poe-no-archive.{ext}",
                fmt,
                "INDETERMINATE",
                "OUT_OF_BOUNDS_NO_POE",
                baseline="B-LT",
                at=later,
                warning="does not chain to a trust list",
                what=f"{fmt}: expired signature TSA and signer, no archive time stamp",
            )
        )
    return cases


def _make_asic(pki: SandboxPKI, out: Path) -> list[Case]:
    cases: list[Case] = []
    signer = "my-signer-qc"
    cert, key, chain = pki.cert(signer), _pyca_key(pki.key(signer)), [_issuer(pki, signer)]
    s_mime, e_mime = "application/vnd.etsi.asic-s+zip", "application/vnd.etsi.asic-e+zip"
    p7s = _cms(pki, CONTRACT, detached=True, ts=False).dump()
    _zip(
        out / "asics-cades.asics", s_mime, {"contract.txt": CONTRACT, "META-INF/signature.p7s": p7s}
    )
    cases.append(
        Case(
            "asics-cades.asics",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            note="ASiC-S",
            what="ASiC-S with CAdES",
        )
    )
    # JAdES in ASiC: ASiC-S with a detached JWS over the data object, ASiC-E with sigD naming
    # each data object by its path and digest
    reg = jades_registry(["RS256"])
    detached = jws.serialize_compact(
        _jades_header(pki, signer), CONTRACT, _jose_key(pki, signer), registry=reg
    )
    dh, _, ds = detached.split(".")
    _zip(
        out / "asics-jades.asics",
        s_mime,
        {"contract.txt": CONTRACT, "META-INF/signatures.json": f"{dh}..{ds}".encode()},
    )
    cases.append(
        Case(
            "asics-jades.asics",
            "JAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            note="ASiC-S",
            what="ASiC-S with JAdES",
        )
    )
    objects = {"contract.txt": CONTRACT, "order.xml": ORDER}
    sig_d = {
        "mId": "http://uri.etsi.org/19182/ObjectIdByURIHash",
        "pars": list(objects),
        "hashM": "S256",
        "hashV": [_b64url(hashlib.sha256(v).digest()) for v in objects.values()],
    }
    e_jws = _flat(pki, signer, b"", sigD=sig_d, crit=["sigT", "sigD"])
    e_jws.pop("payload", None)
    jades_e = {**objects, "META-INF/signatures001.json": json.dumps(e_jws).encode()}
    _zip(out / "asice-jades.asice", e_mime, jades_e)
    cases.append(
        Case(
            "asice-jades.asice",
            "JAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            note="ASiC-E",
            what="ASiC-E with JAdES (sigD)",
        )
    )
    _zip(
        out / "asice-jades-changed.asice",
        e_mime,
        {**jades_e, "order.xml": ORDER.replace(b"laptop", b"tablet")},
    )
    cases.append(
        Case(
            "asice-jades-changed.asice",
            "JAdES",
            "TOTAL-FAILED",
            "HASH_FAILURE",
            online=True,
            reason="order.xml",
            what="ASiC-E with JAdES, a data object changed",
        )
    )
    tst = _tst(pki, CONTRACT).dump()
    _zip(
        out / "asics-timestamp.asics",
        s_mime,
        {"contract.txt": CONTRACT, "META-INF/timestamp.tst": tst},
    )
    cases.append(
        Case(
            "asics-timestamp.asics",
            None,
            None,
            count=0,
            note="a valid time stamp",
            what="time-stamped ASiC-S",
        )
    )
    xsig = _xades(
        ORDER,
        cert,
        key,
        chain,
        method=SignatureConstructionMethod.detached,
        reference_uri="order.xml",
    )
    _zip(
        out / "asics-xades.scs",
        s_mime,
        {"order.xml": ORDER, "META-INF/signatures.xml": _xades_signatures_file(xsig, key)},
    )
    cases.append(
        Case(
            "asics-xades.scs",
            "XAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            note="ASiC-S",
            what="ASiC-S with XAdES",
        )
    )
    s0 = _xades(
        ORDER,
        cert,
        key,
        chain,
        method=SignatureConstructionMethod.detached,
        reference_uri="order.xml",
    )
    sg = "sg-signer-qc"
    s1 = _xades(
        TERMS,
        pki.cert(sg),
        _pyca_key(pki.key(sg)),
        [_issuer(pki, sg)],
        method=SignatureConstructionMethod.detached,
        reference_uri="terms.xml",
    )
    entries = {
        "order.xml": ORDER,
        "terms.xml": TERMS,
        "readme.txt": b"SANDBOX: this file is not signed\n",
        "META-INF/signatures0.xml": _xades_signatures_file(s0, key),
        "META-INF/signatures1.xml": _xades_signatures_file(s1, _pyca_key(pki.key(sg))),
    }
    _zip(out / "asice-xades.asice", e_mime, entries)
    cases.append(
        Case(
            "asice-xades.asice",
            "XAdES",
            "TOTAL-PASSED",
            count=2,
            baseline="B-B",
            online=True,
            note="readme.txt is not covered",
            what="ASiC-E with XAdES, one file unsigned",
        )
    )
    _zip(out / "asice-xades.bdoc", e_mime, entries)
    cases.append(
        Case(
            "asice-xades.bdoc",
            "XAdES",
            "TOTAL-PASSED",
            count=2,
            baseline="B-B",
            online=True,
            note="ASiC-E",
            what=".bdoc",
        )
    )
    objects = {"order.xml": ORDER, "terms.xml": TERMS}
    manifest = _manifest("META-INF/signature001.p7s", objects)
    msig = _cms(pki, manifest, detached=True, ts=False).dump()
    cades_e = {**objects, "META-INF/ASiCManifest.xml": manifest, "META-INF/signature001.p7s": msig}
    _zip(out / "asice-cades.sce", e_mime, cades_e)
    cases.append(
        Case(
            "asice-cades.sce",
            "CAdES",
            "TOTAL-PASSED",
            baseline="B-B",
            online=True,
            note="ASiC-E",
            what="ASiC-E with CAdES and ASiCManifest",
        )
    )
    _zip(
        out / "asice-cades-changed.asice",
        e_mime,
        {**cades_e, "terms.xml": TERMS.replace(b"30", b"90")},
    )
    cases.append(
        Case(
            "asice-cades-changed.asice",
            "CAdES",
            "TOTAL-FAILED",
            "HASH_FAILURE",
            online=True,
            reason="terms.xml",
            what="ASiC-E, a data object changed",
        )
    )
    return cases


# ---- MyInvois --------------------------------------------------------------------------


def _make_einvoice(out: Path, arch: Any) -> list[Case]:
    cases: list[Case] = []
    cert = arch.get_cert(CertLabel("invoice-signer"))
    key = _pyca_key(arch.key_set.get_private_key(KeyLabel("invoice-signer")))
    when = datetime(2026, 6, 1, 8, 5, tzinfo=UTC)
    signed = {
        "xml": (
            sign_myinvois_xml(sample_invoice_xml(), cert=cert, key=key, signing_time=when),
            (b">3300.00<", b">330.00<"),
            "reference 1 (the whole document)",
        ),
        "json": (
            sign_myinvois_json(sample_invoice_json(), cert=cert, key=key, signing_time=when),
            (b'"3300.00"', b'"330.00"'),
            "the document body",
        ),
    }
    for ext, (data, (old, new), part) in signed.items():
        good, changed = f"myinvois-invoice.{ext}", f"myinvois-invoice-changed.{ext}"
        (out / good).write_bytes(data)
        (out / changed).write_bytes(data.replace(old, new))
        ids = "TIN C25845632020, BRN 202001234567"
        cases.append(
            Case(good, "XAdES", "TOTAL-PASSED", baseline="B-B", note=ids, what=f"MyInvois {ext}")
        )
        cases.append(
            Case(
                changed,
                "XAdES",
                "TOTAL-FAILED",
                "HASH_FAILURE",
                reason=part,
                what=f"MyInvois {ext} changed",
            )
        )
    return cases


def generate(out: Path, pki: SandboxPKI) -> list[Case]:
    """Write every fixture to ``out`` (the PKI must be served) and ``expected.json``."""
    out.mkdir(parents=True, exist_ok=True)
    arch = _formats_arch()
    cases = _make_xades(pki, out, arch) + _make_jades(pki, out) + _make_cades(pki, out)
    cases += _make_archive_poe(pki, out, arch) + _make_asic(pki, out) + _make_einvoice(out, arch)
    (out / "expected.json").write_text(json.dumps([asdict(c) for c in cases], indent=1))
    return cases


if __name__ == "__main__":
    from eauth_toolkit.signatures.sandbox import serve

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "formats-fixtures")
    with serve() as served:
        made = generate(target, served)
    print(f"{len(made)} cases written to {target}")
