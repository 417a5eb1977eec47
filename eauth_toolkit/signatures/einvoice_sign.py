"""SANDBOX MyInvois signatures: a UBL 2.1 invoice (XML or JSON) signed as the MyInvois SDK's
"Document Signature Creation" steps describe (see :mod:`.einvoice`), with a sandbox key.

Only for test documents: the sample invoices carry SANDBOX parties and identifiers.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import datetime
from typing import Any

from asn1crypto import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from eauth_toolkit.signatures.einvoice import SIGNATURE_ID, UBL_XADES, minify, ubl_json_document

__all__ = [
    "sample_invoice_json",
    "sample_invoice_xml",
    "sign_myinvois_json",
    "sign_myinvois_xml",
]

_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
_SIG = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"
_SAC = "urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2"
_SBC = "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2"
_DS = "http://www.w3.org/2000/09/xmldsig#"
_XADES = "http://uri.etsi.org/01903/v1.3.2#"
_C14N11 = "http://www.w3.org/2006/12/xml-c14n11"
_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
_XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
_PROPS_ID = "id-xades-signed-props"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


# ---- the samples -----------------------------------------------------------------------

_LINES = [("SANDBOX laptop", "2", "1500.00"), ("SANDBOX support plan", "1", "300.00")]


def sample_invoice_xml(invoice_id: str = "SANDBOX-INV-0001") -> bytes:
    """An unsigned UBL 2.1 invoice (no white space between elements, as submitted)."""
    total = sum(float(q) * float(p) for _, q, p in _LINES)
    lines = "".join(
        f"<cac:InvoiceLine><cbc:ID>{i + 1}</cbc:ID>"
        f'<cbc:InvoicedQuantity unitCode="C62">{q}</cbc:InvoicedQuantity>'
        f'<cbc:LineExtensionAmount currencyID="MYR">{float(q) * float(p):.2f}</cbc:LineExtensionAmount>'
        f"<cac:Item><cbc:Description>{d}</cbc:Description></cac:Item>"
        f'<cac:Price><cbc:PriceAmount currencyID="MYR">{p}</cbc:PriceAmount></cac:Price>'
        "</cac:InvoiceLine>"
        for i, (d, q, p) in enumerate(_LINES)
    )
    return (
        f'<Invoice xmlns="{_INV}" xmlns:cac="{_CAC}" xmlns:cbc="{_CBC}" xmlns:ext="{_EXT}">'
        f"<cbc:ID>{invoice_id}</cbc:ID><cbc:IssueDate>2026-06-01</cbc:IssueDate>"
        '<cbc:IssueTime>08:00:00Z</cbc:IssueTime><cbc:InvoiceTypeCode listVersionID="1.1">01</cbc:InvoiceTypeCode>'
        "<cbc:DocumentCurrencyCode>MYR</cbc:DocumentCurrencyCode>"
        "<cac:AccountingSupplierParty><cac:Party>"
        '<cac:PartyIdentification><cbc:ID schemeID="TIN">C25845632020</cbc:ID></cac:PartyIdentification>'
        '<cac:PartyIdentification><cbc:ID schemeID="BRN">202001234567</cbc:ID></cac:PartyIdentification>'
        "<cac:PartyLegalEntity><cbc:RegistrationName>SANDBOX Syarikat Contoh Sdn Bhd</cbc:RegistrationName></cac:PartyLegalEntity>"
        "</cac:Party></cac:AccountingSupplierParty>"
        f'<cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="MYR">{total:.2f}</cbc:PayableAmount></cac:LegalMonetaryTotal>'
        f"{lines}</Invoice>"
    ).encode()


def _t(value: str, **attrs: str) -> list[dict[str, str]]:
    return [{"_": value, **attrs}]


def sample_invoice_json(invoice_id: str = "SANDBOX-INV-0002") -> dict[str, Any]:
    """The same invoice in the UBL 2.1 JSON representation MyInvois accepts."""
    total = sum(float(q) * float(p) for _, q, p in _LINES)
    return {
        "_D": _INV,
        "_A": _CAC,
        "_B": _CBC,
        "Invoice": [
            {
                "ID": _t(invoice_id),
                "IssueDate": _t("2026-06-01"),
                "IssueTime": _t("08:00:00Z"),
                "InvoiceTypeCode": _t("01", listVersionID="1.1"),
                "DocumentCurrencyCode": _t("MYR"),
                "AccountingSupplierParty": [
                    {
                        "Party": [
                            {
                                "PartyIdentification": [
                                    {"ID": _t("C25845632020", schemeID="TIN")},
                                    {"ID": _t("202001234567", schemeID="BRN")},
                                ],
                                "PartyLegalEntity": [
                                    {"RegistrationName": _t("SANDBOX Syarikat Contoh Sdn Bhd")}
                                ],
                            }
                        ]
                    }
                ],
                "LegalMonetaryTotal": [{"PayableAmount": _t(f"{total:.2f}", currencyID="MYR")}],
                "InvoiceLine": [
                    {
                        "ID": _t(str(i + 1)),
                        "InvoicedQuantity": _t(q, unitCode="C62"),
                        "LineExtensionAmount": _t(f"{float(q) * float(p):.2f}", currencyID="MYR"),
                        "Item": [{"Description": _t(d)}],
                        "Price": [{"PriceAmount": _t(p, currencyID="MYR")}],
                    }
                    for i, (d, q, p) in enumerate(_LINES)
                ],
            }
        ],
    }


# ---- XML -------------------------------------------------------------------------------


def _e(parent: etree._Element, ns: str, name: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, f"{{{ns}}}{name}", attrib=attrs)
    if text is not None:
        el.text = text
    return el


def sign_myinvois_xml(
    xml: bytes, *, cert: x509.Certificate, key: rsa.RSAPrivateKey, signing_time: datetime
) -> bytes:
    """Steps 2 to 8 of the SDK for an XML invoice."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    # steps 2-3: the document without UBLExtensions and cac:Signature, C14N 1.1, SHA-256
    canonical = etree.tostring(root, method="c14n")
    doc_digest = hashlib.sha256(canonical).digest()
    # step 4: the signature over the canonical document, RSA-SHA256
    sig_value = _sign(key, canonical)
    # step 5: the certificate digest
    cert_digest = hashlib.sha256(cert.dump()).digest()
    # the structure (step 8), with the signed properties of step 6
    nsmap = {"sig": _SIG, "sac": _SAC, "sbc": _SBC, "ds": _DS, "xades": _XADES}
    exts = etree.Element(f"{{{_EXT}}}UBLExtensions")
    root.insert(0, exts)
    ext = _e(exts, _EXT, "UBLExtension")
    _e(ext, _EXT, "ExtensionURI", UBL_XADES)
    content = _e(ext, _EXT, "ExtensionContent")
    docsigs = etree.SubElement(content, f"{{{_SIG}}}UBLDocumentSignatures", nsmap=nsmap)
    info = _e(docsigs, _SAC, "SignatureInformation")
    _e(info, _CBC, "ID", "urn:oasis:names:specification:ubl:signature:1")
    _e(info, _SBC, "ReferencedSignatureID", SIGNATURE_ID)
    sig = _e(info, _DS, "Signature", Id="signature")
    signed_info = _e(sig, _DS, "SignedInfo")
    _e(signed_info, _DS, "CanonicalizationMethod", Algorithm=_C14N11)
    _e(signed_info, _DS, "SignatureMethod", Algorithm=_RSA_SHA256)
    ref = _e(signed_info, _DS, "Reference", Id="id-doc-signed-data", URI="")
    transforms = _e(ref, _DS, "Transforms")
    for excluded in ("ext:UBLExtensions", "cac:Signature"):
        t = _e(transforms, _DS, "Transform", Algorithm=_XPATH)
        _e(t, _DS, "XPath", f"not(//ancestor-or-self::{excluded})")
    _e(transforms, _DS, "Transform", Algorithm=_C14N11)
    _e(ref, _DS, "DigestMethod", Algorithm=_SHA256)
    _e(ref, _DS, "DigestValue", _b64(doc_digest))
    props_ref = _e(
        signed_info,
        _DS,
        "Reference",
        Type="http://www.w3.org/2000/09/xmldsig#SignatureProperties",
        URI=f"#{_PROPS_ID}",
    )
    _e(props_ref, _DS, "DigestMethod", Algorithm=_SHA256)
    props_digest_el = _e(props_ref, _DS, "DigestValue", "")
    _e(sig, _DS, "SignatureValue", _b64(sig_value))
    key_info = _e(sig, _DS, "KeyInfo")
    _e(_e(key_info, _DS, "X509Data"), _DS, "X509Certificate", _b64(cert.dump()))
    obj = _e(sig, _DS, "Object")
    qp = _e(obj, _XADES, "QualifyingProperties", Target="signature")
    props = _e(qp, _XADES, "SignedProperties", Id=_PROPS_ID)
    ssp = _e(props, _XADES, "SignedSignatureProperties")
    _e(ssp, _XADES, "SigningTime", signing_time.strftime("%Y-%m-%dT%H:%M:%SZ"))
    cert_el = _e(_e(ssp, _XADES, "SigningCertificate"), _XADES, "Cert")
    cd = _e(cert_el, _XADES, "CertDigest")
    _e(cd, _DS, "DigestMethod", Algorithm=_SHA256)
    _e(cd, _DS, "DigestValue", _b64(cert_digest))
    issuer_serial = _e(cert_el, _XADES, "IssuerSerial")
    _e(issuer_serial, _DS, "X509IssuerName", cert.issuer.human_friendly)
    _e(issuer_serial, _DS, "X509SerialNumber", str(cert.serial_number))
    ubl_sig = etree.Element(f"{{{_CAC}}}Signature")
    _e(ubl_sig, _CBC, "ID", SIGNATURE_ID)
    _e(ubl_sig, _CBC, "SignatureMethod", UBL_XADES)
    supplier = root.find(f"{{{_CAC}}}AccountingSupplierParty")
    if supplier is not None:
        supplier.addprevious(ubl_sig)
    else:
        root.append(ubl_sig)
    # step 7: the signed properties digest, in their place in the document
    props_digest_el.text = _b64(hashlib.sha256(etree.tostring(props, method="c14n")).digest())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# ---- JSON ------------------------------------------------------------------------------


def sign_myinvois_json(
    doc: dict[str, Any],
    *,
    cert: x509.Certificate,
    key: rsa.RSAPrivateKey,
    signing_time: datetime,
) -> bytes:
    """Steps 2 to 8 of the SDK for a JSON invoice (minified canonical form)."""
    doc = copy.deepcopy(doc)
    kind, body = ubl_json_document(doc)
    canonical = minify(doc)
    doc_digest = hashlib.sha256(canonical).digest()
    sig_value = _sign(key, canonical)
    cert_digest = hashlib.sha256(cert.dump()).digest()
    props = {
        "Id": _PROPS_ID,
        "SignedSignatureProperties": [
            {
                "SigningTime": _t(signing_time.strftime("%Y-%m-%dT%H:%M:%SZ")),
                "SigningCertificate": [
                    {
                        "Cert": [
                            {
                                "CertDigest": [
                                    {
                                        "DigestMethod": [{"_": "", "Algorithm": _SHA256}],
                                        "DigestValue": _t(_b64(cert_digest)),
                                    }
                                ],
                                "IssuerSerial": [
                                    {
                                        "X509IssuerName": _t(cert.issuer.human_friendly),
                                        "X509SerialNumber": _t(str(cert.serial_number)),
                                    }
                                ],
                            }
                        ]
                    }
                ],
            }
        ],
    }
    props_digest = hashlib.sha256(minify(props)).digest()
    signature = {
        "Id": "signature",
        "SignedInfo": [
            {
                "SignatureMethod": [{"_": "", "Algorithm": _RSA_SHA256}],
                "Reference": [
                    {
                        "Id": "id-doc-signed-data",
                        "URI": "",
                        "DigestMethod": [{"_": "", "Algorithm": _SHA256}],
                        "DigestValue": _t(_b64(doc_digest)),
                    },
                    {
                        "Type": "http://uri.etsi.org/01903/v1.3.2#SignedProperties",
                        "URI": f"#{_PROPS_ID}",
                        "DigestMethod": [{"_": "", "Algorithm": _SHA256}],
                        "DigestValue": _t(_b64(props_digest)),
                    },
                ],
            }
        ],
        "SignatureValue": _t(_b64(sig_value)),
        "KeyInfo": [{"X509Data": [{"X509Certificate": _t(_b64(cert.dump()))}]}],
        "Object": [
            {"QualifyingProperties": [{"Target": "signature", "SignedProperties": [props]}]}
        ],
    }
    signed_body = {
        "UBLExtensions": [
            {
                "UBLExtension": [
                    {
                        "ExtensionURI": _t(UBL_XADES),
                        "ExtensionContent": [
                            {
                                "UBLDocumentSignatures": [
                                    {
                                        "SignatureInformation": [
                                            {
                                                "ID": _t(
                                                    "urn:oasis:names:specification:ubl:signature:1"
                                                ),
                                                "ReferencedSignatureID": _t(SIGNATURE_ID),
                                                "Signature": [signature],
                                            }
                                        ]
                                    }
                                ]
                            }
                        ],
                    }
                ]
            }
        ],
        **body,
        "Signature": [{"ID": _t(SIGNATURE_ID), "SignatureMethod": _t(UBL_XADES)}],
    }
    doc[kind] = [signed_body]
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False).encode()
