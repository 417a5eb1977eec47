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
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from eauth_toolkit.errors import SchemaError
from eauth_toolkit.loa.mappings import NistLevels, to_eidas, to_nist
from eauth_toolkit.loa.models import TechnologyProfile
from eauth_toolkit.loa.rules import ALL_PHASES, Guidance, Rule, default_guidance
from eauth_toolkit.schemaio import json_pointer

__all__ = ["UnmetRule", "Claim", "Assessment", "assess", "profile_from_dict"]

MAX_LEVEL = 4


@dataclass(frozen=True, slots=True)
class UnmetRule:
    """A rule that is not met, with the reason read from the profile."""

    id: str
    phase: str
    level: int
    control: str
    source: str
    why: str

    @classmethod
    def of(cls, rule: Rule, profile: TechnologyProfile) -> UnmetRule:
        return cls(
            rule.id,
            rule.phase,
            rule.level,
            rule.control,
            rule.source_text,
            rule.condition.explain(profile),
        )

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


def assess(
    profile: TechnologyProfile | Mapping[str, Any], guidance: Guidance | None = None
) -> Assessment:
    """Assess ``profile`` against ``guidance`` (the shipped ISO/IEC 29115:2013 Guidance by default)."""
    g = guidance if guidance is not None else default_guidance()
    p = profile if isinstance(profile, TechnologyProfile) else profile_from_dict(profile)
    # lowest unmet rule level per phase; every rule is evaluated once
    lowest = dict.fromkeys(ALL_PHASES, MAX_LEVEL + 1)
    failed: list[Rule] = []
    for rule in g.rules:
        if not rule.condition.test(p):
            failed.append(rule)
            if rule.level < lowest[rule.phase]:
                lowest[rule.phase] = rule.level
    level = {ph: lowest[ph] - 1 for ph in ALL_PHASES}
    overall = min(level[ph] for ph in g.capping_set)

    limiting = tuple(
        UnmetRule.of(r, p) for r in failed if r.level == overall + 1 and level[r.phase] == overall
    )
    next_level = tuple(
        (
            ph,
            tuple(UnmetRule.of(r, p) for r in failed if r.phase == ph and r.level == level[ph] + 1),
        )
        for ph in ALL_PHASES
        if level[ph] < MAX_LEVEL
    )
    enrol = level["enrolment"]
    auth = min(level["credential_management"], level["authentication"])
    claimed = p.claimed_level
    return Assessment(
        name=p.name,
        guidance_version=g.version,
        edition=str(g.edition["id"]),
        enrolment=level["enrolment"],
        credential_management=level["credential_management"],
        authentication=level["authentication"],
        management=level["management"],
        overall=overall,
        limiting=limiting,
        next_level=next_level,
        eidas=to_eidas(overall, g),
        nist=to_nist(enrol, auth, revision="800-63-3", guidance=g),
        nist_800_63_4=to_nist(enrol, auth, revision="800-63-4", guidance=g)
        if "nist-800-63-4" in g.mappings
        else to_nist(enrol, auth, revision="800-63-3", guidance=g),
        claim=Claim(claimed, None if claimed is None else overall >= claimed),
    )
