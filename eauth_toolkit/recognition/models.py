"""Mutual-recognition agreements between AMS (Work Plan B.2.1 activity 3), as data.

One agreement can cover both parts of mutual recognition:

- **authentication** (``recognitions``): which e-authentication technologies of one AMS (named by
  their entry id in the Collaborative Repository List) the online services of another AMS accept, up
  to which ISO/IEC 29115 level, and which attributes (``attributes``, within the minimum data set)
  the relying party receives;
- **signatures** (``signatures``): up to which signature level (SES < AdES < AdES-QC < QES) a
  signature that the trust list of one AMS qualifies counts in another AMS.

The agreement is in force between ``valid_from`` and ``valid_until`` and only when every party's
authority has signed it (see :mod:`eauth_toolkit.recognition.signed`). ``review_policy`` says whose
endorsements make a proposed level *agreed* (see :mod:`eauth_toolkit.recognition.review`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from eauth_toolkit.ams import AMS_CODES, SIGNATURE_LEVELS, AmsCode, SignatureLevel
from eauth_toolkit.ams import Iso29115Level as Level

__all__ = [
    "AMS_CODES",
    "AmsCode",
    "MINIMUM_DATA_SET",
    "Recognition",
    "SignatureRecognition",
    "ReviewPolicy",
    "Agreement",
    "PUBLISHED_SCHEMAS",
]


#: attributes a relying party receives about a citizen of another AMS, and nothing more
MINIMUM_DATA_SET = ("family_name", "given_name", "birthdate", "sub", "country_of_origin")


class Recognition(BaseModel):
    """Technology ``technology`` of ``from_ams`` is accepted by services of ``accepted_by`` that
    require at most ``max_level``."""

    model_config = ConfigDict(extra="forbid")

    technology: str = Field(
        min_length=1, description="entry id in the Collaborative Repository List"
    )
    from_ams: AmsCode
    accepted_by: AmsCode
    max_level: Level
    since: dt.date
    until: dt.date | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Recognition:
        if self.from_ams == self.accepted_by:
            raise ValueError("from_ams and accepted_by must be different AMS")
        if self.until is not None and self.until < self.since:
            raise ValueError("until is before since")
        return self

    def in_force(self, on: dt.date) -> bool:
        return self.since <= on and (self.until is None or on <= self.until)


class SignatureRecognition(BaseModel):
    """Signatures qualified under the trust list of ``from_ams`` count in ``accepted_by`` up to
    ``max_level``."""

    model_config = ConfigDict(extra="forbid")

    from_ams: AmsCode
    accepted_by: AmsCode
    max_level: SignatureLevel
    note: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> SignatureRecognition:
        if self.from_ams == self.accepted_by:
            raise ValueError("from_ams and accepted_by must be different AMS")
        return self


#: ``parties``: every party to an agreement that recognises the technology must endorse it;
#: ``majority``: more than half of the AMS whose authorities are registered, the submitter counted.
ReviewRule = Literal["parties", "majority"]


class ReviewPolicy(BaseModel):
    """When a level proposed by one AMS becomes *agreed*: who must endorse it, and the effect of an
    objection."""

    model_config = ConfigDict(extra="forbid")

    rule: ReviewRule = "parties"
    objection_blocks: bool = Field(
        default=True, description="an unanswered objection of a required reviewer blocks agreement"
    )


class Agreement(BaseModel):
    """A mutual-recognition agreement between two or more AMS."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    parties: list[AmsCode] = Field(min_length=2)
    concluded: dt.date | None = None
    valid_from: dt.date | None = Field(
        default=None, description="first day the agreement is in force (default: concluded)"
    )
    valid_until: dt.date | None = Field(default=None, description="last day in force")
    sandbox: bool = Field(default=False, description="SANDBOX data: no real agreement is implied")
    attributes: list[str] = Field(
        default_factory=lambda: list(MINIMUM_DATA_SET),
        description="the attributes a relying party receives (the minimum data set)",
    )
    recognitions: list[Recognition] = Field(
        default_factory=list, description="authentication: technologies accepted, up to a level"
    )
    signatures: list[SignatureRecognition] = Field(
        default_factory=list, description="signatures: levels counted in the other AMS"
    )
    review_policy: ReviewPolicy = Field(default_factory=ReviewPolicy)

    @model_validator(mode="after")
    def _parties(self) -> Agreement:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("parties are listed twice")
        if not self.recognitions and not self.signatures:
            raise ValueError("an agreement recognises at least one technology or signature level")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        for part, items in (("recognitions", self.recognitions), ("signatures", self.signatures)):
            for i, r in enumerate(items):
                for name in ("from_ams", "accepted_by"):
                    if getattr(r, name) not in self.parties:
                        raise ValueError(
                            f"{part}[{i}].{name}: {getattr(r, name)} is not a party to the agreement"
                        )
        unknown = set(self.attributes) - set(MINIMUM_DATA_SET)
        if unknown:
            raise ValueError(f"attributes outside the minimum data set: {sorted(unknown)}")
        return self

    def in_force(self, on: dt.date) -> bool:
        """Between its dates (the signatures are checked by the signed document, not here)."""
        start = self.valid_from or self.concluded
        return (start is None or start <= on) and (
            self.valid_until is None or on <= self.valid_until
        )

    def signature_cap(self, from_ams: str, accepted_by: str) -> str | None:
        """The highest signature level a ``from_ams`` trust list gives in ``accepted_by``."""
        caps = [
            s.max_level
            for s in self.signatures
            if s.from_ams == from_ams and s.accepted_by == accepted_by
        ]
        return max(caps, key=SIGNATURE_LEVELS.index) if caps else None


PUBLISHED_SCHEMAS = {"recognition-agreement": Agreement}
