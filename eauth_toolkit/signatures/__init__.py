"""Electronic signatures (Work Plan B.3): ETSI verdicts, levels against AMS trust lists, attacks detected.

::

    api          verify(), verify_many(): format detection, batches, parallel workers
    pades        PDF signatures through pyHanko's AdES engine (EN 319 102-1), baseline levels
    levels       QES-equivalent / AdES-QC / AdES / SES against AMS trust lists and recognition
    trustlist    ETSI TS 119 612 trust lists: build, sign, load, verify
    models       the JSON contract of a verdict and the trust list description (published schemas)
    signing      sandbox PAdES signatures at B-B, B-T, B-LT, B-LTA
    sandbox      the certomancer test PKI and its loopback server
"""

from __future__ import annotations

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
