"""Assessing a technology profile against the Guidance: levels per phase, what limits them, what is next.

The level of a phase is the highest level whose rules, and the rules of every level below it, are
all met (0 when a LoA1 rule is not met). The overall level is the lowest of the three phases and of
the management level (management and organisation cap the overall level; the Guidance says so in
its ``phases`` list). ``limiting`` lists the unmet rules one level above the overall level, in every
phase that keeps it down; ``next_level`` lists, per phase, the unmet rules one level above that
phase's own level: the upgrade advice for a business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from eauth_toolkit.errors import SchemaError
from eauth_toolkit.loa.mappings import NistLevels
from eauth_toolkit.loa.models import TechnologyProfile
from eauth_toolkit.loa.rules import ALL_PHASES, Guidance, NistPlan, Rule, default_guidance
from eauth_toolkit.schemaio import json_pointer

__all__ = ["UnmetRule", "Claim", "Assessment", "assess", "profile_from_dict"]

MAX_LEVEL = 4


@dataclass(frozen=True, slots=True)
class UnmetRule:
    """A rule that is not met by a profile; ``why`` is read from the profile when asked for."""

    rule: Rule
    profile: TechnologyProfile = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def phase(self) -> str:
        return self.rule.phase

    @property
    def level(self) -> int:
        return self.rule.level

    @property
    def control(self) -> str:
        return self.rule.control

    @property
    def source(self) -> str:
        return self.rule.source_text

    @property
    def why(self) -> str:
        return self.rule.condition.explain(self.profile)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phase": self.phase,
            "level": self.level,
            "control": self.control,
            "source": self.source,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class Claim:
    """The level the operator claims and whether the assessment supports it."""

    claimed: int | None
    holds: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {"claimed": self.claimed, "holds": self.holds}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The explained result of assessing one profile (a value; never raised)."""

    name: str
    guidance_version: str
    edition: str
    enrolment: int
    credential_management: int
    authentication: int
    management: int
    overall: int
    limiting: tuple[UnmetRule, ...]
    next_level: tuple[tuple[str, tuple[UnmetRule, ...]], ...]
    eidas: str | None
    nist: NistLevels
    nist_800_63_4: NistLevels
    claim: Claim

    @property
    def phases(self) -> dict[str, int]:
        return {
            "enrolment": self.enrolment,
            "credential_management": self.credential_management,
            "authentication": self.authentication,
        }

    def next_level_for(self, phase: str) -> tuple[UnmetRule, ...]:
        for p, rules in self.next_level:
            if p == phase:
                return rules
        return ()

    def to_dict(self) -> dict[str, Any]:
        nist = self.nist.to_dict()
        nist["revision"] = self.nist.revision
        if self.nist_800_63_4.to_dict() != self.nist.to_dict():
            nist["800-63-4"] = self.nist_800_63_4.to_dict()
        return {
            "name": self.name,
            "guidance": {"version": self.guidance_version, "edition": self.edition},
            "iso29115": {
                "overall": self.overall,
                "phases": self.phases,
                "management": self.management,
                "limiting": [r.to_dict() for r in self.limiting],
                "next_level": {p: [r.to_dict() for r in rules] for p, rules in self.next_level},
            },
            "eidas": self.eidas,
            "nist": nist,
            "claim": self.claim.to_dict(),
        }


def profile_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> TechnologyProfile:
    """Build a profile from a mapping; a validation error becomes a :class:`SchemaError` with its pointer."""
    try:
        return TechnologyProfile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        pointer = json_pointer(err["loc"])
        where = f"{source}#{pointer}" if source else pointer
        raise SchemaError(err["msg"], where=where) from None


def _nist(level: list[int], plan: NistPlan, revision: str) -> NistLevels:
    ial_from, aal_from, rows = plan
    ial = rows[min([level[i] for i in ial_from])][0]
    aal = rows[min([level[i] for i in aal_from])][1]
    return NistLevels(ial, aal, revision)


def assess(
    profile: TechnologyProfile | Mapping[str, Any], guidance: Guidance | None = None
) -> Assessment:
    """Assess ``profile`` against ``guidance`` (the shipped ISO/IEC 29115:2013 Guidance by default)."""
    g = guidance if guidance is not None else default_guidance()
    p = profile if isinstance(profile, TechnologyProfile) else profile_from_dict(profile)
    # lowest unmet rule level per phase (indexed as ALL_PHASES); every rule is evaluated once
    lowest = [MAX_LEVEL + 1] * len(ALL_PHASES)
    failed: list[tuple[int, int, Rule]] = []
    for test, lvl, idx, rule in g.plan:
        if not test(p):
            failed.append((lvl, idx, rule))
            if lvl < lowest[idx]:
                lowest[idx] = lvl
    level = [n - 1 for n in lowest]
    overall = min([level[i] for i in g.capping_indices])

    limiting: list[UnmetRule] = []
    per_phase: list[list[UnmetRule]] = [[] for _ in ALL_PHASES]
    for lvl, idx, rule in failed:
        if lvl == level[idx] + 1:
            unmet = UnmetRule(rule, p)
            per_phase[idx].append(unmet)
            if lvl == overall + 1:
                limiting.append(unmet)
    next_level = tuple(
        (ph, tuple(per_phase[i])) for i, ph in enumerate(ALL_PHASES) if level[i] < MAX_LEVEL
    )
    nist = g.nist_by_revision
    nist3 = _nist(level, nist["800-63-3"], "800-63-3")
    nist4 = _nist(level, nist["800-63-4"], "800-63-4") if "800-63-4" in nist else nist3
    claimed = p.claimed_level
    return Assessment(
        name=p.name,
        guidance_version=g.version,
        edition=str(g.edition["id"]),
        enrolment=level[0],
        credential_management=level[1],
        authentication=level[2],
        management=level[3],
        overall=overall,
        limiting=tuple(limiting),
        next_level=next_level,
        eidas=g.eidas_by_level[overall],
        nist=nist3,
        nist_800_63_4=nist4,
        claim=Claim(claimed, None if claimed is None else overall >= claimed),
    )
