"""Electronic signatures (Work Plan B.3): ETSI verdicts, levels against AMS trust lists, attacks detected.

::

    api          verify(), verify_many(): format detection, batches, parallel workers
    pades        PDF signatures through pyHanko's AdES engine (EN 319 102-1)
    pdf_checks   baseline level, revocation source, changes after signing, stray bytes
    cades        CMS signatures (detached .p7s, enveloping .p7m) through the same engine
    jades        JWS signatures (joserfc), certificate path by pyhanko-certvalidator (certpath)
    xades        XML signatures (signxml), certificate path by pyhanko-certvalidator (certpath)
    levels       QES-equivalent / AdES-QC / AdES / SES against AMS trust lists and recognition
    trustlist    ETSI TS 119 612 trust lists: build, sign, load, verify
    indications  ETSI sub-indications in plain words
    verdicts     the one verdict builder: checks of any format -> the verdict of the JSON contract
    models       the JSON contract of a verdict and the trust list description (published schemas)
    signing      sandbox signatures: PAdES B-B to B-LTA, CAdES, JAdES, XAdES
    sandbox      the certomancer test PKI, its loopback server and the sandbox trust lists
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eauth_toolkit.signatures.api import VerifyRequest, options_for, verify, verify_many
    from eauth_toolkit.signatures.models import FileReport, SignatureVerdict
    from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = [
    "FileReport",
    "SignatureVerdict",
    "ValidationOptions",
    "VerifyRequest",
    "options_for",
    "verify",
    "verify_many",
]

_HOME = {
    "FileReport": "models",
    "SignatureVerdict": "models",
    "ValidationOptions": "pades",
    "VerifyRequest": "api",
    "options_for": "api",
    "verify": "api",
    "verify_many": "api",
}


def __getattr__(name: str) -> Any:
    """Imported on first use, so that ``import eauth_toolkit.signatures.trustlist`` stays light."""
    import importlib

    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
