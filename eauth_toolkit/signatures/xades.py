"""XML signatures: XAdES (ETSI EN 319 132-1) baseline B-B, B-T, B-LT and B-LTA.

Enveloped, enveloping (the document is ``ds:Signature``) and detached signatures (the signed
files are given by the caller; no URI is ever dereferenced). Every ``ds:Signature`` of the
document gets a verdict, counter-signatures included.

The XML processing (canonicalisation, the signature value with the signer's key) is done with
lxml and signxml's algorithm tables; certificate validity is *not* left to the XML library: the
signer's path is validated by pyhanko-certvalidator at the validation time, with the certificates
and revocation values the signature carries, and in the past at the time a valid signature time
stamp proves (:mod:`.other_formats`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from asn1crypto import cms, crl, ocsp, x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature
from lxml import etree
from signxml import SignatureMethod
from signxml.verifier import XMLVerifier

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

__all__ = ["XmlSignature", "parse_xml", "validate_xml", "xml_checks", "xml_signatures"]

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
#: XAdES namespaces read: 1.3.2 (EN 319 132-1) and the older TS 101 903 versions
XADES_VERSIONS = (XADES, "http://uri.etsi.org/01903/v1.2.2#", "http://uri.etsi.org/01903/v1.1.1#")
NS = {"ds": DS, "xades": XADES, "xades141": XADES141}
_COUNTER_TAGS = {f"{{{v}}}CounterSignature" for v in XADES_VERSIONS}
XML_NS = "http://www.w3.org/XML/1998/namespace"
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_blank_text=False,
)

C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N11 = "http://www.w3.org/2006/12/xml-c14n11"
_C14N = {
    C14N10: (False, False),
    C14N10 + "#WithComments": (False, True),
    "http://www.w3.org/2006/12/xml-c14n11": (False, False),
    "http://www.w3.org/2006/12/xml-c14n11#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}
_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-256": "sha3_256",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-384": "sha3_384",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-512": "sha3_512",
    "http://www.w3.org/2001/04/xmldsig-more#md5": "md5",
}
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
_XPATH2 = "http://www.w3.org/2002/06/xmldsig-filter2"
_BASE64 = "http://www.w3.org/2000/09/xmldsig#base64"
_SIGNED_PROPS_TYPES = ("http://uri.etsi.org/01903#SignedProperties",)


class XmlFormatError(ValueError):
    """The XML is not a signature we can process (FORMAT_FAILURE)."""


def parse_xml(data: bytes) -> etree._Element:
    """Parse bytes in any encoding XML allows (a byte-order mark, UTF-16, a declared charset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlFormatError(f"not well-formed XML ({exc})") from exc


def _digest_name(uri: str | None) -> str:
    name = _DIGESTS.get(uri or "")
    if name is None:
        raise XmlFormatError(f"unsupported digest algorithm {uri}")
    return name


def _c14n(node: etree._Element, uri: str | None, prefixes: list[str] | None = None) -> bytes:
    exclusive, comments = _C14N.get(uri or C14N10, (None, None))
    if exclusive is None:
        raise XmlFormatError(f"unsupported canonicalisation {uri}")
    if not exclusive:
        node = _inherit_xml_attributes(node, eleven=(uri or "").startswith(C14N11))
    return etree.tostring(
        node,
        method="c14n",
        exclusive=bool(exclusive),
        with_comments=bool(comments),
        inclusive_ns_prefixes=prefixes if exclusive else None,
    )


def _inherit_xml_attributes(node: etree._Element, *, eleven: bool) -> etree._Element:
    """The apex of a document subset with the ``xml:`` attributes inclusive canonicalisation
    takes from its ancestors (lxml's serialiser leaves them out). Canonical XML 1.0 copies every
    ``xml:`` attribute of the nearest ancestor that has it; 1.1 copies only the inheritable
    ones (``xml:lang``, ``xml:space``), joins ``xml:base`` values (section 2.4 fix-up) and
    never copies ``xml:id``. ``node`` itself when nothing is to be added, else a copy."""
    from urllib.parse import urljoin

    prefix = f"{{{XML_NS}}}"
    inherited: dict[str, str] = {}
    bases: list[str] = []
    for ancestor in node.iterancestors():
        for key, value in ancestor.attrib.items():
            if not key.startswith(prefix):
                continue
            local = key[len(prefix) :]
            if local == "base":
                bases.append(value)
            if eleven and local in ("id", "base"):
                continue
            inherited.setdefault(local, value)
    if eleven and bases:
        base = ""
        for value in reversed(bases):  # outermost first
            base = urljoin(base, value) if base else value
        own = node.get(prefix + "base")
        inherited["base"] = urljoin(base, own) if own is not None else base
    missing = {
        k: v
        for k, v in inherited.items()
        if node.get(prefix + k) is None or (k == "base" and eleven)
    }
    if not missing:
        return node
    copy = _counterpart(_copy_document(node), node)
    for key, value in missing.items():
        copy.set(prefix + key, value)
    return copy


def _prefixes(method: etree._Element | None) -> list[str] | None:
    if method is None:
        return None
    inc = method.find("{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces")
    if inc is None or not inc.get("PrefixList"):
        return None
    return [p if p != "#default" else "" for p in (inc.get("PrefixList") or "").split()]


def _b64(text: str | None) -> bytes:
    return base64.b64decode("".join((text or "").split()))


def _ids(root: etree._Element, value: str) -> list[etree._Element]:
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, v in el.attrib.items():
            local = attr.rsplit("}", 1)[-1]
            if v == value and local in ("Id", "ID", "id"):
                out.append(el)
                break
    return out


class _Reference:
    def __init__(self, el: etree._Element, index: int) -> None:
        self.el = el
        self.index = index
        self.uri = el.get("URI")
        self.type = el.get("Type") or ""
        self.id = el.get("Id")
        self.digest_uri = el.find("ds:DigestMethod", NS)
        self.digest_value = el.findtext("ds:DigestValue", namespaces=NS)

    def describe(self) -> str:
        if self.uri is None:
            return f"reference {self.index + 1} (no URI)"
        if self.uri == "":
            return f"reference {self.index + 1} (the whole document)"
        return f"reference {self.index + 1} ({self.uri})"


class XmlSignature:
    """One ``ds:Signature`` element and what it carries."""

    def __init__(self, root: etree._Element, sig: etree._Element) -> None:
        self.root = root
        self.sig = sig
        self.signed_info = sig.find("ds:SignedInfo", NS)
        if self.signed_info is None:
            raise XmlFormatError("ds:Signature without ds:SignedInfo")
        self.value_el = sig.find("ds:SignatureValue", NS)
        if self.value_el is None:
            raise XmlFormatError("ds:Signature without ds:SignatureValue")
        self.references = [
            _Reference(r, i) for i, r in enumerate(self.signed_info.findall("ds:Reference", NS))
        ]
        if not self.references:
            raise XmlFormatError("ds:SignedInfo without ds:Reference")
        #: the namespace of the XAdES version the signature is written in (1.3.2, or the older
        #: 1.2.2 and 1.1.1 still in circulation); 1.4.1 elements keep their own namespace
        self.ns = dict(NS)
        for obj in sig.iterfind("ds:Object", NS):
            for qp in obj:
                if isinstance(qp.tag, str) and qp.tag.endswith("}QualifyingProperties"):
                    found = qp.tag[1:].split("}", 1)[0]
                    if found in XADES_VERSIONS:
                        self.ns["xades"] = found
        self.qp = sig.find("ds:Object/xades:QualifyingProperties", self.ns)
        self.signed_props = (
            None if self.qp is None else self.qp.find("xades:SignedProperties", self.ns)
        )
        usp = None if self.qp is None else self.qp.find("xades:UnsignedProperties", self.ns)
        self.unsigned = (
            None if usp is None else usp.find("xades:UnsignedSignatureProperties", self.ns)
        )

    # ---- certificates ------------------------------------------------------------------

    def certificates(self) -> list[x509.Certificate]:
        out: list[x509.Certificate] = []
        paths = [
            ".//ds:KeyInfo//ds:X509Certificate",
            "ds:Object/xades:QualifyingProperties/xades:UnsignedProperties//xades:CertificateValues/xades:EncapsulatedX509Certificate",
            "ds:Object/xades:QualifyingProperties/xades:UnsignedProperties//xades141:TimeStampValidationData//xades:EncapsulatedX509Certificate",
        ]
        for p in paths:
            for el in self.sig.iterfind(p, self.ns):
                try:
                    out.append(x509.Certificate.load(_b64(el.text)))
                except Exception:
                    continue
        seen: dict[bytes, x509.Certificate] = {}
        for c in out:
            seen.setdefault(c.sha256, c)
        return list(seen.values())

    def signing_cert_refs(self) -> list[tuple[str, bytes]]:
        if self.signed_props is None:
            return []
        refs = []
        for cert in self.signed_props.iterfind(
            "xades:SignedSignatureProperties/xades:SigningCertificate/xades:Cert", NS
        ):
            m = cert.find("xades:CertDigest/ds:DigestMethod", self.ns)
            refs.append(
                (
                    _digest_name(None if m is None else m.get("Algorithm")),
                    _b64(cert.findtext("xades:CertDigest/ds:DigestValue", namespaces=self.ns)),
                )
            )
        for cert in self.signed_props.iterfind(
            "xades:SignedSignatureProperties/xades:SigningCertificateV2/xades:Cert", NS
        ):
            m = cert.find("xades:CertDigest/ds:DigestMethod", self.ns)
            refs.append(
                (
                    _digest_name(None if m is None else m.get("Algorithm")),
                    _b64(cert.findtext("xades:CertDigest/ds:DigestValue", namespaces=self.ns)),
                )
            )
        return refs

    def revocation_values(self) -> tuple[list[crl.CertificateList], list[ocsp.OCSPResponse]]:
        crls, ocsps = [], []
        for el in self.sig.iterfind(".//xades:EncapsulatedCRLValue", self.ns):
            try:
                crls.append(crl.CertificateList.load(_b64(el.text)))
            except Exception:
                continue
        for el in self.sig.iterfind(".//xades:EncapsulatedOCSPValue", self.ns):
            try:
                ocsps.append(ocsp.OCSPResponse.load(_b64(el.text)))
            except Exception:
                continue
        return crls, ocsps

    def signing_time(self) -> datetime | None:
        if self.signed_props is None:
            return None
        text = self.signed_props.findtext(
            "xades:SignedSignatureProperties/xades:SigningTime", namespaces=NS
        )
        if not text:
            return None
        try:
            return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return None

    def baseline(self) -> str | None:
        if self.signed_props is None:
            return None
        ssp = self.signed_props.find("xades:SignedSignatureProperties", self.ns)
        if ssp is None or (
            ssp.find("xades:SigningCertificate", self.ns) is None
            and ssp.find("xades:SigningCertificateV2", self.ns) is None
        ):
            return None
        level = "B-B"
        u = self.unsigned
        if u is None or u.find("xades:SignatureTimeStamp", self.ns) is None:
            return level
        level = "B-T"
        has_certs = u.find("xades:CertificateValues", self.ns) is not None
        has_rev = (
            u.find("xades:RevocationValues", self.ns) is not None
            or u.find("xades141:TimeStampValidationData", self.ns) is not None
        )
        if not (has_certs and has_rev):
            return level
        level = "B-LT"
        if (
            u.find("xades141:ArchiveTimeStamp", self.ns) is not None
            or u.find("xades:ArchiveTimeStamp", self.ns) is not None
        ):
            level = "B-LTA"
        return level


# ---- references ------------------------------------------------------------------------


_ANCESTOR_FILTER = re.compile(r"^\s*not\s*\(\s*/{0,2}ancestor-or-self::([\w.-]+:[\w.-]+)\s*\)\s*$")


def _copy_document(root: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(root.getroottree()), parser=_PARSER)


def _counterpart(copy_root: etree._Element, original: etree._Element) -> etree._Element:
    path = original.getroottree().getelementpath(original)
    found = copy_root if path == "." else copy_root.find(path)
    if found is None:
        raise XmlFormatError("cannot locate a signed element")
    return found


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        raise XmlFormatError("a transform would remove the whole document")
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:  # keep the text that followed the removed element
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _xpath_filter(node: etree._Element, transform: etree._Element) -> None:
    """XPath transform (XMLDSig 6.6.3), applied per element: an element for which the expression
    is false is left out with its content. ``not(//ancestor-or-self::p:n)`` (as UBL signatures
    write it) excludes the ``p:n`` elements."""
    xp = transform.find("ds:XPath", NS)
    if xp is None or not (xp.text or "").strip():
        raise XmlFormatError("XPath transform without an expression")
    expr = (xp.text or "").strip()
    nsmap = {k: v for k, v in xp.nsmap.items() if k}
    m = _ANCESTOR_FILTER.match(expr)
    if m:
        for el in node.xpath(f"descendant-or-self::{m.group(1)}", namespaces=nsmap):
            _remove(el)
        return
    drop = [
        el
        for el in node.iter()
        if isinstance(el.tag, str) and not el.xpath(f"boolean({expr})", namespaces=nsmap)
    ]
    for el in drop:
        if el.getparent() is not None and all(a not in drop for a in el.iterancestors()):
            _remove(el)


def _xpath2_filter(node: etree._Element, transform: etree._Element) -> None:
    ns = {"dsig-xpath": _XPATH2}
    for xp in transform.iterfind("dsig-xpath:XPath", ns):
        nsmap = {k: v for k, v in xp.nsmap.items() if k}
        found = node.xpath(xp.text or "", namespaces=nsmap)
        if not isinstance(found, list):
            raise XmlFormatError("XPath Filter 2.0 expression is not a node set")
        if xp.get("Filter") == "subtract":
            for el in found:
                if isinstance(el, etree._Element) and el.getparent() is not None:
                    _remove(el)
        elif xp.get("Filter") == "intersect":
            keep = {id(e) for e in found if isinstance(e, etree._Element)}
            for el in list(node):
                if id(el) not in keep:
                    _remove(el)
        else:
            raise XmlFormatError(f"XPath Filter 2.0 filter {xp.get('Filter')} not supported")


def reference_octets(
    sig: XmlSignature, ref: _Reference, data: DetachedData | None
) -> tuple[bytes, str]:
    """The octets a reference digests, and what they are (for reports). Raises KeyError when
    detached data is missing, XmlFormatError when the reference cannot be processed."""
    uri = ref.uri
    if uri is None:
        raise XmlFormatError(f"{ref.describe()}: a reference without URI is not supported")
    transforms = [
        t for t in ref.el.iterfind("ds:Transforms/ds:Transform", NS) if isinstance(t.tag, str)
    ]
    payload: etree._Element | bytes
    what: str
    if uri == "" or uri in ("#xpointer(/)",):
        copy = _copy_document(sig.root)
        payload, what = copy, "the document"
    elif uri.startswith("#"):
        target = uri[1:]
        m = re.match(r"^xpointer\(id\(['\"](.+)['\"]\)\)$", target)
        if m:
            target = m.group(1)
        found = _ids(sig.root, target)
        if len(found) != 1:
            raise XmlFormatError(
                f"{ref.describe()}: {'no' if not found else 'more than one'} element with Id {target}"
            )
        copy = _copy_document(sig.root)
        payload, what = _counterpart(copy, found[0]), f"element {target}"
    else:
        content = _detached(uri, data)
        what = f"detached file {unquote(uri)}"
        if any(t.get("Algorithm") in _C14N for t in transforms) or any(
            t.get("Algorithm") in (_XPATH, _XPATH2, _ENVELOPED) for t in transforms
        ):
            copy = parse_xml(content)
            payload = copy
        else:
            payload = content
    sig_path = sig.sig.getroottree().getelementpath(sig.sig)
    for t in transforms:
        alg = t.get("Algorithm")
        if alg == _ENVELOPED:
            if isinstance(payload, bytes):
                raise XmlFormatError("enveloped-signature transform on octets")
            own = payload.getroottree().getroot().find(sig_path)
            if own is not None and own.getparent() is not None:
                _remove(own)
        elif alg == _XPATH:
            if isinstance(payload, bytes):
                raise XmlFormatError("XPath transform on octets")
            _xpath_filter(payload, t)
        elif alg == _XPATH2:
            if isinstance(payload, bytes):
                raise XmlFormatError("XPath Filter 2.0 transform on octets")
            _xpath2_filter(payload, t)
        elif alg == _BASE64:
            text = payload.decode() if isinstance(payload, bytes) else "".join(payload.itertext())
            payload = _b64(text)
        elif alg in _C14N:
            if isinstance(payload, bytes):
                payload = parse_xml(payload)
            payload = _c14n(payload, alg, _prefixes(t))
        else:
            raise XmlFormatError(f"{ref.describe()}: unsupported transform {alg}")
    if not isinstance(payload, bytes):
        payload = _c14n(payload, C14N10)
    return payload, what


def _detached(uri: str, data: DetachedData | None) -> bytes:
    if not data:
        raise KeyError(uri)
    name = unquote(uri).split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    for candidate in (uri, unquote(uri), name):
        if candidate in data:
            return data[candidate]
    if len(data) == 1 and not getattr(data, "strict", False):
        return next(iter(data.values()))
    raise KeyError(uri)


# ---- the checks ------------------------------------------------------------------------

_SIG_DIGEST = re.compile(r"(sha1|sha224|sha256|sha384|sha512|sha3_256|sha3_384|sha3_512|md5)")


def _signature_digest(method: SignatureMethod) -> str:
    m = _SIG_DIGEST.search(method.name.lower())
    return m.group(1) if m else "unknown"


def _verify_value(
    sig: XmlSignature, cert: x509.Certificate, method: SignatureMethod, signed: bytes
) -> bool:
    verifier = XMLVerifier()
    try:
        verifier._verify_signature_with_pubkey(  # signxml's algorithm table (RSA, PSS, ECDSA, DSA)
            signed_info_c14n=signed,
            raw_signature=_b64(sig.value_el.text if sig.value_el is not None else ""),
            signature_alg=method,
            signing_certificate=cx509.load_der_x509_certificate(cert.dump()),
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    except Exception:
        return False
    return True


_UBL_EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"


def _in_ubl_extension(sig: etree._Element) -> bool:
    """A signature inside a UBL document's extensions (where the MyInvois profile applies)."""
    return any(a.tag == f"{{{_UBL_EXT}}}UBLExtensions" for a in sig.iterancestors())


async def check_xml_signature(
    sig: XmlSignature, options: ValidationOptions, data: DetachedData | None
) -> Check:
    check = Check(baseline=sig.baseline(), claimed=sig.signing_time())
    if sig.sig.get("Id"):
        check.label = sig.sig.get("Id")
    si = sig.signed_info
    assert si is not None
    cm = si.find("ds:CanonicalizationMethod", NS)
    sm = si.find("ds:SignatureMethod", NS)
    try:
        method = SignatureMethod(None if sm is None else sm.get("Algorithm"))
    except ValueError:
        check.fail(
            "TOTAL-FAILED",
            "FORMAT_FAILURE",
            f"unsupported signature algorithm {None if sm is None else sm.get('Algorithm')}",
            intact=False,
        )
        return check
    try:
        signed_info = _c14n(si, None if cm is None else cm.get("Algorithm"), _prefixes(cm))
    except XmlFormatError as exc:
        check.fail("TOTAL-FAILED", "FORMAT_FAILURE", str(exc), intact=False)
        return check
    check.algorithms.append((_signature_digest(method), None))

    # the signing certificate: the one SigningCertificate(V2) names, else the one that verifies
    certs = sig.certificates()
    refs = sig.signing_cert_refs()
    leaf = None
    if refs:
        for c in certs:
            if any(hashlib.new(alg, c.dump()).digest() == value for alg, value in refs):
                leaf = c
                break
        if leaf is None:
            check.fail(
                "INDETERMINATE",
                "NO_SIGNING_CERTIFICATE_FOUND",
                "no certificate in the signature matches the signed SigningCertificate digest",
            )
    else:
        leaf = next((c for c in certs if _verify_value(sig, c, method, signed_info)), None)
        if leaf is None and certs:
            leaf = certs[0]
        if check.baseline is None and sig.qp is not None:
            check.warnings.append("no signed SigningCertificate: not an AdES baseline signature")
    if leaf is None and not certs:
        check.fail("INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", None)
    check.leaf = leaf
    check.chain = [c for c in certs if leaf is None or c.sha256 != leaf.sha256]
    if leaf is not None:
        check.algorithms.append(key_algorithm(leaf))

    # references (the signed data, the signed properties)
    props_id = None if sig.signed_props is None else sig.signed_props.get("Id")
    props_covered = False
    coverage: list[str] = []
    doc_octets: bytes | None = None
    for ref in sig.references:
        try:
            octets, what = reference_octets(sig, ref, data)
            alg = _digest_name(None if ref.digest_uri is None else ref.digest_uri.get("Algorithm"))
        except KeyError:
            check.fail(
                "INDETERMINATE",
                "SIGNED_DATA_NOT_FOUND",
                f"{ref.describe()}: the detached data is not given (pass it with --data)",
            )
            continue
        except XmlFormatError as exc:
            check.fail("TOTAL-FAILED", "FORMAT_FAILURE", str(exc), intact=False)
            continue
        check.algorithms.append((alg, None))
        is_props = props_id is not None and ref.uri == f"#{props_id}"
        props_covered = props_covered or is_props
        if ref.uri == "":
            doc_octets = octets
        if hashlib.new(alg, octets).digest() != _b64(ref.digest_value):
            part = "the signed properties" if is_props else what
            check.fail(
                "TOTAL-FAILED",
                "HASH_FAILURE",
                f"{ref.describe()} over {part} does not match its digest",
                intact=False,
            )
        elif not is_props:
            coverage.append(what)
    check.coverage = ", ".join(coverage) if coverage else None
    if sig.signed_props is not None and not props_covered:
        check.fail(
            "TOTAL-FAILED",
            "FORMAT_FAILURE",
            "the XAdES signed properties are not covered by a reference of the signature",
            intact=False,
        )

    # the signature value
    if leaf is not None and check.indication != "TOTAL-FAILED":
        if _verify_value(sig, leaf, method, signed_info):
            pass
        elif (
            doc_octets is not None
            and _in_ubl_extension(sig.sig)
            and _verify_value(sig, leaf, method, doc_octets)
        ):
            # MyInvois (UBL) profile: the value signs the document, not ds:SignedInfo
            check.warnings.append(
                "the signature value signs the transformed document, not ds:SignedInfo (MyInvois"
                " profile): the signed properties are bound by their digest only"
            )
        else:
            check.fail(
                "TOTAL-FAILED",
                "SIG_CRYPTO_FAILURE",
                None,
                intact=False,
            )
    if check.indication == "TOTAL-FAILED":
        return check

    if (
        sig.signed_props is not None
        and sig.signed_props.find(
            "xades:SignedSignatureProperties/xades:SignaturePolicyIdentifier/xades:SignaturePolicyId",
            sig.ns,
        )
        is not None
    ):
        check.warnings.append("signature policy (SignaturePolicyId) reported, not processed")
    # unsigned properties: time stamps and validation data
    check.crls, check.ocsps = sig.revocation_values()
    await _time_stamps(sig, check, options, data)
    return check


async def _time_stamps(
    sig: XmlSignature, check: Check, options: ValidationOptions, data: DetachedData | None
) -> None:
    u = sig.unsigned
    if u is None:
        return
    archives: list[tuple[bytes | cms.ContentInfo, bytes | None]] = []
    for ts in [
        *u.iterfind("xades141:ArchiveTimeStamp", sig.ns),
        *u.iterfind("xades:ArchiveTimeStamp", sig.ns),
    ]:
        cm = ts.find("ds:CanonicalizationMethod", NS)
        try:
            imprint = _archive_input(sig, ts, None if cm is None else cm.get("Algorithm"), data)
        except (XmlFormatError, KeyError) as exc:
            check.warnings.append(f"archive time stamp: cannot compute what it covers ({exc})")
            continue
        archives += [
            (_b64(enc.text), imprint) for enc in ts.iterfind("xades:EncapsulatedTimeStamp", sig.ns)
        ]
    poe = await archive_poe(archives, options, check) if archives else None
    for ts in u.iterfind("xades:SignatureTimeStamp", sig.ns):
        cm = ts.find("ds:CanonicalizationMethod", NS)
        try:
            assert sig.value_el is not None
            imprint = _c14n(sig.value_el, None if cm is None else cm.get("Algorithm"))
        except XmlFormatError as exc:
            check.warnings.append(f"signature time stamp: {exc}")
            continue
        for enc in ts.iterfind("xades:EncapsulatedTimeStamp", sig.ns):
            await signature_timestamp(_b64(enc.text), imprint, options, check, poe)
    if check.baseline in ("B-T", "B-LT", "B-LTA") and check.proven is None:
        check.warnings.append("no valid signature time stamp: nothing proves the signing time")


def _archive_input(
    sig: XmlSignature, ts: etree._Element, c14n: str | None, data: DetachedData | None
) -> bytes:
    """Input of an archive time stamp's message imprint (EN 319 132-1, 5.5.2.2, explicit form)."""
    out = b""
    for ref in sig.references:
        octets, _ = reference_octets(sig, ref, data)
        out += octets
    assert sig.signed_info is not None and sig.value_el is not None
    out += _c14n(sig.signed_info, c14n)
    out += _c14n(sig.value_el, c14n)
    ki = sig.sig.find("ds:KeyInfo", NS)
    if ki is not None:
        out += _c14n(ki, c14n)
    assert sig.unsigned is not None
    for el in sig.unsigned:
        if el is ts:
            break
        if isinstance(el.tag, str):
            out += _c14n(el, c14n)
    for obj in sig.sig.iterfind("ds:Object", NS):
        if obj.find("xades:QualifyingProperties", sig.ns) is None:
            out += _c14n(obj, c14n)
    return out


def xml_signatures(root: etree._Element) -> list[etree._Element]:
    return [root] if root.tag == f"{{{DS}}}Signature" else list(root.iter(f"{{{DS}}}Signature"))


async def xml_checks(
    root: etree._Element, options: ValidationOptions, data: DetachedData | None
) -> list[Check]:
    """One check per ``ds:Signature`` of the document (counter-signatures included)."""
    checks: list[Check] = []
    for i, el in enumerate(xml_signatures(root)):
        try:
            sig = XmlSignature(root, el)
        except XmlFormatError as exc:
            c = Check(label=el.get("Id") or f"signature {i + 1}")
            c.fail("TOTAL-FAILED", "FORMAT_FAILURE", str(exc), intact=False)
            checks.append(c)
            continue
        check = await check_xml_signature(sig, options, data)
        if check.label is None:
            check.label = f"signature {i + 1}"
        if any(a.tag in _COUNTER_TAGS for a in el.iterancestors()):
            check.label += " (counter-signature)"
        checks.append(check)
    return checks


async def validate_xml(
    source: Path | bytes,
    options: ValidationOptions,
    *,
    name: str,
    data: DetachedData | None = None,
) -> FileReport:
    raw = read_source(source)
    try:
        root = parse_xml(raw)
    except XmlFormatError as exc:
        return FileReport(file=name, format="XAdES", error=f"cannot read: {exc}")
    from eauth_toolkit.signatures import einvoice

    if not xml_signatures(root):
        return FileReport(
            file=name,
            format="XAdES",
            error="cannot read: not a signed XML document (no ds:Signature)",
        )
    checks = await xml_checks(root, options, data)
    notes = einvoice.describe_xml(root, checks)
    return await finish(checks, options, name=name, fmt="XAdES", notes=notes)
