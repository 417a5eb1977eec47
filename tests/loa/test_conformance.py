"""The shipped Guidance against the declared conformance manifest (tests/loa/conformance.yaml)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from eauth_toolkit.loa import Assessment, TechnologyProfile, assess, default_guidance
from eauth_toolkit.loa.rules import ALL_PHASES

MANIFEST = yaml.safe_load((Path(__file__).parent / "conformance.yaml").read_text(encoding="utf-8"))
BASES: dict[str, dict[str, Any]] = MANIFEST["bases"]


def build(
    base: str, changes: dict[str, Any] | None, claimed: int | None = None
) -> TechnologyProfile:
    doc = copy.deepcopy(BASES[base])
    for path, value in (changes or {}).items():
        *parents, leaf = path.split(".")
        node = doc
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    if claimed is not None:
        doc["claimed_level"] = claimed
    return TechnologyProfile.model_validate(doc)


def levels(a: Assessment) -> dict[str, int]:
    return {**a.phases, "management": a.management}


BASE_LEVELS = {name: levels(assess(build(name, None))) for name in BASES}


def test_manifest_is_large_enough_and_covers_every_rule() -> None:
    cases = MANIFEST["cases"]
    assert len(cases) + len(MANIFEST["typical"]) >= 40
    ids = [c["id"] for c in cases + MANIFEST["typical"]]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    rule_ids = {r.id for r in default_guidance().rules}
    missed = {c["rule"] for c in cases if "misses" in c["id"]}
    met = {c["rule"] for c in cases if "meets" in c["id"]}
    assert rule_ids == missed, f"rules without a 'misses' case: {sorted(rule_ids - missed)}"
    assert rule_ids == met, f"rules without a 'meets' case: {sorted(rule_ids - met)}"


def test_reference_base_meets_everything() -> None:
    assert BASE_LEVELS["full"] == dict.fromkeys(ALL_PHASES, 4)
    assert BASE_LEVELS["empty"] == dict.fromkeys(ALL_PHASES, 0)


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=lambda c: c["id"])
def test_rule_case(case: dict[str, Any]) -> None:
    result = assess(build(case["base"], case.get("set")))
    expected = {**BASE_LEVELS[case["base"]], **case["expect"]}
    assert levels(result) == expected
    assert result.overall == min(expected.values())
    rule = default_guidance().rule(case["rule"])
    unmet_next = {r.id for r in result.next_level_for(rule.phase)}
    if "misses" in case["id"]:
        assert expected[rule.phase] == rule.level - 1
        assert rule.id in unmet_next, f"{rule.id} should be listed as the way to the next level"
        why = next(r.why for r in result.next_level_for(rule.phase) if r.id == rule.id)
        assert why and "needs" in why
    else:
        assert expected[rule.phase] >= rule.level
        assert rule.id not in unmet_next


@pytest.mark.parametrize("case", MANIFEST["typical"], ids=lambda c: c["id"])
def test_typical_technology(case: dict[str, Any]) -> None:
    result = assess(build(case["base"], case.get("set"), case.get("claimed_level")))
    exp = case["expect"]
    assert result.overall == exp["overall"]
    for phase in ALL_PHASES:
        if phase in exp:
            assert levels(result)[phase] == exp[phase], phase
    assert result.eidas == exp["eidas"]
    if "ial" in exp:
        assert (result.nist.ial, result.nist.aal) == (exp["ial"], exp["aal"])
    if "holds" in exp:
        assert result.claim.holds is exp["holds"]
    # the limiting rules are exactly the unmet rules one level above the overall level
    for r in result.limiting:
        assert r.level == result.overall + 1
        assert levels(result)[r.phase] == result.overall
    if result.overall < 4:
        assert result.limiting
