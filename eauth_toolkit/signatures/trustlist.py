"""AMS trust lists in ETSI TS 119 612 XML: build one from a description, load and verify one.

A trust list names the trust service providers an AMS supervises (for us: the licensed or
accredited certification authorities) with their status over time. ``build_trust_list`` writes
the XML and signs it (enveloped XAdES, signxml), ``load_trust_list`` verifies that signature and
reads the list twice: with pyHanko's TS 119 612 parser (a ``TSPRegistry`` for the qualification
check) and with lxml for everything shown to people (names, statuses, all service types).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from lxml import etree
from pydantic import ValidationError
from pyhanko.sign.validation.qualified.tsp import TSPRegistry

from eauth_toolkit.errors import InputError, SchemaError, SignatureError
from eauth_toolkit.signatures import tlcache
from eauth_toolkit.signatures.models import TrustListDescription

__all__ = [
    "TSL_NS",
    "ServiceEntry",
    "TrustList",
    "build_trust_list",
    "describe",
    "load_certificates",
    "load_description",
    "load_trust_list",
    "parse_trust_list",
]

TSL_NS = "http://uri.etsi.org/02231/v2#"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_SVC_TYPE = "http://uri.etsi.org/TrstSvc/Svctype/"
_SVC_STATUS = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
_SVC_INFO_EXT = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
_USAGE_URI = {"esignatures": "ForeSignatures", "eseals": "ForeSeals"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _q(tag: str) -> str:
    return f"{{{TSL_NS}}}{tag}"


@dataclass(frozen=True)
class ServiceEntry:
    """One trust service as the list states it today (the history is kept as pairs)."""

    provider: str
    name: str
    type: str
    status: str
    since: datetime | None
    certificates: tuple[x509.Certificate, ...]
    usage: tuple[str, ...]
    history: tuple[tuple[str, datetime | None], ...] = ()

    @property
    def is_ca(self) -> bool:
        return self.type.startswith("CA/")


@dataclass(frozen=True)
class TrustList:
    """A loaded, signature-checked trust list."""

    territory: str
    operator: str
    scheme_name: str
    sequence: int
    issued: datetime | None
    next_update: datetime | None
    sandbox: bool
    services: tuple[ServiceEntry, ...]
    signer: x509.Certificate | None
    signer_pinned: bool
    source: str
    registry: TSPRegistry = field(compare=False, repr=False)

    def anchors(self) -> list[x509.Certificate]:
        """Certificates of the CA and TSA services that are or were granted."""
        out: list[x509.Certificate] = []
        for svc in self.services:
            if svc.status != "withdrawn" or any(st == "granted" for st, _ in svc.history):
                out.extend(svc.certificates)
        return out

    def service_for(self, cert: x509.Certificate) -> ServiceEntry | None:
        """The service whose digital identity is ``cert`` (matched by public key)."""
        key = cert.public_key.dump()
        for svc in self.services:
            if any(c.public_key.dump() == key for c in svc.certificates):
                return svc
        return None


# ----------------------------------------------------------------------------- certificates


def load_certificates(data: bytes, *, where: str) -> list[x509.Certificate]:
    """PEM (one or more) or DER certificates; ``where`` names the source in errors."""
    try:
        if pem.detect(data):
            return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
        cert = x509.Certificate.load(data)
        _ = cert.subject  # force parsing now
        return [cert]
    except Exception as exc:
        raise InputError(f"not a certificate: {exc}", where=where) from exc


# ----------------------------------------------------------------------------- building


def load_description(path: Path) -> TrustListDescription:
    """Read and schema-check a trust list description (YAML or JSON)."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the description: {exc}", where=str(path)) from exc
    try:
        return TrustListDescription.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        pointer = "/" + "/".join(str(p) for p in first["loc"])
        raise SchemaError(
            f"{first['msg']} ({len(exc.errors())} problem(s))", where=f"{path}#{pointer}"
        ) from exc


def _name(parent: etree._Element, tag: str, text: str) -> None:
    holder = etree.SubElement(parent, _q(tag))
    el = etree.SubElement(holder, _q("Name"))
    el.set(f"{{{_XML_NS}}}lang", "en")
    el.text = text


def _uri_list(parent: etree._Element, tag: str, uris: list[str]) -> None:
    holder = etree.SubElement(parent, _q(tag))
    for u in uris:
        el = etree.SubElement(holder, _q("URI"))
        el.set(f"{{{_XML_NS}}}lang", "en")
        el.text = u


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    el = etree.SubElement(parent, _q(tag))
    el.text = text
    return el


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _service_certs(values: list[str], base: Path) -> list[x509.Certificate]:
    certs: list[x509.Certificate] = []
    for v in values:
        if "-----BEGIN" in v:
            certs.extend(load_certificates(v.encode(), where="certificates"))
        else:
            p = (base / v).resolve()
            try:
                data = p.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read certificate: {exc.strerror}", where=str(p)) from exc
            certs.extend(load_certificates(data, where=str(p)))
    return certs


def _tsl_tree(desc: TrustListDescription, base: Path) -> etree._Element:
    root = etree.Element(_q("TrustServiceStatusList"), nsmap={None: TSL_NS})
    root.set("TSLTag", "http://uri.etsi.org/19612/TSLTag")
    root.set("Id", f"TSL-{desc.territory}-{desc.sequence}")
    info = etree.SubElement(root, _q("SchemeInformation"))
    _text(info, "TSLVersionIdentifier", "5")
    _text(info, "TSLSequenceNumber", str(desc.sequence))
    # non-EU lists: the scheme type names the territory (TS 119 612, clause 5.3.3)
    _text(info, "TSLType", f"http://uri.etsi.org/TrstSvc/TrustedList/TSLType/{desc.territory}list")
    _name(info, "SchemeOperatorName", desc.operator)
    addr = etree.SubElement(info, _q("SchemeOperatorAddress"))
    el_addr = etree.SubElement(addr, _q("ElectronicAddress"))
    uri = etree.SubElement(el_addr, _q("URI"))
    uri.set(f"{{{_XML_NS}}}lang", "en")
    uri.text = desc.information_uri
    _name(info, "SchemeName", desc.scheme_name)
    _uri_list(info, "SchemeInformationURI", [desc.information_uri])
    _text(
        info,
        "StatusDeterminationApproach",
        "http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/appropriate",
    )
    _text(info, "SchemeTerritory", desc.territory)
    notice = etree.SubElement(info, _q("PolicyOrLegalNotice"))
    ln = etree.SubElement(notice, _q("TSLLegalNotice"))
    ln.set(f"{{{_XML_NS}}}lang", "en")
    ln.text = ("SANDBOX - test data only. " if desc.sandbox else "") + desc.legal_notice
    _text(info, "HistoricalInformationPeriod", "65535")
    _text(info, "ListIssueDateTime", _iso(desc.issued))
    nu = etree.SubElement(info, _q("NextUpdate"))
    _text(nu, "dateTime", _iso(desc.next_update))

    providers = etree.SubElement(root, _q("TrustServiceProviderList"))
    for prov in desc.providers:
        tsp = etree.SubElement(providers, _q("TrustServiceProvider"))
        tinfo = etree.SubElement(tsp, _q("TSPInformation"))
        _name(tinfo, "TSPName", prov.name)
        taddr = etree.SubElement(tinfo, _q("TSPAddress"))
        tel = etree.SubElement(taddr, _q("ElectronicAddress"))
        tu = etree.SubElement(tel, _q("URI"))
        tu.set(f"{{{_XML_NS}}}lang", "en")
        tu.text = prov.uri or desc.information_uri
        _uri_list(tinfo, "TSPInformationURI", [prov.uri or desc.information_uri])
        services = etree.SubElement(tsp, _q("TSPServices"))
        for svc in prov.services:
            certs = _service_certs(svc.certificates, base)
            el_svc = etree.SubElement(services, _q("TSPService"))
            si = etree.SubElement(el_svc, _q("ServiceInformation"))
            _service_body(si, svc.type, svc.name, certs, svc.status, svc.since, svc.usage)
            if svc.history:
                hist = etree.SubElement(el_svc, _q("ServiceHistory"))
                for item in sorted(svc.history, key=lambda h: h.since, reverse=True):
                    hi = etree.SubElement(hist, _q("ServiceHistoryInstance"))
                    _service_body(hi, svc.type, svc.name, certs, item.status, item.since, svc.usage)
    return root


def _service_body(
    parent: etree._Element,
    svc_type: str,
    name: str,
    certs: list[x509.Certificate],
    status: str,
    since: datetime,
    usage: Sequence[str],
) -> None:
    _text(parent, "ServiceTypeIdentifier", _SVC_TYPE + svc_type)
    _name(parent, "ServiceName", name)
    sdi = etree.SubElement(parent, _q("ServiceDigitalIdentity"))
    for c in certs:
        did = etree.SubElement(sdi, _q("DigitalId"))
        _text(did, "X509Certificate", base64.b64encode(c.dump()).decode())
    _text(parent, "ServiceStatus", _SVC_STATUS + status)
    _text(parent, "StatusStartingTime", _iso(since))
    if usage:
        exts = etree.SubElement(parent, _q("ServiceInformationExtensions"))
        for u in usage:
            ext = etree.SubElement(exts, _q("Extension"))
            ext.set("Critical", "false")
            asi = etree.SubElement(ext, _q("AdditionalServiceInformation"))
            el = etree.SubElement(asi, _q("URI"))
            el.set(f"{{{_XML_NS}}}lang", "en")
            el.text = _SVC_INFO_EXT + _USAGE_URI[u]


def build_trust_list(
    desc: TrustListDescription, *, key_pem: bytes, cert_pem: bytes, base: Path = Path(".")
) -> bytes:
    """The signed TS 119 612 XML for ``desc`` (enveloped XAdES signature by the scheme operator)."""
    from signxml.xades import XAdESSigner

    root = _tsl_tree(desc, base)
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
        cert = cx509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise InputError(
            f"cannot read the signing key or certificate: {exc}", where="--key/--cert"
        ) from exc
    signer = XAdESSigner(signature_algorithm="rsa-sha256" if _is_rsa(key) else "ecdsa-sha256")
    signed = signer.sign(root, key=key, cert=[cert])  # type: ignore[arg-type]
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def _is_rsa(key: Any) -> bool:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return isinstance(key, rsa.RSAPrivateKey)


# ----------------------------------------------------------------------------- loading


def _embedded_signer(root: etree._Element) -> x509.Certificate | None:
    el = root.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    if el is None or not el.text:
        return None
    try:
        return x509.Certificate.load(base64.b64decode("".join(el.text.split())))
    except Exception:
        return None


def load_trust_list(path: Path, *, pinned: list[x509.Certificate] | None = None) -> TrustList:
    """Load ``path``, check its XML signature and parse it.

    With ``pinned`` certificates the list must be signed by one of them; otherwise the signature is
    checked with the certificate the list carries (integrity only; the result says it was not pinned).
    Raises :class:`SignatureError` when the signature does not verify: a list is never used unchecked.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read trust list: {exc.strerror}", where=str(path)) from exc
    return parse_trust_list(data, source=str(path), pinned=pinned)


def parse_trust_list(
    data: bytes, *, source: str, pinned: list[x509.Certificate] | None = None
) -> TrustList:
    # the XML signature checker is loaded only when a list is actually read
    from signxml import InvalidInput, InvalidSignature
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not XML: {exc}", where=source) from exc
    if root.tag != _q("TrustServiceStatusList"):
        raise InputError("not an ETSI TS 119 612 trust list (TrustServiceStatusList)", where=source)
    embedded = _embedded_signer(root)
    candidates = list(pinned or ([] if embedded is None else [embedded]))
    if not candidates:
        raise SignatureError("the trust list is not signed", where=source, code="FORMAT_FAILURE")
    signed_xml: bytes | None = None
    signer: x509.Certificate | None = None
    problems = []
    for cand in candidates:
        try:
            results = XAdESVerifier().verify(
                data,
                x509_cert=cx509.load_der_x509_certificate(cand.dump()),
                expect_config=XAdESSignatureConfiguration(
                    require_x509=True, expect_references=True
                ),
            )
        except (InvalidSignature, InvalidInput, ValueError) as exc:
            problems.append(f"{cand.subject.human_friendly}: {exc}")
            continue
        for res in results:  # type: ignore[union-attr]
            if res.signed_xml is not None and res.signed_xml.tag == root.tag:
                signed_xml = res.signed_data
                signer = cand
                break
        if signed_xml is not None:
            break
    if signed_xml is None or signer is None:
        detail = "; ".join(problems) or "the signature does not cover the list"
        raise SignatureError(
            f"trust list signature does not verify: {detail}",
            where=source,
            code="SIG_CRYPTO_FAILURE",
        )
    try:
        registry = tlcache.registry_for(signed_xml)
    except Exception as exc:
        raise InputError(
            f"cannot parse the trust list: {type(exc).__name__}: {exc}", where=source
        ) from exc
    signed_root = etree.fromstring(signed_xml, parser=_PARSER)
    return _read(signed_root, registry, signer=signer, pinned=bool(pinned), source=source)


def _t(el: etree._Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path, {"t": TSL_NS})
    return None if found is None or found.text is None else found.text.strip()


def _dt(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _read(
    root: etree._Element,
    registry: TSPRegistry,
    *,
    signer: x509.Certificate,
    pinned: bool,
    source: str,
) -> TrustList:
    ns = {"t": TSL_NS}
    info = root.find("t:SchemeInformation", ns)
    territory = _t(info, "t:SchemeTerritory") or "??"
    services: list[ServiceEntry] = []
    for tsp in root.iterfind("t:TrustServiceProviderList/t:TrustServiceProvider", ns):
        prov = _t(tsp, "t:TSPInformation/t:TSPName/t:Name") or "?"
        for svc in tsp.iterfind("t:TSPServices/t:TSPService", ns):
            si = svc.find("t:ServiceInformation", ns)
            if si is None:
                continue
            certs = tuple(
                x509.Certificate.load(base64.b64decode("".join((c.text or "").split())))
                for c in si.iterfind("t:ServiceDigitalIdentity/t:DigitalId/t:X509Certificate", ns)
            )
            usage = tuple(
                (u.text or "").rsplit("/", 1)[-1]
                for u in si.iterfind(
                    "t:ServiceInformationExtensions/t:Extension/t:AdditionalServiceInformation/t:URI",
                    ns,
                )
            )
            history = tuple(
                (
                    (_t(h, "t:ServiceStatus") or "").rsplit("/", 1)[-1],
                    _dt(_t(h, "t:StatusStartingTime")),
                )
                for h in svc.iterfind("t:ServiceHistory/t:ServiceHistoryInstance", ns)
            )
            services.append(
                ServiceEntry(
                    provider=prov,
                    name=_t(si, "t:ServiceName/t:Name") or "?",
                    type=(_t(si, "t:ServiceTypeIdentifier") or "").removeprefix(_SVC_TYPE),
                    status=(_t(si, "t:ServiceStatus") or "").rsplit("/", 1)[-1],
                    since=_dt(_t(si, "t:StatusStartingTime")),
                    certificates=certs,
                    usage=usage,
                    history=history,
                )
            )
    notice = _t(info, "t:PolicyOrLegalNotice/t:TSLLegalNotice") or ""
    return TrustList(
        territory=territory,
        operator=_t(info, "t:SchemeOperatorName/t:Name") or "?",
        scheme_name=_t(info, "t:SchemeName/t:Name") or "?",
        sequence=int(_t(info, "t:TSLSequenceNumber") or 0),
        issued=_dt(_t(info, "t:ListIssueDateTime")),
        next_update=_dt(_t(info, "t:NextUpdate/t:dateTime")),
        sandbox=notice.startswith("SANDBOX"),
        services=tuple(services),
        signer=signer,
        signer_pinned=pinned,
        source=source,
        registry=registry,
    )


def describe(tl: TrustList) -> dict[str, Any]:
    """A plain summary of a loaded list (for ``eauth trustlist show``)."""
    return {
        "territory": tl.territory,
        "operator": tl.operator,
        "scheme_name": tl.scheme_name,
        "sequence": tl.sequence,
        "issued": tl.issued.isoformat() if tl.issued else None,
        "next_update": tl.next_update.isoformat() if tl.next_update else None,
        "sandbox": tl.sandbox,
        "signed_by": tl.signer.subject.human_friendly if tl.signer else None,
        "signer_pinned": tl.signer_pinned,
        "services": [
            {
                "provider": s.provider,
                "name": s.name,
                "type": s.type,
                "status": s.status,
                "since": s.since.isoformat() if s.since else None,
                "usage": list(s.usage),
                "certificates": [
                    {
                        "subject": c.subject.human_friendly,
                        "sha256": hashlib.sha256(c.dump()).hexdigest(),
                    }
                    for c in s.certificates
                ],
                "history": [
                    {"status": st, "since": d.isoformat() if d else None} for st, d in s.history
                ],
            }
            for s in tl.services
        ],
    }
