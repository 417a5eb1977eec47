"""The Laws Reporting Scheme as data (Work Plan B.3.1 activity 1).

Three published documents, generated into ``schemas/`` from these models:

* ``laws-ams``: one AMS's laws and regulations on electronic transactions and signatures, the
  UNCITRAL texts they follow, the status of the 2005 Electronic Communications Convention, the
  alignment of four key provisions, and the legal term and effect of each signature level. Every
  fact is sourced in ``sources`` (JSON pointer -> URL) or listed in ``unconfirmed``, as in the
  Repository List.
* ``laws-agreement``: the ASEAN Agreement on Electronic Commerce facts the Scheme relies on (entry
  into force, the Article 7.2(a) transition for Cambodia, Lao PDR and Myanmar).
* ``laws-plan`` and ``laws-report``: a national plan and an annual report, submitted by the AMS
  authority as a signed JWS (the same mechanism as Repository List submissions).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eauth_toolkit.ams import SIGNATURE_LEVELS as SIGNATURE_LEVELS
from eauth_toolkit.ams import AmsCode, SignatureLevel

__all__ = [
    "ALIGNMENTS",
    "PROVISIONS",
    "SIGNATURE_LEVELS",
    "MEASURE_STATUSES",
    "AmsLaws",
    "Agreement",
    "NationalPlan",
    "AnnualReport",
    "PUBLISHED_SCHEMAS",
]

Text = Annotated[str, Field(min_length=1, max_length=4000)]
Short = Annotated[str, Field(min_length=1, max_length=300)]
Url = Annotated[str, Field(pattern=r"^https?://", max_length=1000)]
Ident = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,79}$")]
Pointer = Annotated[str, Field(pattern=r"^(/.*)?$", max_length=300)]

Alignment = Literal["aligned", "partly", "not", "unknown"]
#: alignment values, strongest first
ALIGNMENTS: tuple[str, ...] = ("aligned", "partly", "not", "unknown")
#: the provisions the alignment report compares, in report order
PROVISIONS: tuple[str, ...] = (
    "functional_equivalence",
    "reliability_test",
    "technology_neutrality",
    "foreign_recognition",
)
MeasureStatus = Literal["planned", "in_progress", "done", "dropped"]
MEASURE_STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "dropped")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Amendment(_Strict):
    title: Short
    number: Short | None = None
    year: int | None = Field(default=None, ge=1990, le=2100)
    in_force: dt.date | None = None


class Law(_Strict):
    """A law or regulation on electronic transactions or signatures."""

    id: Ident = Field(description="Short id used by the provisions and levels, e.g. 'eta-2010'.")
    title: Short
    number: Short | None = Field(default=None, description="Official number (Act, Law, Decree).")
    year: int = Field(ge=1990, le=2100)
    official_url: Url | None = None
    in_force: dt.date | None = Field(default=None, description="Date it came into force.")
    status: Literal["in_force", "replaced", "repealed", "unknown"] = "unknown"
    replaced_by: Ident | None = None
    amendments: list[Amendment] = Field(default_factory=list)


class ModelLawUse(_Strict):
    followed: Literal["yes", "partly", "no", "unknown"] = "unknown"
    year: int | None = Field(
        default=None, ge=1990, le=2100, description="Year as listed by UNCITRAL."
    )
    law: Ident | None = None


class ConventionStatus(_Strict):
    """The 2005 Electronic Communications Convention as the UNCITRAL status page lists it."""

    status: Literal["none", "signed", "ratified", "acceded", "unknown"] = "unknown"
    signed: dt.date | None = None
    ratified: dt.date | None = None
    acceded: dt.date | None = None
    entry_into_force: dt.date | None = None
    note: Text | None = Field(
        default=None, description="What a source says when no status is listed."
    )


class Uncitral(_Strict):
    mlec: ModelLawUse = Field(description="UNCITRAL Model Law on Electronic Commerce (1996).")
    mles: ModelLawUse = Field(description="UNCITRAL Model Law on Electronic Signatures (2001).")
    ecc: ConventionStatus = Field(
        description="UN Convention on the Use of Electronic Communications in International "
        "Contracts (New York, 2005)."
    )


class Provision(_Strict):
    alignment: Alignment = "unknown"
    law: Ident | None = None
    reference: Short | None = Field(default=None, description="Section or article, e.g. 's. 8'.")
    note: Text | None = None


class Provisions(_Strict):
    functional_equivalence: Provision = Field(
        description="A signature requirement is met by an electronic signature (MLEC art. 7)."
    )
    reliability_test: Provision = Field(
        description="The method is as reliable as appropriate (MLEC art. 7(1)(b), MLES art. 6)."
    )
    technology_neutrality: Provision = Field(
        description="No signature technology is favoured (MLES art. 3)."
    )
    foreign_recognition: Provision = Field(
        description="Foreign certificates and signatures recognised (MLES art. 12)."
    )


class LevelTerm(_Strict):
    """The AMS's own legal term and effect for a signature level, where a source gives one."""

    level: SignatureLevel
    term: Short
    law: Ident
    reference: Short | None = None
    effect: Text


class AmsLaws(_Strict):
    """One AMS's e-signature laws for the Laws Reporting Scheme (sample data)."""

    kind: Literal["ams_laws"]
    ams: AmsCode
    sandbox_note: Text
    last_reviewed: dt.date
    laws: list[Law] = Field(min_length=1)
    uncitral: Uncitral
    provisions: Provisions
    signature_levels: list[LevelTerm] = Field(default_factory=list)
    transition_7_2_a: bool = Field(
        description="Whether Article 7.2(a) of the Agreement does not oblige this AMS for five "
        "years after entry into force (Cambodia, Lao PDR, Myanmar)."
    )
    sources: dict[Pointer, Url] = Field(default_factory=dict)
    unconfirmed: list[Pointer] = Field(default_factory=list)


class Agreement(_Strict):
    """The ASEAN Agreement on Electronic Commerce, as far as the Scheme needs it."""

    kind: Literal["agreement"]
    title: Short
    signed: dt.date | None = None
    entry_into_force: dt.date | None = None
    transition_years: int = Field(ge=1, le=20)
    transition_ams: list[AmsCode]
    article: Text
    sources: dict[Pointer, Url] = Field(default_factory=dict)
    unconfirmed: list[Pointer] = Field(default_factory=list)


class Measure(_Strict):
    id: Ident
    title: Short
    description: Text | None = None
    target_date: dt.date
    status: MeasureStatus = "planned"


class _Submission(_Strict):
    ams: AmsCode
    sandbox: bool = Field(description="True for SANDBOX documents (not an AMS's position).")
    sequence: int | None = Field(default=None, ge=1, le=2**31 - 1)
    issued_at: str | None = Field(default=None, max_length=40)
    jti: str | None = Field(default=None, min_length=8, max_length=200)


class NationalPlan(_Submission):
    """A national plan to align e-signature laws with an UNCITRAL text (signed submission)."""

    kind: Literal["national_plan"]
    plan_id: Ident
    title: Short
    adopted: dt.date
    uncitral_texts: list[Literal["mlec", "mles", "ecc"]] = Field(min_length=1)
    measures: list[Measure] = Field(min_length=1, max_length=200)


class MeasureUpdate(_Strict):
    measure: Ident
    status: MeasureStatus
    note: Text | None = None


class AnnualReport(_Submission):
    """An annual report on a national plan (signed submission); updates each measure's status."""

    kind: Literal["annual_report"]
    plan_id: Ident
    year: int = Field(ge=2021, le=2100)
    submitted: dt.date
    summary: Text
    updates: list[MeasureUpdate] = Field(min_length=1, max_length=200)


PUBLISHED_SCHEMAS: dict[str, type[BaseModel]] = {
    "laws-ams": AmsLaws,
    "laws-agreement": Agreement,
    "laws-plan": NationalPlan,
    "laws-report": AnnualReport,
}
