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

__all__ = ["BASELINES", "Baseline", "sign_pdf"]

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
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="SANDBOX signature made by eauth-toolkit",
        embed_validation_info=long_term,
        use_pades_lta=baseline == "B-LTA",
        validation_context=vc,
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
    except Exception as exc:  # pyHanko raises many kinds; report which step failed
        raise SignatureError(f"could not sign: {type(exc).__name__}: {exc}", where=signer) from exc
    return out.getvalue()
