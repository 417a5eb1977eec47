"""Signer certificate path validation for JWS and XML signatures (pyhanko-certvalidator).

CMS and PDF signatures go through pyHanko's AdES engine; JWS (JAdES) and XML (XAdES) carry their
certificates in ``x5c`` or ``KeyInfo``, and this module validates that path against the trust
lists with the same revocation policy (check what the certificate declares; fetch only online).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from eauth_toolkit.signatures.pades import ValidationOptions

__all__ = ["PathOutcome", "validate_signer_path"]


@dataclass(frozen=True)
class PathOutcome:
    indication: str
    sub_indication: str | None
    path: ValidationPath | None
    reason: str | None
    revocation: str  # good / revoked / unknown / not checked


async def validate_signer_path(
    leaf: x509.Certificate,
    others: list[x509.Certificate],
    options: ValidationOptions,
    *,
    moment: datetime,
    crls: list[Any] | None = None,
    ocsps: list[Any] | None = None,
) -> PathOutcome:
    rule = RevocationCheckingRule.CHECK_IF_DECLARED
    vc = ValidationContext(
        trust_roots=options.trust.anchors(),
        other_certs=others,
        moment=moment,
        allow_fetching=options.online,
        crls=crls or [],
        ocsps=ocsps or [],
        revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(rule, rule)),
        fetcher_backend=RequestsFetcherBackend() if options.online else None,
    )
    validator = CertificateValidator(leaf, intermediate_certs=others, validation_context=vc)
    declared = bool(leaf.crl_distribution_points or leaf.ocsp_urls)
    try:
        path = await validator.async_validate_usage({"digital_signature"})
    except PathBuildingError as exc:
        return PathOutcome("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", None, str(exc), "unknown")
    except RevokedError as exc:
        return PathOutcome("INDETERMINATE", "REVOKED_NO_POE", None, str(exc), "revoked")
    except ExpiredError as exc:
        return PathOutcome("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE", None, str(exc), "unknown")
    except NotYetValidError as exc:
        return PathOutcome("INDETERMINATE", "NOT_YET_VALID", None, str(exc), "unknown")
    except InsufficientRevinfoError as exc:
        return PathOutcome(
            "INDETERMINATE", "CERTIFICATE_CHAIN_GENERAL_FAILURE", None, str(exc), "unknown"
        )
    except InvalidCertificateError as exc:
        return PathOutcome("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE", None, str(exc), "unknown")
    except PathValidationError as exc:
        return PathOutcome(
            "INDETERMINATE", "CERTIFICATE_CHAIN_GENERAL_FAILURE", None, str(exc), "unknown"
        )
    return PathOutcome("TOTAL-PASSED", None, path, None, "good" if declared else "not checked")
