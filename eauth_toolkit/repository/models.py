"""The Collaborative Repository List documents: entries, AMS submissions and the published list.

The pydantic models here are the source of the published JSON Schemas
(``schemas/repository-entry``, ``repository-submission`` and ``repository-list``). The published
list follows the shape of an ETSI TS 119 612 trusted list: scheme information, a sequence number,
the issue date and the next update, and every entry with its dated status history.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eauth_toolkit.ams import AMS_CODES, AmsCode, Iso29115Level
from eauth_toolkit.loa.models import TechnologyProfile
from eauth_toolkit.repository.trust import AgreementSubmission, TrustListSubmission, TrustPicture

__all__ = [
    "AMS_CODES",
    "MAX_SEQUENCE",
    "TECHNOLOGY_TYPES",
    "STATUSES",
    "AmsCode",
    "TechnologyType",
    "EntryStatus",
    "StatusChange",
    "ClaimedLevel",
    "AcrValue",
    "OidcProvider",
    "Disclosure",
    "SOURCE_KINDS",
    "STRONG_SOURCE_KINDS",
    "SourceKind",
    "Source",
    "Entry",
    "Withdrawal",
    "SubmissionDocument",
    "AssessedLevel",
    "PublishedEntry",
    "SchemeInformation",
    "PublishedList",
    "PUBLISHED_SCHEMAS",
]

TECHNOLOGY_TYPES: tuple[str, ...] = (
    "national_digital_identity",
    "corporate_digital_identity",
    "pki_digital_certificate",
    "identity_verification_service",
    "mobile_identity_app",
    "smart_card",
    "one_time_password",
    "other",
)
STATUSES: tuple[str, ...] = ("active", "suspended", "withdrawn")

TechnologyType = Literal[
    "national_digital_identity",
    "corporate_digital_identity",
    "pki_digital_certificate",
    "identity_verification_service",
    "mobile_identity_app",
    "smart_card",
    "one_time_password",
    "other",
]
EntryStatus = Literal["active", "suspended", "withdrawn"]

EntryId = Annotated[
    str,
    Field(
        pattern=r"^[a-z]{2}-[a-z0-9-]+$",
        max_length=120,
        description="Stable identifier: the lower-case AMS code, a hyphen, then a slug.",
    ),
]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]
HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s]+$", max_length=2_000)]
#: the largest sequence number: what a 32-bit SQL INTEGER holds on every supported database
MAX_SEQUENCE = 2**31 - 1
Pointer = Annotated[
    str,
    Field(
        pattern=r"^(/([^~/]|~[01])*)*$",
        max_length=500,
        description="RFC 6901 JSON pointer into the entry ('' is the whole entry).",
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatusChange(_Model):
    """One dated change of status."""

    status: EntryStatus
    date: dt.date
    reason: ShortText | None = None


class ClaimedLevel(_Model):
    """The level the AMS (or the operator) states publicly for the technology."""

    iso29115: Iso29115Level
    national_name: ShortText | None = Field(
        default=None, description="The level's name in the national scheme, where there is one."
    )


class AcrValue(_Model):
    """A national ``acr`` value of an OpenID provider and the ISO/IEC 29115 level it maps to."""

    acr: Annotated[str, Field(min_length=1, max_length=500)]
    iso29115: Iso29115Level | None = None
    description: ShortText | None = None


class OidcProvider(_Model):
    """Where the technology is an OpenID Connect provider: its public issuer and ``acr`` values."""

    issuer: HttpUrl | None = None
    discovery_url: HttpUrl | None = None
    acr_values: list[AcrValue] = Field(default_factory=list, max_length=50)


class Disclosure(_Model):
    """Restrictions on what may be disclosed (AMS laws on technology neutrality)."""

    restricted: bool = False
    note: ShortText | None = None


#: what a source is; a bare URL string in ``sources`` is read as ``unclassified``
SOURCE_KINDS: tuple[str, ...] = (
    "legal_text",
    "official_page",
    "official_statistics",
    "news",
    "vendor_or_third_party",
    "simulator_or_test_tool",
)
#: the kinds a headline fact (operator, legal basis, level, factors, acr values, status) may rest on
STRONG_SOURCE_KINDS: tuple[str, ...] = ("legal_text", "official_page")

SourceKind = Literal[
    "legal_text",
    "official_page",
    "official_statistics",
    "news",
    "vendor_or_third_party",
    "simulator_or_test_tool",
]


class Source(_Model):
    """A source with its standing: what it is, when it was read, and what it supports."""

    url: HttpUrl
    kind: SourceKind = Field(
        description="legal_text: a law or regulation as published; official_page: a page of the "
        "operator or the regulator; official_statistics; news; vendor_or_third_party; "
        "simulator_or_test_tool. Only legal_text and official_page carry a headline fact."
    )
    read: dt.date = Field(
        description="When the source was read and the fact checked against it (the fact's "
        "review date)."
    )
    supports: Text | None = Field(
        default=None, description="In our own words: what the source says that supports the fact."
    )


class Entry(_Model):
    """One e-authentication technology approved in, or commonly used in, one AMS."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"title": "Collaborative Repository List entry"},
    )

    id: EntryId
    ams: AmsCode
    name: ShortText
    operator: ShortText
    technology_type: TechnologyType
    description: Text
    legal_basis: Text | None = None
    supervising_authority: ShortText | None = None
    profile: TechnologyProfile | None = Field(
        default=None, description="The technology profile assessed by the LoA rules."
    )
    claimed_level: ClaimedLevel | None = None
    oidc: OidcProvider | None = None
    status: EntryStatus
    status_history: list[StatusChange] = Field(min_length=1, max_length=200)
    disclosure: Disclosure = Field(default_factory=Disclosure)
    last_reviewed: dt.date = Field(
        description="When the entry was last reviewed as a whole; each source's own read date "
        "is the review date of the facts resting on it (bare URLs fall back to this date)."
    )
    sources: dict[
        Pointer, HttpUrl | Source | Annotated[list[Source], Field(min_length=1, max_length=10)]
    ] = Field(
        description="Source of each fact, keyed by the JSON pointer of the fact it supports; "
        "a pointer covers everything below it. A bare URL is an unclassified (weak) source; a "
        "list gives several sources for one fact (for example a description drawn from two)."
    )
    unconfirmed: list[Pointer] = Field(
        default_factory=list,
        max_length=500,
        description="Pointers of facts that no public source could confirm.",
    )


class Withdrawal(_Model):
    """An entry the AMS withdraws; the registry keeps it, with its history, as ``withdrawn``."""

    id: EntryId
    date: dt.date
    reason: ShortText


class SubmissionDocument(_Model):
    """What an AMS authority submits: the entries it adds or changes, and those it withdraws.

    ``sequence``, ``issued_at`` and ``jti`` protect against replay and reordering; they are
    required in a signed submission and added by ``eauth repo submit`` when missing.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"title": "Collaborative Repository List submission"},
    )

    ams: AmsCode
    authority: ShortText
    sandbox_note: Text | None = None
    entries: list[Entry] = Field(default_factory=list, max_length=20_000)
    withdrawals: list[Withdrawal] = Field(default_factory=list, max_length=20_000)
    sequence: int | None = Field(
        default=None,
        ge=1,
        le=MAX_SEQUENCE,
        description="Per-AMS submission number; each must exceed the last.",
    )
    issued_at: dt.datetime | None = Field(default=None, description="When the authority signed.")
    jti: Annotated[str, Field(min_length=8, max_length=200)] | None = Field(
        default=None, description="Unique identifier of this submission."
    )


class AssessedLevel(_Model):
    """The level the registry's LoA rules assess from the profile, with its mappings."""

    iso29115: int = Field(
        ge=0, le=4, description="Assessed ISO/IEC 29115 level (0: below level 1)."
    )
    confirmed_only: int | None = Field(
        default=None,
        ge=0,
        le=4,
        description="The level the confirmed facts alone support (unconfirmed ones as unknown).",
    )
    eidas: str | None = None
    nist: dict[str, Any] | None = None
    guidance_version: str | None = None
    label: str | None = Field(
        default=None,
        description="The ISO/IEC 29115 range in words, e.g. 'LoA 1-3, 2 facts unknown'.",
    )
    ranges: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Per framework (iso29115, eidas, nist_ial, nist_aal): the confirmed level, the level "
            "reachable if unknown facts turn out favourably, and how many facts are unknown."
        ),
    )
    filter_note: str | None = None


class PublishedEntry(Entry):
    """An entry as the registry publishes it: with the assessed level beside the claimed one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"title": "Published Collaborative Repository List entry"},
    )

    assessed_level: AssessedLevel | None = None
    level_mismatch: bool = Field(
        default=False, description="True when a claimed level differs from the assessed level."
    )
    version: int = Field(ge=1, description="How many accepted submissions changed this entry.")
    updated_at: dt.datetime


class SchemeInformation(_Model):
    """Who operates the list and under which rules (after ETSI TS 119 612 clause 5.3)."""

    scheme_name: ShortText
    scheme_operator: ShortText
    scheme_territory: ShortText
    scheme_type: ShortText
    policy: Text
    publisher_key_id: ShortText | None = None
    sandbox: bool = False


class PublishedList(_Model):
    """The Collaborative Repository List as signed and published."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"title": "Collaborative Repository List"},
    )

    list_format: Literal["eauth-repository-list/1"] = "eauth-repository-list/1"
    scheme_information: SchemeInformation
    sequence_number: int = Field(ge=1, le=MAX_SEQUENCE)
    issued_at: dt.datetime
    next_update: dt.datetime
    trust: TrustPicture | None = Field(
        default=None,
        description="trust lists, signed agreements and peer-reviewed levels (absent in old lists)",
    )
    entries: list[PublishedEntry]


PUBLISHED_SCHEMAS: dict[str, type[BaseModel]] = {
    "repository-entry": Entry,
    "repository-submission": SubmissionDocument,
    "repository-list": PublishedList,
    "repository-trustlist-submission": TrustListSubmission,
    "repository-agreement-submission": AgreementSubmission,
}
