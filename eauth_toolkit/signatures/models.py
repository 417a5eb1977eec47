"""Published contracts of the signatures part (pydantic models; the JSON Schemas come from them).

- ``signature-report``: what ``eauth sig verify --json`` and ``POST /api/signatures/verify`` return
  for one file (the verdict contract of the design notes).
- ``trustlist-description``: the small YAML/JSON description ``eauth trustlist build`` turns into
  an ETSI TS 119 612 trust list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eauth_toolkit.ams import SignatureLevel

__all__ = [
    "PUBLISHED_SCHEMAS",
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

Indication = Literal["TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE"]
BaselineLevel = Literal["B-B", "B-T", "B-LT", "B-LTA"]


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


class SignatureVerdict(_Frozen):
    field: str | None = Field(description="PDF signature field name (null for other formats)")
    indication: Indication
    sub_indication: str | None = Field(description="ETSI EN 319 102-1 sub-indication")
    level: SignatureLevel | None
    baseline: BaselineLevel | None
    signer: SignerInfo | None
    signing_time: datetime | None = Field(description="claimed signing time (signed attribute)")
    proven_time: datetime | None = Field(description="time proven by a time stamp, if any")
    trust: TrustInfo
    revocation: RevocationInfo
    coverage: str | None = Field(description="what the signature covers (PDF)")
    modifications: str | None = Field(description="modification level after signing (PDF)")
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
