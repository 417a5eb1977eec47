"""The rule sets as data: every rule names its clause and what it requires; no default rule asks
more than its clause (each over-strict rule of the earlier Guidance is checked here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eauth_toolkit.errors import LoaError
from eauth_toolkit.loa import assess, load_rule_set, rule_sets
from eauth_toolkit.loa.rules import STRICT_PROFILE, compile_condition
from tests.loa.conftest import build

EIDAS = "eidas-2015-1502"
ISO = "iso29115-2013"


def test_every_rule_names_its_clause_and_says_what_it_requires() -> None:
    for rs in rule_sets():
        assert rs.rules
        for r in rs.rules:
            assert r.clause and r.requires and r.control, r.id
            assert not r.profiles, f"{r.id} of a stricter profile is applied by default"
    strict = {r.id for rs in rule_sets(STRICT_PROFILE) for r in rs.rules if r.profiles}
    assert {"EIDAS-MGT-3-02", "EIDAS-CM-3-06", "ISO-CM-3-03", "EIDAS-AUT-3-02"} <= strict
    for rs in rule_sets(STRICT_PROFILE):
        for r in rs.rules:
            if r.profiles:
                assert r.stricter_because and "stricter choice" in r.clause, r.id


def test_strong_profile_reaches_the_top_of_every_framework(strong) -> None:  # type: ignore[no-untyped-def]
    a = assess(strong)
    assert (a.eidas.confirmed, a.eidas.reachable) == (3, 3)
    assert (a.iso.confirmed, a.iso.reachable) == (4, 4)
    for rev in ("800-63-3", "800-63-4"):
        assert a.range(f"nist-{rev}", "ial").confirmed == 3
        assert a.range(f"nist-{rev}", "aal").confirmed == 3
    assert assess(strong, STRICT_PROFILE).eidas.confirmed == 3


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            {"management.information_security": "standards_based"},
            "2.4.3 high = substantial: no certificate",
        ),
        ({"credential_management.expiry": False}, "2015/1502 sets no validity period"),
        (
            {"enrolment.routes.0.identity_proofing": "remote_unattended"},
            "2.1.2 high: remote comparison",
        ),
        ({"enrolment.routes.0.biometric_recorded": False}, "2.1.2 high keeps no biometric"),
        (
            {"enrolment.routes.0.delivery": "activation_code_separate_channel"},
            "2.2.2 high: split PIN",
        ),
        ({"authentication.phishing_resistance": False}, "2.3.1 high names no mechanism"),
        (
            {"authentication.mitm_resistance": "server_authenticated"},
            "2.3.1 high names no mechanism",
        ),
        ({"management.supervision": "none"}, "2.4.1 does not ask for supervision"),
        (
            {"credential_management.factors.0.key_protection": "hardware"},
            "2.2.1 high: no certificate",
        ),
    ],
)
def test_eidas_high_asks_no_more_than_the_annex(change, why) -> None:  # type: ignore[no-untyped-def]
    a = assess(build(change))
    assert a.eidas.confirmed == 3, why
    # the stricter profile does ask it, and says so
    if "management.supervision" in change or "management.information_security" in change:
        assert assess(build(change), STRICT_PROFILE).eidas.confirmed < 3


def test_high_by_derivation_from_a_notified_high_means() -> None:
    route = {
        "identity_proofing": "remote_unattended",
        "evidence": ["existing_credential"],
        "evidence_validation": ["credential_authentication"],
        "applicant_verification": ["existing_credential"],
        "existing_means_level": "high",
        "delivery": "same_session",
    }
    a = assess(build({"enrolment.routes.0": route}))
    assert a.phase_range(EIDAS, "enrolment").confirmed == 3
    lower = assess(build({"enrolment.routes.0": {**route, "existing_means_level": "substantial"}}))
    assert lower.phase_range(EIDAS, "enrolment").confirmed == 2


def test_knowledge_based_verification_with_an_authoritative_source_is_substantial() -> None:
    route = {
        "identity_proofing": "remote_unattended",
        "evidence": ["register_record"],
        "evidence_validation": ["authoritative_source"],
        "applicant_verification": ["knowledge_questions"],
        "delivery": "post_to_address_of_record",
    }
    a = assess(build({"enrolment.routes.0": route}))
    assert a.phase_range(EIDAS, "enrolment").confirmed == 2
    assert a.phase_range(EIDAS, "credential_management").confirmed == 2  # post: not high
    assert a.range("nist-800-63-3", "ial").confirmed == 1  # NIST IAL2 refuses KBV alone


def test_document_presented_in_person_is_the_staff_comparison() -> None:
    """2.1.2 substantial point 2 and high 1(a): a photo document shown to registration staff."""
    route = {
        "identity_proofing": "in_person",
        "evidence": ["photo_id", "register_record"],
        "evidence_validation": ["authoritative_source"],
        "applicant_verification": ["knowledge_questions"],
        "delivery": "in_person",
    }
    a = assess(build({"enrolment.routes.0": route}))
    assert a.phase_range(EIDAS, "enrolment").confirmed == 3
    inspected = {**route, "evidence_validation": ["visual_inspection"]}
    assert assess(build({"enrolment.routes.0": inspected})).eidas.confirmed == 2  # not validated
    video = {**route, "identity_proofing": "remote_supervised"}
    assert (
        assess(build({"enrolment.routes.0": video})).phase_range(EIDAS, "enrolment").confirmed == 2
    )
    no_document = {**route, "evidence": ["register_record"]}
    assert assess(build({"enrolment.routes.0": no_document})).eidas.confirmed == 2


def test_visual_document_check_counts_at_substantial() -> None:
    a = assess(build({"enrolment.routes.0.evidence_validation": ["visual_inspection"]}))
    assert a.phase_range(EIDAS, "enrolment").confirmed == 2
    assert a.phase_range(ISO, "enrolment").confirmed == 4


def test_one_factor_is_low_two_are_substantial() -> None:
    one = assess(build({"credential_management.activation": "none"}))
    assert one.phase_range(EIDAS, "credential_management").confirmed == 1
    assert one.phase_range(ISO, "credential_management").confirmed == 2


def test_typos_in_a_rule_file_are_errors_at_load(tmp_path: Path) -> None:
    with pytest.raises(LoaError, match="unknown profile field"):
        compile_condition({"field": "route.identity_prooving", "in": ["in_person"]})
    with pytest.raises(LoaError, match="is not a value of"):
        compile_condition({"field": "route.identity_proofing", "in": ["telepathy"]})
    with pytest.raises(LoaError, match="needs a list field"):
        compile_condition({"field": "auth.replay_protection", "contains_any": [True]})
    bad = tmp_path / "r.yaml"
    bad.write_text(
        "ruleset: x\nversion: '1'\ntitle: t\nframework: x\nsource: {}\n"
        "levels: [{level: 1, name: a, meaning: m}]\nphases: [{id: enrolment, title: e, clause: c}]\n"
        "results: [{id: overall, label: X, phases: [enrolment], scope: s}]\n"
        "rules:\n  - {id: X-ENR-1-01, phase: enrolment, level: 1, clause: c, requires: r, control: c,"
        " profiles: [asean-strict], when: {always: true}}\n",
        encoding="utf-8",
    )
    with pytest.raises(LoaError, match="must say what it asks beyond") as exc:
        load_rule_set(bad)
    assert exc.value.where and exc.value.where.endswith("#/rules/0/stricter_because")
