"""Sandbox signatures: PAdES at each baseline level with the sandbox CAs (pyHanko's signer).

``B-B`` is a bare PAdES signature, ``B-T`` adds a signature time stamp, ``B-LT`` embeds the
certificates and revocation information (fetched from the sandbox OCSP responder and CRL) in the
document security store, and ``B-LTA`` adds a document time stamp over all of it.
"""

from __future__ import annotations

import io
from typing import Literal

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.registry import SimpleCertificateStore

from eauth_toolkit.errors import InputError, SignatureError
from eauth_toolkit.signatures._aio import run_sync
from eauth_toolkit.signatures.sandbox import SIGNERS, SandboxPKI

__all__ = ["BASELINES", "Baseline", "sign_cms", "sign_jws", "sign_pdf", "sign_xml"]

Baseline = Literal["B-B", "B-T", "B-LT", "B-LTA"]
BASELINES: tuple[Baseline, ...] = ("B-B", "B-T", "B-LT", "B-LTA")


def sign_pdf(
    pdf: bytes,
    *,
    pki: SandboxPKI,
    signer: str = "my-signer-qc",
    baseline: Baseline = "B-LTA",
    field_name: str | None = None,
    certify: bool = False,
) -> bytes:
    """Sign ``pdf`` with a sandbox signer at the given baseline level; return the signed bytes.

    ``B-T`` and above need ``pki`` to be served (:func:`eauth_toolkit.signatures.sandbox.serve`),
    since the time stamps and revocation information are fetched over HTTP.
    """
    if signer not in SIGNERS:
        raise InputError(f"unknown sandbox signer (choose from {', '.join(SIGNERS)})", where=signer)
    if baseline not in BASELINES:
        raise InputError(
            f"unknown baseline level (choose from {', '.join(BASELINES)})", where=baseline
        )
    cert = pki.cert(signer)
    issuer = pki.cert("sg-root" if signer.startswith("sg-") else "my-root")
    if signer.startswith("rogue-"):
        issuer = pki.cert("rogue-root")
    simple = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=pki.key(signer),
        cert_registry=SimpleCertificateStore.from_certs([issuer]),
    )
    long_term = baseline in ("B-LT", "B-LTA")
    vc = None
    if long_term:
        vc = ValidationContext(
            trust_roots=[issuer, pki.cert("tsa-root")],
            allow_fetching=True,
            fetcher_backend=RequestsFetcherBackend(),
        )
    name = field_name or "Signature1"
    # B-LT: the revocation data is fetched after the signature time stamp (so that it shows the
    # certificate was not revoked when the signature was proven to exist, EN 319 102-1 5.2.5.4)
    # and added to the DSS in an incremental update; B-LTA then adds a document time stamp.
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="SANDBOX signature made by eauth-toolkit",
        certify=certify,
    )
    timestamper = HTTPTimeStamper(pki.tsa_url) if baseline != "B-B" else None
    out = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pdf_signer = signers.PdfSigner(
            meta,
            signer=simple,
            timestamper=timestamper,
            new_field_spec=fields.SigFieldSpec(sig_field_name=name),
        )
        run_sync(lambda: pdf_signer.async_sign_pdf(writer, output=out))
        if long_term:
            assert vc is not None and timestamper is not None
            out = _add_long_term_data(out.getvalue(), name, vc, timestamper, baseline == "B-LTA")
    except Exception as exc:  # pyHanko raises many kinds; report which step failed
        raise SignatureError(f"could not sign: {type(exc).__name__}: {exc}", where=signer) from exc
    return out.getvalue()


def _add_long_term_data(
    signed: bytes,
    field_name: str,
    vc: ValidationContext,
    timestamper: HTTPTimeStamper,
    archive: bool,
) -> io.BytesIO:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import async_add_validation_info

    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    esig = next(s for s in reader.embedded_regular_signatures if s.field_name == field_name)
    with_dss = io.BytesIO()
    run_sync(lambda: async_add_validation_info(esig, vc, output=with_dss))
    if not archive:
        return with_dss
    stamped = io.BytesIO()
    ts_writer = IncrementalPdfFileWriter(io.BytesIO(with_dss.getvalue()), strict=False)
    run_sync(
        lambda: signers.PdfTimeStamper(timestamper).async_timestamp_pdf(
            ts_writer, "sha256", validation_context=vc, output=stamped
        )
    )
    return stamped


def _simple_signer(pki: SandboxPKI, signer: str) -> signers.SimpleSigner:
    if signer not in SIGNERS:
        raise InputError(f"unknown sandbox signer (choose from {', '.join(SIGNERS)})", where=signer)
    issuer = (
        "sg-root"
        if signer.startswith("sg-")
        else "rogue-root"
        if signer.startswith("rogue-")
        else "my-root"
    )
    return signers.SimpleSigner(
        signing_cert=pki.cert(signer),
        signing_key=pki.key(signer),
        cert_registry=SimpleCertificateStore.from_certs([pki.cert(issuer)]),
    )


def sign_cms(
    data: bytes,
    *,
    pki: SandboxPKI,
    signer: str = "my-signer-qc",
    detached: bool = True,
    timestamp: bool = True,
) -> bytes:
    """A SANDBOX CAdES signature (DER): detached (``.p7s``) or enveloping (``.p7m``); B-T with a time stamp."""
    simple = _simple_signer(pki, signer)
    timestamper = HTTPTimeStamper(pki.tsa_url) if timestamp else None
    try:
        info = run_sync(
            lambda: simple.async_sign_general_data(
                data, "sha256", detached=detached, use_cades=True, timestamper=timestamper
            )
        )
    except Exception as exc:
        raise SignatureError(f"could not sign: {type(exc).__name__}: {exc}", where=signer) from exc
    return bytes(info.dump())


def sign_jws(payload: bytes, *, pki: SandboxPKI, signer: str = "my-signer-qc") -> bytes:
    """A SANDBOX JAdES baseline B-B signature, compact serialisation, with ``x5c`` and ``sigT``."""
    import base64
    import hashlib
    from datetime import UTC, datetime

    from asn1crypto import pem
    from joserfc import jws
    from joserfc.jwk import ECKey, RSAKey

    simple = _simple_signer(pki, signer)
    cert = pki.cert(signer)
    key_pem = pem.armor("PRIVATE KEY", pki.key(signer).dump())
    key = (
        RSAKey.import_key(key_pem)
        if cert.public_key.algorithm == "rsa"
        else ECKey.import_key(key_pem)
    )
    chain = [cert, *simple.cert_registry]
    alg = "RS256" if cert.public_key.algorithm == "rsa" else "ES256"
    header: dict[str, object] = {
        "alg": alg,
        "typ": "jose",
        "x5c": [base64.b64encode(c.dump()).decode() for c in chain],
        "x5t#S256": base64.urlsafe_b64encode(hashlib.sha256(cert.dump()).digest())
        .decode()
        .rstrip("="),
        "sigT": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    from eauth_toolkit.signatures.jades import jades_registry

    return jws.serialize_compact(header, payload, key, registry=jades_registry([alg])).encode()


def sign_xml(xml: bytes, *, pki: SandboxPKI, signer: str = "my-signer-qc") -> bytes:
    """A SANDBOX XAdES (enveloped) signature over an XML document."""
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import serialization
    from lxml import etree
    from signxml.xades import XAdESSigner

    cert = pki.cert(signer)
    issuer = next(iter(_simple_signer(pki, signer).cert_registry))
    key = serialization.load_der_private_key(pki.key(signer).dump(), password=None)
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    alg = "rsa-sha256" if cert.public_key.algorithm == "rsa" else "ecdsa-sha256"
    signed = XAdESSigner(signature_algorithm=alg).sign(
        root,
        key=key,  # type: ignore[arg-type]
        cert=[
            cx509.load_der_x509_certificate(cert.dump()),
            cx509.load_der_x509_certificate(issuer.dump()),
        ],
    )
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
