"""Evidence and ranges: unknown and unconfirmed facts give a range with the exact facts between;
several routes, unpublished factor types, verifier storage per factor, legal-person binding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from eauth_toolkit.loa import TechnologyProfile, assess
from tests.loa.conftest import build

EIDAS = "eidas-2015-1502"
ISO = "iso29115-2013"
UNKNOWN = {"kind": "unknown"}


def test_nothing_known_is_a_full_range_not_a_flat_zero() -> None:
    a = assess(TechnologyProfile(name="x"))
    assert (a.eidas.confirmed, a.eidas.reachable) == (0, 3)
    assert (a.iso.confirmed, a.iso.reachable) == (0, 4)
    d = a.to_dict()["results"][EIDAS]["overall"]
    assert d["label"].startswith("eIDAS none\u2013high, ") and d["unknown_facts"]


def test_an_unconfirmed_favourable_value_is_unknown_for_the_confirmed_level() -> None:
    p = build(
        evidence={
            "/authentication/attack_potential": {
                "kind": "secondary_source",
                "url": "https://x.test",
            }
        }
    )
    a = assess(p)
    assert (a.eidas.confirmed, a.eidas.reachable) == (1, 3)
    unknown = a.unknowns(EIDAS)
    assert [u["pointer"] for u in unknown] == ["/authentication/attack_potential"]
    assert unknown[0]["rules"] == ["EIDAS-AUT-2-02", "EIDAS-AUT-3-01"]
    assert unknown[0]["needed_for"] == "substantial"
    assert (
        a.to_dict()["results"][EIDAS]["overall"]["label"] == "eIDAS low\u2013high, 1 fact unknown"
    )
    # an unfavourable stated value counts against the reachable level even unconfirmed
    worse = assess(
        build({"authentication.attack_potential": "basic"}, {"/authentication": UNKNOWN})
    )
    assert worse.eidas.reachable == 1


def test_each_confirming_kind_confirms_and_the_others_do_not() -> None:
    for kind, confirms in [
        ("legal_instrument", True),
        ("notification", True),
        ("certification", True),
        ("authority_declaration", True),
        ("public_document", True),
        ("secondary_source", False),
        ("unknown", False),
    ]:
        a = assess(build(evidence={"/management": {"kind": kind}}))
        assert (a.phase_range(EIDAS, "management").confirmed == 3) is confirms, kind
        assert a.phase_range(EIDAS, "management").reachable == 3


def test_an_authority_declaration_confirms_and_is_labelled_as_that_authoritys() -> None:
    declared = {"kind": "authority_declaration", "authority": "SG authority (IMDA)"}
    a = assess(build(evidence={"/management": UNKNOWN, "/management/audit": declared}))
    assert a.phase_range(EIDAS, "management").confirmed == 0  # the other management facts
    ev = a.to_dict()["evidence"]
    assert ev["authority_declarations"] == [
        {
            "pointer": "/management/audit",
            "declared_by": "SG authority (IMDA)",
            "label": "declaration of SG authority (IMDA)",
        }
    ]
    assert ev["by_kind"] == {"public_document": 1, "unknown": 1, "authority_declaration": 1}
    both = assess(build(evidence={"/management": declared}))
    assert both.phase_range(EIDAS, "management").confirmed == 3


def test_weakest_route_decides_unless_registered_separately() -> None:
    bank = {
        "name": "bank KYC",
        "identity_proofing": "remote_unattended",
        "evidence": ["existing_credential"],
        "evidence_validation": ["credential_authentication"],
        "applicant_verification": ["existing_credential"],
        "existing_means_level": "substantial",
        "delivery": "activation_code_separate_channel",
    }
    two = build({"enrolment.routes": [build().enrolment.routes[0].model_dump(mode="json"), bank]})
    a = assess(two)
    assert a.eidas.confirmed == 2
    d = a.to_dict()["results"][EIDAS]["overall"]
    assert d["routes"] == {
        "in person": {"confirmed": "high", "reachable": "high"},
        "bank KYC": {"confirmed": "substantial", "reachable": "substantial"},
    }
    sep = TechnologyProfile.model_validate(
        {
            **two.model_dump(mode="json"),
            "enrolment": {
                **two.enrolment.model_dump(mode="json"),
                "routes_registered_separately": True,
            },
        }
    )
    assert assess(sep).eidas.confirmed == 3


def test_factors_of_unpublished_type_and_storage_per_factor() -> None:
    factors = [{"type": "unpublished"}, {"type": "unpublished"}]
    a = assess(
        build(
            {"credential_management.factors": factors, "credential_management.activation": "none"}
        )
    )
    cm = a.phase_range(EIDAS, "credential_management")
    assert cm.confirmed == 1 and cm.reachable == 3  # count, key and storage unknown
    pointers = {u["pointer"] for u in a.unknowns(EIDAS)}
    assert "/credential_management/factors" in pointers
    typed = [
        {"type": "unpublished", "category": "knowledge", "verifier_storage": "protected"},
        {"type": "unpublished", "category": "possession", "verifier_storage": "protected"},
    ]
    b = assess(
        build({"credential_management.factors": typed, "credential_management.activation": "none"})
    )
    assert b.phase_range(EIDAS, "credential_management").confirmed == 2
    # a password stored in clear next to a smart card: the weakest storage decides
    mixed = [
        {"type": "password", "verifier_storage": "plaintext"},
        {"type": "smart_card", "key_protection": "hardware", "verifier_storage": "public_key_only"},
    ]
    c = assess(build({"credential_management.factors": mixed}))
    assert c.phase_range(EIDAS, "authentication").reachable == 0


def test_legal_person_binding() -> None:
    assert (
        assess(
            build(
                {
                    "enrolment.legal_person_binding": {
                        "source": "national_procedure",
                        "registered": True,
                    }
                }
            )
        )
        .phase_range(EIDAS, "enrolment")
        .confirmed
        == 1
    )
    assert (
        assess(
            build(
                {
                    "enrolment.legal_person_binding": {
                        "source": "authoritative_register",
                        "registered": True,
                    }
                }
            )
        )
        .phase_range(EIDAS, "enrolment")
        .confirmed
        == 2
    )
    assert (
        assess(
            build(
                {
                    "enrolment.legal_person_binding": {
                        "source": "unique_identifier_and_register",
                        "registered": True,
                    }
                }
            )
        )
        .phase_range(EIDAS, "enrolment")
        .confirmed
        == 3
    )


def test_advice_lists_every_missing_control_with_its_clause() -> None:
    a = assess(TechnologyProfile(name="x"))
    advice = a.advice(EIDAS, 2)
    ids = {x["id"] for x in advice}
    phases = {x["phase"] for x in advice}
    assert phases == {"enrolment", "credential_management", "authentication", "management"}
    assert "EIDAS-CM-2-01" in ids and "EIDAS-MGT-2-01" in ids
    assert not any(x["id"].split("-")[2] == "3" for x in advice)  # nothing of level high
    assert all(x["clause"].startswith("Annex") for x in advice)
    assert not assess(build()).advice(EIDAS, 3)


_FIELDS = st.fixed_dictionaries(
    {
        "enrolment.routes.0.identity_proofing": st.sampled_from(
            ["unknown", "self_asserted", "remote_unattended", "in_person"]
        ),
        "enrolment.routes.0.delivery": st.sampled_from(
            ["unknown", "none", "post_to_address_of_record", "activation_code_separate_channel"]
        ),
        "credential_management.activation": st.sampled_from(["unknown", "none", "pin"]),
        "credential_management.revocation": st.sampled_from([None, True, False]),
        "authentication.replay_protection": st.sampled_from([None, True, False]),
        "authentication.attack_potential": st.sampled_from(
            ["unknown", "basic", "moderate", "high"]
        ),
        "management.audit": st.sampled_from(["unknown", "none", "internal", "independent"]),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    _FIELDS,
    st.sets(
        st.sampled_from(["/enrolment", "/credential_management", "/authentication", "/management"])
    ),
)
def test_confirming_more_never_lowers_and_confirmed_never_exceeds_reachable(
    changes, unconfirmed
) -> None:  # type: ignore[no-untyped-def]
    partial = assess(build(changes, {p: UNKNOWN for p in unconfirmed}))
    full = assess(build(changes))
    for rs in partial.sets:
        for res in rs.results:
            r = partial.range(rs.key, res.id)
            f = full.range(rs.key, res.id)
            assert r.confirmed <= r.reachable
            assert r.confirmed <= f.confirmed <= f.reachable <= r.reachable
            if r.confirmed == r.reachable:
                assert not partial.unknowns(rs.key, res.id)
