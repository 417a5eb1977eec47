"""XML signatures (XAdES, ETSI EN 319 132-1) verified with signxml.

The signer certificate is the first ``ds:X509Certificate`` of the signature; signxml checks the
signature value and the references with it, and its path to a trust list is validated by
pyhanko-certvalidator (:mod:`.certpath`).
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime
from pathlib import Path

from asn1crypto import x509
from cryptography import x509 as cx509
from lxml import etree
from signxml import InvalidInput, InvalidSignature
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from eauth_toolkit.signatures.conclude import conclude
from eauth_toolkit.signatures.models import (
    FileReport,
)
from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = ["validate_xml"]

_DS = "http://www.w3.org/2000/09/xmldsig#"
log = logging.getLogger("eauth_toolkit.signatures")
_XADES = "http://uri.etsi.org/01903/v1.3.2#"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


async def validate_xml(
    source: Path | bytes, options: ValidationOptions, *, name: str
) -> FileReport:
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
    except OSError as exc:
        return FileReport(file=name, format=None, error=f"cannot read: {exc.strerror}")
    try:
        root = etree.fromstring(data, parser=_PARSER)
        el = root.find(f".//{{{_DS}}}Signature//{{{_DS}}}X509Certificate")
        if el is None or not el.text:
            raise ValueError("no ds:Signature with an X509Certificate")
        certs = [
            x509.Certificate.load(base64.b64decode("".join((c.text or "").split())))
            for c in root.iterfind(f".//{{{_DS}}}Signature//{{{_DS}}}X509Certificate")
        ]
        leaf = certs[0]
        _ = leaf.subject
    except Exception as exc:
        return FileReport(
            file=name, format="XAdES", error=f"cannot read: not a signed XML document ({exc})"
        )
    reasons: list[str] = []
    indication, sub, intact = "TOTAL-PASSED", None, True
    claimed = None
    try:
        results = XAdESVerifier().verify(
            data,
            x509_cert=cx509.load_der_x509_certificate(leaf.dump()),
            expect_config=XAdESSignatureConfiguration(require_x509=True, expect_references=True),
        )
        for res in results:  # type: ignore[union-attr]
            props = getattr(res, "signed_properties", None)
            st = None if props is None else props.find(f".//{{{_XADES}}}SigningTime")
            if st is not None and st.text:
                claimed = datetime.fromisoformat(st.text.strip().replace("Z", "+00:00"))
    except (InvalidSignature, InvalidInput) as exc:
        indication, sub, intact = "TOTAL-FAILED", "SIG_CRYPTO_FAILURE", False
        log.debug("XML signature value: %s", exc)
    except Exception as exc:
        indication, sub, intact = "TOTAL-FAILED", "FORMAT_FAILURE", False
        log.debug("XML signature structure: %s: %s", type(exc).__name__, exc)
    return await conclude(
        name=name,
        fmt="XAdES",
        leaf=leaf,
        chain=certs[1:],
        options=options,
        indication=indication,
        sub=sub,
        intact=intact,
        claimed=claimed,
        baseline="B-B" if claimed is not None else None,
        reasons=reasons,
        warnings=[],
    )
