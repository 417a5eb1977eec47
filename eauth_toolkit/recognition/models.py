"""Mutual-recognition agreements between AMS (Work Plan B.2.1 activity 3), as data.

An agreement says which e-authentication technologies of one AMS (named by their entry id in the
Collaborative Repository List) are accepted by the online services of another AMS, up to which level
of assurance (ISO/IEC 29115 levels 1..4), from which date and until which date.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AMS_CODES",
    "AmsCode",
    "MINIMUM_DATA_SET",
    "Recognition",
    "Agreement",
    "PUBLISHED_SCHEMAS",
]

#: the ten ASEAN Member States, ISO 3166-1 alpha-2
AMS_CODES = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")
AmsCode = Literal["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]

#: attributes a relying party receives about a citizen of another AMS, and nothing more
MINIMUM_DATA_SET = ("family_name", "given_name", "birthdate", "sub", "country_of_origin")

Level = Annotated[int, Field(ge=1, le=4, description="ISO/IEC 29115 level of assurance (1..4)")]


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


class Agreement(BaseModel):
    """A mutual-recognition agreement between two or more AMS."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    parties: list[AmsCode] = Field(min_length=2)
    concluded: dt.date | None = None
    attributes: list[str] = Field(
        default_factory=lambda: list(MINIMUM_DATA_SET),
        description="the attributes a relying party receives (the minimum data set)",
    )
    recognitions: list[Recognition] = Field(min_length=1)

    @model_validator(mode="after")
    def _parties(self) -> Agreement:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("parties are listed twice")
        for i, r in enumerate(self.recognitions):
            for name in ("from_ams", "accepted_by"):
                if getattr(r, name) not in self.parties:
                    raise ValueError(
                        f"recognitions[{i}].{name}: {getattr(r, name)} is not a party to the agreement"
                    )
        unknown = set(self.attributes) - set(MINIMUM_DATA_SET)
        if unknown:
            raise ValueError(f"attributes outside the minimum data set: {sorted(unknown)}")
        return self


PUBLISHED_SCHEMAS = {"recognition-agreement": Agreement}
