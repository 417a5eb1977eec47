"""Signed e-invoices: Malaysia's MyInvois UBL 2.1 signature, in XML and in JSON.

The MyInvois SDK ("Signature", "Document Signature Creation", https://sdk.myinvois.hasil.gov.my/signature/
and /signature-creation/) describes an XAdES-style signature inside the UBL extensions:

1. the document without ``UBLExtensions`` and ``cac:Signature`` is canonicalised (XML: C14N 1.1;
   JSON: minified) and hashed with SHA-256 (``DocDigest``, the first ``ds:Reference``);
2. that canonical document is signed with RSA-SHA256 (``Sig``, the ``ds:SignatureValue``);
3. the signing certificate's SHA-256 digest goes in ``xades:SigningCertificate`` (``CertDigest``);
4. the ``xades:SignedProperties`` are hashed (``PropsDigest``, the second ``ds:Reference``).

The certificate profile of the SDK puts the taxpayer's TIN in ``organizationIdentifier``
(2.5.4.97) and the business registration number (BRN) in ``serialNumber`` (2.5.4.5).

XML invoices are validated by the XAdES module (the XPath transforms of the first reference
exclude the two elements); this module reads the JSON representation the same way, and reports
the TIN and BRN of the signer for both.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.other_formats import Check, b64any, finish, key_algorithm
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = [
    "SIGNATURE_ID",
    "UBL_XADES",
    "describe_xml",
    "is_ubl_json",
    "minify",
    "taxpayer_ids",
    "ubl_json_document",
    "validate_ubl_json",
]

UBL_XADES = "urn:oasis:names:specification:ubl:dsig:enveloped:xades"
SIGNATURE_ID = "urn:oasis:names:specification:ubl:signature:Invoice"
_EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
_DOC_TYPES = ("Invoice", "CreditNote", "DebitNote", "RefundNote", "SelfBilledInvoice")


def taxpayer_ids(cert: x509.Certificate) -> dict[str, str]:
    """TIN (organizationIdentifier) and BRN (serialNumber) from a MyInvois signing certificate."""
    out: dict[str, str] = {}
    c = cx509.load_der_x509_certificate(cert.dump())
    for oid, label in (("2.5.4.97", "TIN"), ("2.5.4.5", "BRN")):
        attrs = c.subject.get_attributes_for_oid(cx509.ObjectIdentifier(oid))
        if attrs:
            out[label] = str(attrs[0].value)
    return out


def _ids_note(check: Check) -> list[str]:
    if check.leaf is None:
        return []
    ids = taxpayer_ids(check.leaf)
    if not ids:
        return [
            "the signing certificate carries no TIN (organizationIdentifier) or BRN (serialNumber)"
        ]
    return [
        "signer "
        + ", ".join(f"{k} {v}" for k, v in ids.items())
        + " (from the certificate: organizationIdentifier, serialNumber)"
    ]


def describe_xml(root: etree._Element, checks: list[Check]) -> list[str]:
    """Notes for a UBL document signed per the MyInvois profile (none for other XML)."""
    uri = root.findtext(f".//{{{_EXT}}}UBLExtension/{{{_EXT}}}ExtensionURI")
    if uri is None or uri.strip() != UBL_XADES:
        return []
    kind = etree.QName(root).localname
    notes = [f"UBL 2.1 {kind} with an enveloped XAdES signature (MyInvois profile)"]
    for c in checks:
        notes += _ids_note(c)
    return notes


# ---- JSON ------------------------------------------------------------------------------


def minify(value: Any) -> bytes:
    """The JSON text without insignificant white space (member order kept, UTF-8)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def is_ubl_json(raw: bytes) -> bool:
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        head.startswith(b"{") and b'"_D"' in head and b"urn:oasis:names:specification:ubl" in head
    )


def _one(node: Any, key: str, where: str) -> Any:
    value = node.get(key) if isinstance(node, dict) else None
    if not isinstance(value, list) or not value:
        raise ValueError(f"missing {where}/{key}")
    return value[0]


def _text(node: Any, key: str, where: str) -> str:
    item = _one(node, key, where)
    if not isinstance(item, dict) or not isinstance(item.get("_"), str):
        raise ValueError(f"{where}/{key} has no text value")
    return str(item["_"])


def ubl_json_document(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    for kind in _DOC_TYPES:
        if isinstance(doc.get(kind), list) and doc[kind] and isinstance(doc[kind][0], dict):
            return kind, doc[kind][0]
    raise ValueError("no UBL document (Invoice, CreditNote, ...) at the top level")


def _without_signature(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    body = dict(doc[kind][0])
    body.pop("UBLExtensions", None)
    body.pop("Signature", None)
    out = dict(doc)
    out[kind] = [body]
    return out


_DIGESTS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
}


def _verify(cert: x509.Certificate, signature: bytes, data: bytes, digest: str) -> bool:
    key = cx509.load_der_x509_certificate(cert.dump()).public_key()
    algo = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}.get(
        digest, hashes.SHA256()
    )
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algo)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algo))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


async def validate_ubl_json(
    source: Path | bytes, options: ValidationOptions, *, name: str
) -> FileReport:
    raw = source.read_bytes() if isinstance(source, Path) else source
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        kind, body = ubl_json_document(doc)
        where = f"/{kind}/0"
        ext = _one(body, "UBLExtensions", where)
        ext1 = _one(ext, "UBLExtension", f"{where}/UBLExtensions/0")
        if _text(ext1, "ExtensionURI", "UBLExtension") != UBL_XADES:
            raise ValueError("the UBL extension is not an enveloped XAdES signature")
        content = _one(ext1, "ExtensionContent", "UBLExtension")
        sigs = _one(content, "UBLDocumentSignatures", "ExtensionContent")
        info = _one(sigs, "SignatureInformation", "UBLDocumentSignatures")
        sig = _one(info, "Signature", "SignatureInformation")
        signed_info = _one(sig, "SignedInfo", "Signature")
        value = b64any(_text(sig, "SignatureValue", "Signature"))
        key_info = _one(sig, "KeyInfo", "Signature")
        x509data = _one(key_info, "X509Data", "KeyInfo")
        cert = x509.Certificate.load(b64any(_text(x509data, "X509Certificate", "X509Data")))
        _ = cert.subject
        qp = _one(_one(sig, "Object", "Signature"), "QualifyingProperties", "Object")
        props = _one(qp, "SignedProperties", "QualifyingProperties")
        references = signed_info.get("Reference")
        if not isinstance(references, list) or not references:
            raise ValueError("SignedInfo has no Reference")
    except (ValueError, UnicodeDecodeError, TypeError, KeyError) as exc:
        return FileReport(
            file=name, format="XAdES", error=f"cannot read: not a signed UBL JSON document ({exc})"
        )
    check = Check(leaf=cert, baseline="B-B", label=str(sig.get("Id") or "signature"))
    check.algorithms.append(key_algorithm(cert))
    ssp = props.get("SignedSignatureProperties", [{}])[0]
    try:
        check.claimed = datetime.fromisoformat(
            _text(ssp, "SigningTime", "SignedSignatureProperties").replace("Z", "+00:00")
        )
    except (ValueError, TypeError):
        check.warnings.append("no valid SigningTime in the signed properties")
    document = minify(_without_signature(doc, kind))
    props_id = props.get("Id")
    parts = {"": ("the document body", document)}
    if props_id:
        parts[f"#{props_id}"] = ("the signed properties", minify(props))
    for i, ref in enumerate(references):
        uri = ref.get("URI", None)
        label, octets = parts.get(uri if isinstance(uri, str) else "", (None, b""))
        if label is None:
            check.fail(
                "TOTAL-FAILED",
                "FORMAT_FAILURE",
                f"reference {i + 1}: unknown URI {uri}",
                intact=False,
            )
            continue
        try:
            dm = _one(ref, "DigestMethod", f"Reference {i + 1}").get("Algorithm")
            alg = _DIGESTS[dm]
            expected = b64any(_text(ref, "DigestValue", f"Reference {i + 1}"))
        except (KeyError, ValueError) as exc:
            check.fail("TOTAL-FAILED", "FORMAT_FAILURE", f"reference {i + 1}: {exc}", intact=False)
            continue
        check.algorithms.append((alg, None))
        if hashlib.new(alg, octets).digest() != expected:
            check.fail(
                "TOTAL-FAILED",
                "HASH_FAILURE",
                f"reference {i + 1} over {label} does not match its digest",
                intact=False,
            )
    if props_id and f"#{props_id}" not in {r.get("URI") for r in references}:
        check.fail(
            "TOTAL-FAILED",
            "FORMAT_FAILURE",
            "the signed properties are not referenced",
            intact=False,
        )
    try:
        cert_ref = _one(
            _one(ssp, "SigningCertificate", "SignedSignatureProperties"),
            "Cert",
            "SigningCertificate",
        )
        digest = _one(cert_ref, "CertDigest", "Cert")
        alg = _DIGESTS[_one(digest, "DigestMethod", "CertDigest").get("Algorithm")]
        if hashlib.new(alg, cert.dump()).digest() != b64any(
            _text(digest, "DigestValue", "CertDigest")
        ):
            check.fail(
                "INDETERMINATE",
                "NO_SIGNING_CERTIFICATE_FOUND",
                "the certificate does not match the signed CertDigest",
            )
    except (KeyError, ValueError) as exc:
        check.fail(
            "INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", f"no usable SigningCertificate ({exc})"
        )
    if check.indication != "TOTAL-FAILED" and not _verify(cert, value, document, "sha256"):
        check.fail("TOTAL-FAILED", "SIG_CRYPTO_FAILURE", None, intact=False)
    check.coverage = "the document body" if check.intact else None
    notes = [f"UBL 2.1 {kind} (JSON) with an enveloped XAdES-style signature (MyInvois profile)"]
    notes += _ids_note(check)
    return await finish([check], options, name=name, fmt="XAdES", notes=notes)
