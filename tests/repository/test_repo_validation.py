"""Schema and sourcing rules of submission documents, with the JSON pointer of every problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from eauth_toolkit.repository.models import AMS_CODES, Entry, SubmissionDocument
from eauth_toolkit.repository.validation import (
    document_problems,
    fact_pointers,
    submission_problems,
)
from tests.repository.conftest import DATA, REPOSITORY_DIR, make_document, make_entry


def _where(doc: object) -> dict[str, str]:
    return {p.where or "": p.message for p in submission_problems(doc)}


def test_the_template_entry_and_a_document_are_valid() -> None:
    doc = make_document("SG", [make_entry("SG", "a"), make_entry("SG", "b")])
    assert submission_problems(doc) == []
    SubmissionDocument.model_validate(doc)
    Entry.model_validate(doc["entries"][0])


@pytest.mark.parametrize("ams", AMS_CODES)
def test_every_sample_file_is_valid(ams: str) -> None:
    path = REPOSITORY_DIR / f"{ams}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["ams"] == ams
    assert doc["entries"], f"{path.name} has no entries"
    assert submission_problems(doc) == []
    for entry in doc["entries"]:
        assert entry["id"].startswith(ams.lower() + "-")


def test_an_unsourced_fact_is_named_by_its_pointer() -> None:
    entry = make_entry("SG")
    del entry["sources"]["/legal_basis"]
    assert _where(make_document("SG", [make_entry("SG", "ok"), entry])) == {
        "/entries/1/legal_basis": "fact has no source: add its pointer (or a parent's) to "
        "sources, or list it in unconfirmed"
    }


def test_a_profile_leaf_needs_a_source_or_an_unconfirmed_mark() -> None:
    entry = make_entry("SG")
    entry["unconfirmed"] = []
    del entry["sources"]["/profile/authentication"]
    problems = _where(make_document("SG", [entry]))
    assert set(problems) == {
        f"/entries/0/profile/authentication/{name}"
        for name in (
            "guessing_protection",
            "eavesdropping_protection",
            "replay_protection",
            "session_protection",
            "mitm_resistance",
            "phishing_resistance",
        )
    }
    entry["unconfirmed"] = ["/profile/authentication/mitm_resistance"]
    entry["sources"]["/profile/authentication"] = "https://example.test/auth"
    assert _where(make_document("SG", [entry])) == {}


def test_a_parent_pointer_covers_everything_below_it() -> None:
    entry = make_entry("SG")
    entry["sources"] = {"": "https://example.test/everything"}
    entry["unconfirmed"] = []
    assert _where(make_document("SG", [entry])) == {}
    assert "/oidc" in fact_pointers(entry)
    assert "/profile/enrolment/routes/0/evidence" in fact_pointers(entry)


def test_unknown_profile_answers_and_bookkeeping_need_no_source() -> None:
    entry = make_entry("SG")
    entry["profile"] = {
        "name": "x",
        "enrolment": {"routes": [{"identity_proofing": "unknown"}]},
        "notes": "n",
    }
    facts = fact_pointers(entry)
    assert "/profile/name" in facts
    assert "/profile/enrolment/routes/0/identity_proofing" not in facts
    assert "/profile/notes" not in facts


def test_the_rules_beyond_the_schema() -> None:
    a = make_entry("SG", "a")
    b = make_entry("SG", "a")  # duplicate id
    c = make_entry("SG", "c", status="suspended")  # history ends with "active"
    d = make_entry("SG", "d")
    d["status_history"] = [
        {"status": "active", "date": "2021-01-01"},
        {"status": "active", "date": "2020-01-01"},
    ]
    d["sources"]["/status_history/1"] = "https://example.test/x"
    e = make_entry("SG", "e")
    e["id"] = "my-e"  # wrong prefix
    f = make_entry("SG", "f")
    f["unconfirmed"].append("/no/such/field")
    doc = make_document("SG", [a, b, c, d, e, f])
    doc["withdrawals"] = [
        {"id": "sg-c", "date": "2026-01-01", "reason": "x"},
        {"id": "th-x", "date": "2026-01-01", "reason": "x"},
    ]
    problems = _where(doc)
    assert "duplicate id 'sg-a'" in problems["/entries/1/id"]
    assert "last status_history item says 'active'" in problems["/entries/2/status"]
    assert "not in date order" in problems["/entries/3/status_history/1/date"]
    assert "must start with 'sg'-" in problems["/entries/4/id"]
    assert "not a field of this entry" in problems["/entries/5/unconfirmed/1"]
    assert "both changed" in problems["/withdrawals/0/id"]
    assert "not one of SG's entries" in problems["/withdrawals/1/id"]


def test_an_entry_of_another_ams_in_the_document_is_named() -> None:
    entry = make_entry("MY")
    problems = _where(make_document("SG", [entry]))
    assert problems["/entries/0/ams"] == "entry belongs to MY but the document is SG's submission"


def test_schema_errors_carry_pointers_and_do_not_hide_other_entries() -> None:
    doc = json.loads((DATA / "submission_invalid.json").read_text())
    problems = _where(doc)
    assert list(problems) == [
        "/entries/0/legal_basis",
        "/entries/0/sources/~1oidc~1issuer",
        "/entries/1/technology_type",
    ]
    assert "'carrier_pigeon' is not one of" in problems["/entries/1/technology_type"]


@pytest.mark.parametrize(
    ("mutate", "pointer"),
    [
        (lambda d: d.pop("ams"), "/ams"),
        (lambda d: d.update(ams="XX"), "/ams"),
        (lambda d: d["entries"][0].pop("name"), "/entries/0/name"),
        (lambda d: d["entries"][0].update(surprise=1), "/entries/0"),
        (
            lambda d: d["entries"][0]["sources"].update({"/name": "ftp://x"}),
            "/entries/0/sources/~1name",
        ),
        (
            lambda d: d["entries"][0]["claimed_level"].update(iso29115=7),
            "/entries/0/claimed_level/iso29115",
        ),
        (
            lambda d: d["entries"][0]["profile"]["enrolment"]["routes"][0].update(
                identity_proofing="telepathy"
            ),
            "/entries/0/profile/enrolment/routes/0/identity_proofing",
        ),
        (lambda d: d["entries"][0].update(status_history=[]), "/entries/0/status_history"),
        (lambda d: d["entries"][0].update(last_reviewed="yesterday"), "/entries/0/last_reviewed"),
        (
            lambda d: d["entries"][0]["sources"].update(
                {"/name": {"url": "https://x.test", "kind": "official_page"}}
            ),
            "/entries/0/sources/~1name/read",
        ),
        (
            lambda d: d["entries"][0]["sources"].update(
                {"/name": {"url": "https://x.test", "kind": "blog", "read": "2026-01-01"}}
            ),
            "/entries/0/sources/~1name/kind",
        ),
        (
            lambda d: d["entries"][0]["sources"].update({"/name": []}),
            "/entries/0/sources/~1name",
        ),
    ],
)
def test_schema_problems_name_the_pointer(mutate, pointer: str) -> None:  # type: ignore[no-untyped-def]
    doc = make_document("SG")
    mutate(doc)
    assert pointer in _where(doc)


def test_document_kinds() -> None:
    entry = make_entry("SG")
    assert document_problems(entry) == ("entry", [])
    bad = copy.deepcopy(entry)
    bad["id"] = "sg-"
    kind, problems = document_problems(bad)
    assert kind == "entry" and problems[0].where == "/id"
    assert document_problems(make_document("SG"))[0] == "submission"
    kind, problems = document_problems({"protected": "e30", "payload": "!!", "signature": ""})
    assert kind == "signed list" and problems[0].where == "/payload"


def test_published_schemas_are_committed(tmp_path: Path) -> None:
    for name in ("repository-entry", "repository-submission", "repository-list"):
        schema = json.loads((REPOSITORY_DIR.parent / "schemas" / f"{name}.schema.json").read_text())
        assert schema["$schema"].endswith("2020-12/schema")
    assert tmp_path.exists()
