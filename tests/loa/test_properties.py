"""Invariants of the assessment over random profiles (every enum value, unknowns included)."""

from __future__ import annotations

import typing
from enum import Enum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from eauth_toolkit.loa import TechnologyProfile, assess, default_guidance
from eauth_toolkit.loa.models import Authentication, CredentialManagement, Enrolment, Management


def _field_strategy(annotation: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is list:
        return st.lists(st.sampled_from([m.value for m in args[0]]), unique=True, max_size=4)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from([m.value for m in annotation])
    if args and args[0] is bool:
        return st.sampled_from([None, True, False])
    raise AssertionError(f"no strategy for {annotation!r}")


def _section(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {name: _field_strategy(f.annotation) for name, f in model.model_fields.items()}
    )


profiles = st.builds(
    lambda e, c, a, m, claim: TechnologyProfile.model_validate(
        {
            "name": "random",
            "enrolment": e,
            "credential_management": c,
            "authentication": a,
            "management": m,
            "claimed_level": claim,
        }
    ),
    _section(Enrolment),
    _section(CredentialManagement),
    _section(Authentication),
    _section(Management),
    st.one_of(st.none(), st.integers(1, 4)),
)


@settings(max_examples=300, deadline=None)
@given(profiles)
def test_assessment_invariants(profile: TechnologyProfile) -> None:
    g = default_guidance()
    a = assess(profile, g)
    levels = {**a.phases, "management": a.management}
    assert a.overall == min(levels.values())
    for rule in g.rules:
        met = rule.condition.test(profile)
        if rule.level <= levels[rule.phase]:
            assert met, f"{rule.id} must be met below the phase level"
        if rule.level == levels[rule.phase] + 1 and not met:
            assert rule.id in {u.id for u in a.next_level_for(rule.phase)}
    if levels_below_4 := [p for p, lv in levels.items() if lv < 4]:
        for phase in levels_below_4:
            assert a.next_level_for(phase), phase  # a phase below 4 always says what is missing
    assert all(
        u.level == a.overall + 1 and not default_guidance().rule(u.id).condition.test(profile)
        for u in a.limiting
    )
    assert a.claim.holds is (
        None if profile.claimed_level is None else a.overall >= profile.claimed_level
    )
    assert assess(profile, g) == a  # deterministic value
    assert a.to_dict()["iso29115"]["overall"] == a.overall
