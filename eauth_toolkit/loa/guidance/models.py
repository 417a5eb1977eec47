"""The format of a rule-set file (``eauth_toolkit/loa/guidance/*.yaml``), published as ``loa-rule-set``.

A rule set is the text of one framework turned into data: its levels, its phases, and one rule per
requirement, each naming its clause and saying in our own words what the clause requires at that
level (``requires``) and what the profile must show (``control``). A rule that asks more than its
clause is a deliberate choice: it names the stricter Guidance profile it belongs to (``profiles``)
and is not applied by default.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "RuleSpec",
    "LevelSpec",
    "PhaseSpec",
    "ResultSpec",
    "RuleSetDocument",
    "PUBLISHED_SCHEMAS",
]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LevelSpec(_Strict):
    level: int = Field(..., ge=1, le=4)
    name: str
    meaning: str


class PhaseSpec(_Strict):
    id: Literal["enrolment", "credential_management", "authentication", "management"]
    title: str
    clause: str


class ResultSpec(_Strict):
    """One reported result: the lowest level of the phases it covers."""

    id: str = Field(..., pattern=r"^[a-z_]+$")
    label: str
    phases: list[Literal["enrolment", "credential_management", "authentication", "management"]]
    scope: str = Field(..., description="What the result covers, shown beside it.")


class RuleSpec(_Strict):
    id: str = Field(..., pattern=r"^[A-Z0-9]+-[A-Z]+-[1-4]-[0-9]{2}$")
    phase: Literal["enrolment", "credential_management", "authentication", "management"]
    level: int = Field(..., ge=1, le=4)
    clause: str = Field(..., description="The clause of the source this rule implements.")
    requires: str = Field(
        ..., description="What the clause requires at this level, in our own words."
    )
    control: str = Field(..., description="What the profile must show.")
    when: dict[str, Any] = Field(..., description="The condition over profile facts.")
    profiles: list[str] = Field(
        default_factory=list,
        description="Stricter Guidance profiles this rule belongs to (empty: the default profile).",
    )
    stricter_because: str | None = Field(
        default=None,
        description="For a rule of a stricter profile: what it asks beyond its clause.",
    )
    only: str | None = Field(default=None, description="Only in this variant (e.g. 800-63-4).")
    note: str | None = None


class RuleSetDocument(_Strict):
    ruleset: str = Field(..., pattern=r"^[a-z0-9-]+$")
    version: str
    title: str
    framework: str
    source: dict[str, str]
    levels: list[LevelSpec]
    phases: list[PhaseSpec]
    results: list[ResultSpec]
    variants: list[str] = Field(default_factory=list)
    note: str | None = None
    rules: list[RuleSpec]


PUBLISHED_SCHEMAS = {"loa-rule-set": RuleSetDocument}
