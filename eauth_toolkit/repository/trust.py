"""The trust picture a published list carries beside its entries.

- ``trust_lists``: per AMS, where its trust list of licensed certification authorities (ETSI TS 119
  612) is, its SHA-256 digest and the certificate that signs it, so the Repository List works as a
  list of trusted lists;
- ``agreements``: the mutual-recognition agreement documents, each as signed by every party (the
  JWS JSON general serialization, unchanged), with the status the publisher found;
- ``levels``: per entry, the proposed, assessed and agreed level with the reviews behind it.

Entries (with their OpenID issuer and ``acr`` vocabulary) are the list's ``entries``. Trust-list
pointers and agreements reach the list only as signed submissions of the AMS authorities
(:mod:`eauth_toolkit.repository.trustdocs`; the models of those submissions are here). A consumer
checks every agreement's signatures itself (:mod:`eauth_toolkit.recognition.trust`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from eauth_toolkit.ams import AmsCode, Iso29115Level

__all__ = [
    "TrustListPointerBody",
    "TrustListPointer",
    "TrustListSubmission",
    "AgreementDocument",
    "AgreementWithdrawal",
    "AgreementSubmission",
    "SignedAgreement",
    "ReviewItem",
    "LevelReview",
    "TrustPicture",
    "trust_picture",
]

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrustListPointerBody(_Model):
    """Where an AMS's trust list is and how to check it (TS 119 612 pointer to another list), as
    the AMS's authority submits it."""

    location: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"^(https?://[^\s]+|[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*)$",
        description="URL, or (SANDBOX only) a path relative to the folder of the list's data",
    )
    sha256: Sha256 = Field(description="SHA-256 of the trust list file")
    signer_certificate: str = Field(
        min_length=1,
        max_length=20_000,
        description="PEM certificate of the scheme operator that signs the trust list",
    )
    sandbox: bool = False


class TrustListPointer(TrustListPointerBody):
    """A trust-list pointer as the published list carries it."""

    ams: AmsCode


class SignedAgreement(_Model):
    """An agreement document as its parties signed it (RFC 7515 general JSON serialization)."""

    id: str = Field(min_length=1, max_length=200)
    parties: list[AmsCode]
    in_force: bool = Field(description="as found by the publisher on issue; consumers recheck")
    document: dict[str, Any]


class ReviewItem(_Model):
    reviewer: AmsCode
    level: Iso29115Level
    decision: str
    reason: str
    at: str
    submission: int | None = None


class LevelReview(_Model):
    """The peer review state of one entry's proposed level."""

    entry: str
    ams: AmsCode
    proposed_level: int | None = None
    assessed_level: int | None = None
    state: str
    agreed_level: int | None = None
    endorsed_by: list[AmsCode] = Field(default_factory=list)
    objections: list[dict[str, str]] = Field(default_factory=list)
    policy: str
    reviews: list[ReviewItem] = Field(default_factory=list)


class TrustPicture(_Model):
    trust_lists: list[TrustListPointer] = Field(default_factory=list)
    agreements: list[SignedAgreement] = Field(default_factory=list)
    levels: list[LevelReview] = Field(default_factory=list)


class _SignedFields(_Model):
    """Replay protection of a signed document, as in a Repository List submission."""

    sequence: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="Per-AMS submission number; each must exceed the last.",
    )
    issued_at: dt.datetime | None = Field(default=None, description="When the authority signed.")
    jti: Annotated[str, Field(min_length=8, max_length=200)] | None = Field(
        default=None, description="Unique identifier of this submission."
    )


class TrustListSubmission(_SignedFields):
    """An AMS authority's pointer to its own trust list of licensed certification authorities;
    a newer submission replaces the pointer in the next list."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"title": "Trust-list pointer submission"}
    )

    ams: AmsCode
    trust_list: TrustListPointerBody


class AgreementSignature(_Model):
    protected: str = Field(min_length=1, max_length=10_000)
    signature: str = Field(min_length=1, max_length=10_000)
    header: dict[str, Any] | None = None


class AgreementDocument(_Model):
    """A mutual-recognition agreement signed by its parties: RFC 7515 general JWS JSON
    serialization, one signature per party AMS."""

    payload: str = Field(min_length=1, max_length=1_400_000)
    signatures: list[AgreementSignature] = Field(min_length=1, max_length=10)


class AgreementWithdrawal(_Model):
    id: str = Field(min_length=1, max_length=200, description="The agreement withdrawn.")
    reason: str = Field(min_length=1, max_length=4000)


class AgreementSubmission(_SignedFields):
    """One party's submission of an agreement signed by every party (a newer document with the
    same id replaces it), or its withdrawal; exactly one of ``agreement`` and ``withdrawal``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "title": "Mutual-recognition agreement submission",
            "oneOf": [{"required": ["agreement"]}, {"required": ["withdrawal"]}],
        },
    )

    ams: AmsCode
    agreement: AgreementDocument | SkipJsonSchema[None] = None
    withdrawal: AgreementWithdrawal | SkipJsonSchema[None] = None


def trust_picture(store: Any, repository_dir: Path, *, on: dt.date | None = None) -> dict[str, Any]:
    """The ``trust`` section of the next list, as plain JSON data: the trust-list pointers and
    agreements the AMS authorities submitted to ``store`` (nothing else), and the levels with their
    reviews under the review policy beside the repository data."""
    from eauth_toolkit.repository.reviews import all_level_statuses, load_review_policy
    from eauth_toolkit.repository.trustdocs import current_agreements, current_trust_lists

    day = on or dt.datetime.now(dt.UTC).date()
    stored = current_agreements(store, on=day)
    agreements = [
        {"id": st.id, "parties": list(st.agreement.parties), "in_force": st.in_force, "document": d}
        for d, st in stored
    ]
    levels = all_level_statuses(
        store, agreements=[st for _, st in stored], default=load_review_policy(repository_dir)
    )
    picture = {
        "trust_lists": current_trust_lists(store),
        "agreements": agreements,
        "levels": [
            {
                k: v
                for k, v in s.to_dict().items()
                if k not in ("reason", "reviewers", "endorsements_needed")
            }
            | {
                "reviews": [
                    {k: v for k, v in r.to_dict().items() if k != "entry" and k != "authority"}
                    for r in s.reviews
                ]
            }
            for s in levels.values()
            if s.proposed is not None
        ],
    }
    return TrustPicture.model_validate(picture).model_dump(mode="json")
