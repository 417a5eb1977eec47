"""The law data files: valid, sourced or marked, and the one source of the validator's legal term."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from eauth_toolkit.laws.data import (
    document_problems,
    legal_terms,
    load_law_data,
    source_of,
    transition_end,
)
from eauth_toolkit.settings import Settings
from eauth_toolkit.signatures.levels import legal_term

LAWS = Path(Settings().repository_dir) / "laws"


def _doc(name: str) -> dict:
    return json.loads((LAWS / name).read_text(encoding="utf-8"))


def test_every_file_is_valid_and_every_ams_has_law_data() -> None:
    data = load_law_data(LAWS)
    assert sorted(data.ams) == sorted(["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"])
    for path in sorted(LAWS.glob("*.json")) + sorted((LAWS / "sandbox").glob("*.json")):
        kind, problems = document_problems(json.loads(path.read_text(encoding="utf-8")))
        assert problems == [], (path.name, [(p.where, p.message) for p in problems])
        assert kind is not None


def test_every_source_is_a_url_and_unconfirmed_facts_are_listed() -> None:
    for ams, doc in load_law_data(LAWS).ams.items():
        assert doc["sources"], ams
        assert all(u.startswith(("http://", "https://")) for u in doc["sources"].values())
        assert not set(doc["sources"]) & set(doc["unconfirmed"]), ams


def test_an_unsourced_fact_is_reported_with_its_pointer() -> None:
    doc = _doc("SG.json")
    bad = copy.deepcopy(doc)
    del bad["sources"]["/provisions/reliability_test"]
    _, problems = document_problems(bad)
    assert [(p.where, p.message) for p in problems] == [
        (
            "/provisions/reliability_test/alignment",
            "fact has no source and is not marked unconfirmed",
        ),
        (
            "/provisions/reliability_test/reference",
            "fact has no source and is not marked unconfirmed",
        ),
        ("/provisions/reliability_test/note", "fact has no source and is not marked unconfirmed"),
    ]


def test_pointer_to_nothing_and_double_marks_and_bad_refs_are_refused() -> None:
    bad = copy.deepcopy(_doc("MY.json"))
    bad["sources"]["/laws/7"] = "https://example.org/x"
    bad["unconfirmed"].append("/laws/0")
    bad["sources"]["/laws/0"] = "https://example.org/y"
    bad["provisions"]["functional_equivalence"]["law"] = "no-such-law"
    _, problems = document_problems(bad)
    wheres = {p.where for p in problems}
    assert "/sources/~1laws~17" in wheres
    assert "/sources/~1laws~10" in wheres  # both sourced and unconfirmed
    assert "/provisions/functional_equivalence/law" in wheres


def test_schema_errors_name_the_json_pointer() -> None:
    bad = copy.deepcopy(_doc("VN.json"))
    bad["laws"][1]["in_force"] = "01/07/2024"
    bad["provisions"]["reliability_test"]["alignment"] = "mostly"
    _, problems = document_problems(bad)
    assert {p.where for p in problems} == {
        "/laws/1/in_force",
        "/provisions/reliability_test/alignment",
    }


def test_transition_end_is_five_years_after_entry_into_force() -> None:
    agreement = _doc("agreement.json")
    assert agreement["transition_ams"] == ["KH", "LA", "MM"]
    assert transition_end(agreement) == dt.date(2026, 12, 2)
    assert transition_end(dict(agreement, entry_into_force="2020-02-29")) == dt.date(2025, 2, 28)
    assert transition_end(dict(agreement, entry_into_force=None)) is None
    # the entry into force date could not be confirmed from a source: it says so
    assert source_of(agreement, "/entry_into_force") == "unconfirmed"
    for ams, doc in load_law_data(LAWS).ams.items():
        assert doc["transition_7_2_a"] is (ams in ("KH", "LA", "MM"))


def test_transition_flag_must_match_the_agreement(tmp_path: Path) -> None:
    from eauth_toolkit.errors import SchemaError

    for path in LAWS.glob("*.json"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    doc = _doc("SG.json")
    doc["transition_7_2_a"] = True
    (tmp_path / "SG.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load_law_data(tmp_path)
    assert str(err.value).endswith(
        "SG.json#/transition_7_2_a: transition_7_2_a must be false for SG (Agreement: KH, LA, MM)"
    )


def test_the_validator_legal_term_comes_from_the_law_data() -> None:
    assert not (
        Path(__file__).parents[2] / "eauth_toolkit/signatures/data/legal_terms.yaml"
    ).exists()
    terms = legal_terms(LAWS)
    my = load_law_data(LAWS).ams["MY"]
    qes = next(lv for lv in my["signature_levels"] if lv["level"] == "QES")
    assert legal_term("MY", "QES") == terms["MY"]["QES"]
    assert legal_term("MY", "QES").startswith(
        qes["term"] + " [Digital Signature Act 1997; https://"
    )
    assert legal_term("SG", "QES").startswith(
        "secure electronic signature (Electronic Transactions Act 2010)"
    )
    assert legal_term("LA", "QES") is None  # no source gives Lao PDR's term: none is printed
    assert legal_term(None, "QES") is None
