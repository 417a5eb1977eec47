"""The condition language and Guidance loading: typos in the Guidance fail at load time, with a pointer."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from eauth_toolkit.errors import LoaError, SchemaError
from eauth_toolkit.loa import TechnologyProfile, assess, load_guidance
from eauth_toolkit.loa.guidance import DEFAULT_GUIDANCE
from eauth_toolkit.loa.rules import compile_condition

PROFILE = TechnologyProfile.model_validate(
    {
        "name": "t",
        "enrolment": {"identity_proofing": "in_person", "evidence": ["photo_id", "chip_id"]},
        "credential_management": {"authenticators": ["password", "otp_app"], "activation": "none"},
        "authentication": {"replay_protection": True, "phishing_resistance": False},
    }
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"field": "enrolment.identity_proofing", "in": ["in_person"]}, True),
        ({"field": "enrolment.identity_proofing", "in": ["remote_supervised"]}, False),
        ({"field": "enrolment.identity_proofing", "not_in": ["none", "self_asserted"]}, True),
        (
            {"field": "enrolment.credential_binding", "not_in": ["none"]},
            False,
        ),  # unknown never passes
        ({"field": "enrolment.evidence", "contains_any": ["chip_id", "register_record"]}, True),
        ({"field": "enrolment.evidence", "contains_all": ["chip_id", "register_record"]}, False),
        ({"field": "authentication.replay_protection", "is": True}, True),
        ({"field": "authentication.phishing_resistance", "is": True}, False),
        ({"field": "authentication.session_protection", "is": False}, False),  # unknown is not "no"
        ({"field": "credential_management.factor_count", "at_least": 2}, True),
        ({"field": "credential_management.authenticators", "at_least": 3}, False),
        ({"field": "credential_management.authenticators", "not_empty": True}, True),
        ({"not": {"field": "authentication.replay_protection", "is": True}}, False),
        (
            {
                "any": [
                    {"field": "enrolment.identity_proofing", "in": ["none"]},
                    {"all": [{"field": "enrolment.evidence", "contains_any": ["chip_id"]}]},
                ]
            },
            True,
        ),
    ],
)
def test_condition_language(spec: dict[str, Any], expected: bool) -> None:
    cond = compile_condition(spec)
    assert cond.test(PROFILE) is expected
    if not expected:
        assert cond.explain(PROFILE)
    assert cond.text


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"field": "enrolment.proofing", "in": ["in_person"]}, "unknown profile field"),
        ({"field": "enrolment.identity_proofing", "in": ["face_to_face"]}, "is not a value of"),
        ({"field": "enrolment.evidence", "in": ["chip_id"]}, "single-valued"),
        ({"field": "enrolment.identity_proofing", "contains_any": ["in_person"]}, "needs a list"),
        ({"field": "enrolment.identity_proofing", "is": True}, "yes/no"),
        ({"field": "enrolment.evidence", "contains_all": ["passport"]}, "is not a value of"),
    ],
)
def test_condition_errors_are_loa_errors(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(LoaError, match=message):
        compile_condition(spec)


def _write_guidance(tmp_path: Path, change: Any) -> Path:
    doc = yaml.safe_load(DEFAULT_GUIDANCE.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "guidance.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_guidance_typo_names_the_rule(tmp_path: Path) -> None:
    def typo(doc: dict[str, Any]) -> None:
        doc["rules"][3]["when"] = {"field": "enrolment.evidence", "contains_any": ["passport"]}

    with pytest.raises(LoaError) as err:
        load_guidance(_write_guidance(tmp_path, typo))
    assert err.value.where is not None and err.value.where.endswith("#/rules/3/when")


def test_guidance_schema_error_has_pointer(tmp_path: Path) -> None:
    def bad_level(doc: dict[str, Any]) -> None:
        doc["rules"][0]["level"] = 7

    with pytest.raises(SchemaError) as err:
        load_guidance(_write_guidance(tmp_path, bad_level))
    assert err.value.where is not None and "#/rules/0/level" in err.value.where


def test_duplicate_rule_id_is_refused(tmp_path: Path) -> None:
    def dup(doc: dict[str, Any]) -> None:
        doc["rules"].append(dict(doc["rules"][0]))

    with pytest.raises(LoaError, match="used twice"):
        load_guidance(_write_guidance(tmp_path, dup))


def test_changing_the_data_changes_the_levels(tmp_path: Path) -> None:
    """The Guidance is data: drop the LoA3 replay rule and an OTP-less sign-in reaches LoA3."""

    def drop(doc: dict[str, Any]) -> None:
        doc["rules"] = [r for r in doc["rules"] if r["id"] != "AUT-3-01"]
        doc["version"] = "9.0.0"

    custom = load_guidance(_write_guidance(tmp_path, drop))
    profile = TechnologyProfile.model_validate(
        {
            "name": "p",
            "authentication": {
                "guessing_protection": True,
                "eavesdropping_protection": True,
                "session_protection": True,
                "mitm_resistance": "server_authenticated",
                "replay_protection": False,
            },
        }
    )
    assert assess(profile).authentication == 2
    result = assess(profile, custom)
    assert result.authentication == 3
    assert result.guidance_version == "9.0.0"


def test_every_rule_states_phase_level_control_source_and_edition() -> None:
    g = load_guidance(DEFAULT_GUIDANCE)
    assert g.edition["id"] == "iso29115-2013"
    for rule in g.rules:
        assert rule.control and rule.sources and rule.edition
        assert any(s.ref == "iso29115" for s in rule.sources), rule.id
        assert rule.id.split("-")[1] == str(rule.level)


def test_assessment_is_frozen() -> None:
    result = assess(PROFILE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.overall = 4  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.limiting[0].rule = result.limiting[0].rule  # type: ignore[misc]


def test_assess_accepts_a_mapping_and_reports_pointer() -> None:
    assert assess({"name": "m"}).overall == 0
    with pytest.raises(SchemaError) as err:
        assess({"name": "m", "credential_management": {"authenticators": ["carrier_pigeon"]}})
    assert err.value.where == "/credential_management/authenticators/0"
