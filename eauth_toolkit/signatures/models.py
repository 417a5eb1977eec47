"""Published contracts of the signatures part (pydantic models; the JSON Schemas come from them).

- ``signature-report``: what ``eauth sig verify --json`` and ``POST /api/signatures/verify`` return
  for one file (the verdict contract of the design notes).
  Indication, sub-indication, level and baseline are the enums below; :mod:`.verdicts` is the one
  place that turns what a format validator checked into a :class:`SignatureVerdict`.
- ``trustlist-description``: the small YAML/JSON description ``eauth trustlist build`` turns into
  an ETSI TS 119 612 trust list.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "PUBLISHED_SCHEMAS",
    "Indication",
    "SubIndication",
    "SignatureLevel",
    "BaselineLevel",
    "ChangeCategory",
    "Change",
    "SignerInfo",
    "TrustInfo",
    "RevocationInfo",
    "SignatureVerdict",
    "FileReport",
    "ServiceHistoryItem",
    "ServiceDescription",
    "ProviderDescription",
    "TrustListDescription",
]


class Indication(StrEnum):
    """ETSI EN 319 102-1 main status indication."""

    TOTAL_PASSED = "TOTAL-PASSED"
    TOTAL_FAILED = "TOTAL-FAILED"
    INDETERMINATE = "INDETERMINATE"


class SubIndication(StrEnum):
    """ETSI EN 319 102-1 sub-indications (table 5 and 6)."""

    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    POLICY_PROCESSING_ERROR = "POLICY_PROCESSING_ERROR"
    SIGNATURE_POLICY_NOT_AVAILABLE = "SIGNATURE_POLICY_NOT_AVAILABLE"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    REVOCATION_OUT_OF_BOUNDS_NO_POE = "REVOCATION_OUT_OF_BOUNDS_NO_POE"
    OUT_OF_BOUNDS_NOT_REVOKED = "OUT_OF_BOUNDS_NOT_REVOKED"
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    NO_POE = "NO_POE"
    TRY_LATER = "TRY_LATER"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"
    GENERIC = "GENERIC"


class SignatureLevel(StrEnum):
    """Level against the AMS trust lists (QES = qualified-equivalent)."""

    QES = "QES"
    ADES_QC = "AdES-QC"
    ADES = "AdES"
    SES = "SES"


class BaselineLevel(StrEnum):
    """ETSI baseline level the signature supports (EN 319 142-1, 319 122-1, ...)."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


class ChangeCategory(StrEnum):
    """What one change made to a PDF after a signature is (the categories of the EU's DSS)."""

    SIGNATURE_ADDED = "signature added"
    TIMESTAMP_ADDED = "time stamp added"
    DSS_UPDATE = "DSS/VRI update"
    FORM_FILL = "form field filled"
    ANNOTATION_ADDED = "annotation added"
    ANNOTATION_CHANGED = "annotation changed"
    ANNOTATION_REMOVED = "annotation removed"
    PAGE_ADDED = "page added"
    PAGE_REMOVED = "page removed"
    VISUAL_CONTENT = "visual content changed"
    OTHER = "other"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SignerInfo(_Frozen):
    subject: str
    issuer: str
    serial: str = Field(description="certificate serial number, hexadecimal")


class TrustInfo(_Frozen):
    ams: str | None = Field(
        description="AMS whose trust list names the CA service (ISO 3166 alpha-2)"
    )
    service: str | None = Field(description="name of the trust service on that list")
    status: str = Field(
        description="'granted' (licensed/accredited), another TS 119 612 status, or 'not listed'"
    )
    recognised_in: str | None = Field(
        default=None, description="the AMS the level is evaluated for (--ams), if any"
    )
    legal_term: str | None = Field(
        default=None, description="the AMS's own legal name for a signature at this level"
    )


class RevocationInfo(_Frozen):
    status: Literal["good", "revoked", "unknown", "not checked"]
    source: str = Field(description="'embedded (DSS)', 'embedded (signature)', 'online' or 'none'")


class Change(_Frozen):
    """One change made to a PDF after a signature, judged against the signature's permissions."""

    category: ChangeCategory
    page: int | None = Field(default=None, description="1-based page the change is on, if any")
    description: str
    allowed: bool = Field(description="permitted by the signature's DocMDP/FieldMDP rules")


class SignatureVerdict(_Frozen):
    field: str | None = Field(description="PDF signature field name (null for other formats)")
    indication: Indication
    sub_indication: SubIndication | None = Field(description="ETSI EN 319 102-1 sub-indication")
    level: SignatureLevel | None
    baseline: BaselineLevel | None
    signer: SignerInfo | None
    signing_time: datetime | None = Field(description="claimed signing time (signed attribute)")
    proven_time: datetime | None = Field(description="time proven by a time stamp, if any")
    trust: TrustInfo
    revocation: RevocationInfo
    coverage: str | None = Field(description="what the signature covers (PDF)")
    modifications: str | None = Field(description="modification level after signing (PDF)")
    changes: list[Change] = Field(
        default_factory=list, description="every change after signing, with category and page (PDF)"
    )
    warnings: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)


class FileReport(_Frozen):
    file: str
    format: Literal["PAdES", "CAdES", "JAdES", "XAdES"] | None
    signatures: list[SignatureVerdict] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="how the file was read")
    error: str | None = Field(default=None, description="why the file could not be read")

    @property
    def all_passed(self) -> bool:
        return (
            self.error is None
            and bool(self.signatures)
            and all(s.indication == "TOTAL-PASSED" for s in self.signatures)
        )


class ServiceHistoryItem(_Frozen):
    status: Literal[
        "granted", "withdrawn", "recognisedatnationallevel", "deprecatedatnationallevel"
    ]
    since: datetime


class ServiceDescription(_Frozen):
    name: str
    type: Literal["CA/QC", "CA/PKC", "TSA/QTST", "TSA"] = Field(
        description="TS 119 612 service type (CA/QC: licensed CA issuing qualified-equivalent certificates)"
    )
    status: Literal[
        "granted", "withdrawn", "recognisedatnationallevel", "deprecatedatnationallevel"
    ]
    since: datetime
    certificates: list[str] = Field(
        min_length=1,
        description="PEM certificates, or paths to PEM/DER files relative to the description",
    )
    usage: list[Literal["esignatures", "eseals"]] = Field(default_factory=list)
    history: list[ServiceHistoryItem] = Field(default_factory=list)


class ProviderDescription(_Frozen):
    name: str
    uri: str | None = None
    services: list[ServiceDescription] = Field(min_length=1)


class TrustListDescription(_Frozen):
    territory: str = Field(pattern="^[A-Z]{2}$", description="AMS code (ISO 3166 alpha-2)")
    operator: str
    scheme_name: str
    sequence: int = Field(ge=1)
    issued: datetime
    next_update: datetime
    legal_notice: str
    information_uri: str = "https://eauth-toolkit.example/trust-lists"
    sandbox: bool = Field(default=False, description="a SANDBOX list (test CAs only)")
    providers: list[ProviderDescription] = Field(min_length=1)


PUBLISHED_SCHEMAS = {
    "signature-report": FileReport,
    "trustlist-description": TrustListDescription,
}
