"""Sources with their standing: kinds, read dates, the headline rule, `eauth repo sources`."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eauth_toolkit.cli import main
from eauth_toolkit.repository.models import AMS_CODES, STRONG_SOURCE_KINDS, Entry, PublishedEntry
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.sourcing import (
    document_warnings,
    fact_sources,
    headline_facts,
    headline_findings,
    source_refs,
    sourcing_warnings,
    standing,
)
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.validation import schema_errors, submission_problems
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from eauth_toolkit.web.routes.repository import STORE_STATE_KEY
from tests.repository.conftest import REPOSITORY_DIR, Authorities, make_document, make_entry

TODAY = dt.date(2026, 11, 30)
#: the LoA evidence kind that matches a primary source's kind
EVIDENCE_KIND = {"legal_text": "legal_instrument", "official_page": "public_document"}


def official(url: str = "https://example.test/about", read: str = "2026-11-20") -> dict[str, Any]:
    return {"url": url, "kind": "official_page", "read": read, "supports": "the operator's page"}


def classified(entry: dict[str, Any], kind: str = "official_page") -> dict[str, Any]:
    """The entry with every bare URL turned into a source of ``kind``, read 2026-11-20."""
    out = copy.deepcopy(entry)
    out["sources"] = {
        p: {"url": u, "kind": kind, "read": "2026-11-20"} for p, u in entry["sources"].items()
    }
    out["sources"]["/status"] = official()
    return out


def problems(entry: dict[str, Any]) -> dict[str, str]:
    doc = make_document(entry["ams"], [entry])
    return {p.where or "": p.message for p in submission_problems(doc)}


def warnings(entry: dict[str, Any], max_age: int | None = 365) -> dict[str, str]:
    return {
        w.where or "": w.message
        for w in sourcing_warnings(entry, today=TODAY, max_age_days=max_age)
    }


# --- backward compatibility -------------------------------------------------------------


def test_bare_urls_stay_valid_but_headline_facts_on_them_draw_warnings() -> None:
    entry = make_entry("SG")  # the fixture's sources are all bare URLs, as before kinds existed
    assert problems(entry) == {}
    found = warnings(entry, max_age=None)
    assert set(found) == {
        "/status",
        "/sources/~1operator",
        "/sources/~1legal_basis",
        "/sources/~1claimed_level",
        "/sources/~1oidc",
        "/sources/~1profile~1credential_management",
    }
    assert found["/status"] == "the entry's status has no source"
    assert "bare URL (unclassified, counted as weak)" in found["/sources/~1operator"]


def test_an_old_published_entry_and_list_still_match_the_schemas() -> None:
    entry = make_entry("SG")
    published = {**entry, "version": 1, "updated_at": "2026-01-01T00:00:00Z"}
    PublishedEntry.model_validate(published)
    payload = {
        "list_format": "eauth-repository-list/1",
        "scheme_information": {
            "scheme_name": "Test",
            "scheme_operator": "Test",
            "scheme_territory": "ASEAN",
            "scheme_type": "test",
            "policy": "test",
        },
        "sequence_number": 1,
        "issued_at": "2026-01-01T00:00:00Z",
        "next_update": "2026-02-01T00:00:00Z",
        "entries": [published],
    }
    assert schema_errors(payload, "repository-list") == []
    payload["entries"][0] = {
        **classified(entry),
        "version": 1,
        "updated_at": "2026-01-01T00:00:00Z",
    }
    assert schema_errors(payload, "repository-list") == []


# --- the headline rule ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["news", "vendor_or_third_party", "simulator_or_test_tool", "official_statistics"]
)
def test_a_headline_fact_on_a_declared_weak_source_is_an_error(kind: str) -> None:
    entry = classified(make_entry("SG"))
    entry["sources"]["/operator"]["kind"] = kind
    assert problems(entry) == {
        "/entries/0/sources/~1operator": f"headline fact(s) /operator rest on a {kind} source "
        "(/operator); they need a legal_text or official_page source, or must be listed in "
        "unconfirmed"
    }
    entry["unconfirmed"].append("/operator")
    assert problems(entry) == {}


def test_acr_values_claimed_level_status_and_factors_are_headline_facts() -> None:
    entry = classified(make_entry("SG"))
    entry["sources"]["/oidc/acr_values"] = {
        "url": "https://github.com/example/simulator",
        "kind": "simulator_or_test_tool",
        "read": "2026-11-20",
    }
    entry["sources"]["/claimed_level"]["kind"] = "news"
    entry["sources"]["/status"]["kind"] = "vendor_or_third_party"
    entry["sources"]["/profile/credential_management"]["kind"] = "news"
    found = problems(entry)
    assert set(found) == {
        "/entries/0/sources/~1oidc~1acr_values",
        "/entries/0/sources/~1claimed_level",
        "/entries/0/sources/~1status",
        "/entries/0/sources/~1profile~1credential_management",
    }
    assert "/oidc/acr_values/0/acr" in found["/entries/0/sources/~1oidc~1acr_values"]
    assert "factors/0/type" in found["/entries/0/sources/~1profile~1credential_management"]
    # the other facts below a weak source (a key protection, say) are not headline facts
    assert "key_protection" not in found["/entries/0/sources/~1profile~1credential_management"]


def test_one_legal_text_among_several_sources_carries_the_fact() -> None:
    entry = classified(make_entry("SG"))
    entry["sources"]["/legal_basis"] = [
        {"url": "https://news.example.test/a", "kind": "news", "read": "2026-11-20"},
        {"url": "https://law.example.test/act", "kind": "legal_text", "read": "2026-11-20"},
    ]
    assert problems(entry) == {}
    assert warnings(entry) == {}
    entry["sources"]["/legal_basis"][1]["kind"] = "news"
    assert set(problems(entry)) == {"/entries/0/sources/~1legal_basis"}


def test_a_source_object_is_checked_by_the_schema() -> None:
    entry = classified(make_entry("SG"))
    entry["sources"]["/operator"]["kind"] = "blog"
    entry["sources"]["/name"].pop("read")
    found = problems(entry)
    assert "/entries/0/sources/~1operator/kind" in found
    assert "/entries/0/sources/~1name/read" in found
    with pytest.raises(ValueError):
        Entry.model_validate(entry)


# --- review dates and status -----------------------------------------------------------


def test_facts_older_than_the_chosen_age_draw_a_warning_per_source() -> None:
    entry = classified(make_entry("SG"))
    assert warnings(entry) == {}
    entry["sources"]["/description"]["read"] = "2024-01-10"
    found = warnings(entry, max_age=365)
    assert list(found) == ["/sources/~1description"]
    assert "2024-01-10 (1055 days ago, more than 365)" in found["/sources/~1description"]
    assert warnings(entry, max_age=2000) == {}


def test_a_bare_url_is_as_old_as_the_entry_review_date() -> None:
    entry = classified(make_entry("SG"))
    entry["sources"]["/name"] = "https://example.test/about"
    entry["last_reviewed"] = "2023-05-01"
    assert "/sources/~1name" in warnings(entry, max_age=365)
    entry["last_reviewed"] = "2026-11-01"
    assert "/sources/~1name" not in warnings(entry, max_age=365)


def test_a_status_without_a_source_is_named_even_when_marked_unconfirmed() -> None:
    entry = classified(make_entry("SG"))
    del entry["sources"]["/status"]
    assert warnings(entry) == {"/status": "the entry's status has no source"}
    entry["unconfirmed"].append("/status")
    assert warnings(entry) == {
        "/status": "the entry's status has no source (it is marked unconfirmed)"
    }


# --- the sample data -------------------------------------------------------------------


def _samples() -> list[dict[str, Any]]:
    out = []
    for ams in AMS_CODES:
        doc = json.loads((REPOSITORY_DIR / f"{ams}.json").read_text(encoding="utf-8"))
        out.extend(doc["entries"])
    return out


@pytest.mark.parametrize("entry", _samples(), ids=lambda e: e["id"])
def test_every_sample_headline_fact_rests_on_a_primary_source_or_is_unconfirmed(
    entry: dict[str, Any],
) -> None:
    # the profile's authentication factors included: each factor's type is a headline fact
    weak = [f.pointer for f in headline_findings(entry) if not f.unconfirmed]
    assert weak == []
    assert "/status" in entry["sources"], "every entry's status is sourced"
    for pointer, value in entry["sources"].items():
        if not pointer.startswith("/profile") or pointer in headline_facts(entry):
            assert not isinstance(value, str), f"{pointer}: source not classified"


@pytest.mark.parametrize(
    "entry", [e for e in _samples() if e.get("profile")], ids=lambda e: e["id"]
)
def test_each_factor_has_a_classified_source_and_evidence_of_the_same_standing(
    entry: dict[str, Any],
) -> None:
    factors = entry["profile"].get("credential_management", {}).get("factors", [])
    evidence = entry["profile"].get("evidence") or {}
    for i, _ in enumerate(factors):
        pointer = f"/profile/credential_management/factors/{i}/type"
        refs = source_refs(entry["sources"][pointer])
        strong = [r for r in refs if r.strong]
        ev = evidence[pointer[len("/profile") :]]
        if strong:
            # the profile's evidence names the primary source and a confirming kind
            assert ev["kind"] == EVIDENCE_KIND[strong[0].kind], pointer
            assert ev["url"] == strong[0].url, pointer
            assert pointer not in entry["unconfirmed"], pointer
        else:
            assert ev["kind"] == "secondary_source", pointer
            assert pointer in entry["unconfirmed"], pointer


def test_the_sample_data_has_a_standing_per_ams() -> None:
    counts = standing(fact_sources(_samples()))
    assert set(counts) == set(AMS_CODES)
    primary = [ams for ams, c in counts.items() if c["legal_text"] + c["official_page"] > 0]
    assert len(primary) >= 7, counts
    assert counts["VN"]["legal_text"] >= 5
    assert set(STRONG_SOURCE_KINDS) == {"legal_text", "official_page"}


# --- CLI and page ----------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(["repo", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_sources_lists_every_source_with_its_facts_kind_and_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "sources", "--ams", "VN", "--json")
    assert code == 0
    data = json.loads(out)
    law = next(s for s in data["sources"] if "law-on-identity-no-26-2023" in s["url"])
    assert law["kinds"] == ["legal_text"]
    facts = {(f["entry"], f["pointer"]) for f in law["facts"]}
    assert ("vn-vneid-level-1", "/legal_basis") in facts
    assert ("vn-vneid-level-2", "/operator") in facts
    assert all(f["entry"].startswith("vn-") for s in data["sources"] for f in s["facts"])
    assert set(data["standing"]) == {"VN"}
    code, out, _ = run(capsys, "sources", "--ams", "SG")
    assert code == 0
    assert "official_page" in out and "sg-singpass/claimed_level" in out


def write_doc(tmp_path: Path, entry: dict[str, Any]) -> Path:
    path = tmp_path / "sub.json"
    path.write_text(json.dumps(make_document(entry["ams"], [entry])))
    return path


def test_sources_weak_exits_1_while_a_headline_fact_is_unmarked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entry = classified(make_entry("SG"))
    entry["sources"]["/operator"]["kind"] = "news"
    path = write_doc(tmp_path, entry)
    code, out, _ = run(capsys, "sources", "--weak", str(path))
    assert code == 1
    assert "sg-eid/operator: news https://example.test/about [NOT MARKED UNCONFIRMED]" in out
    entry["unconfirmed"].append("/operator")
    write_doc(tmp_path, entry)
    code, out, _ = run(capsys, "sources", "--weak", "--json", str(path))
    assert code == 0
    assert json.loads(out) == [
        {
            "ams": "SG",
            "entry": "sg-eid",
            "fact": "/operator",
            "source_pointer": "/operator",
            "kind": "news",
            "url": "https://example.test/about",
            "read": "2026-11-20",
            "unconfirmed": True,
        }
    ]


def test_sources_older_than_and_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entry = classified(make_entry("SG"))
    entry["sources"]["/name"]["read"] = "2020-01-01"
    path = write_doc(tmp_path, entry)
    code, out, _ = run(capsys, "sources", "--older-than", "365", "--json", str(path))
    assert code == 0
    assert [f["pointer"] for s in json.loads(out)["sources"] for f in s["facts"]] == ["/name"]
    code, _, err = run(capsys, "sources", "--ams", "XX")
    assert code == 2 and "--ams" in err
    (tmp_path / "list.json").write_text("[1, 2]")
    code, _, err = run(capsys, "sources", str(tmp_path / "list.json"))
    assert code == 2 and "list.json" in err


def test_validate_prints_warnings_and_keeps_exit_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entry = classified(make_entry("SG"))
    entry["sources"]["/name"]["read"] = "2020-01-01"
    del entry["sources"]["/status"]
    path = write_doc(tmp_path, entry)
    code, out, _ = run(capsys, "validate", "--max-age", "100", str(path))
    assert code == 0
    assert f"{path}#/entries/0/status: warning: the entry's status has no source" in out
    assert f"{path}#/entries/0/sources/~1name: warning: fact last checked 2020-01-01" in out
    assert f"{path}: valid submission" in out
    code, out, _ = run(capsys, "validate", "--json", str(path))
    report = json.loads(out)[0]
    assert report["valid"] is True
    assert [w["where"] for w in report["warnings"]] == [
        "/entries/0/status",
        "/entries/0/sources/~1name",
    ]
    assert document_warnings(json.loads(path.read_text()), max_age_days=None)[0].where == (
        "/entries/0/status"
    )


@pytest.fixture
def client(
    authorities: Authorities, tmp_path: Path
) -> Iterator[tuple[TestClient, RepositoryStore]]:
    folder = tmp_path / "repository_list"
    folder.mkdir()
    (folder / "authorities.json").write_text(authorities.registry_path.read_text())
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'page.sqlite3'}",
        data_dir=tmp_path,
        load_samples=False,
        repository_dir=folder,
    )
    app = create_app(settings)
    store: RepositoryStore = getattr(app.state, STORE_STATE_KEY)
    with TestClient(app) as c:
        yield c, store
    store.close()


def test_the_entry_page_shows_each_source_kind_and_review_date(
    client: tuple[TestClient, RepositoryStore], authorities: Authorities
) -> None:
    c, store = client
    entry = classified(make_entry("SG", "page"))
    entry["sources"]["/operator"] = {
        "url": "https://example.test/operator",
        "kind": "legal_text",
        "read": "2026-11-02",
        "supports": "The Act names the operator.",
    }
    entry["sources"]["/name"] = "https://example.test/old-style"
    store.submit(
        sign_submission(
            make_document("SG", [entry]), authorities.keys["SG"], sequence=store.next_sequence("SG")
        )
    )
    page = c.get("/repository/sg-page").text
    assert 'legal text</span>, <span class="source-read">read 2026-11-02' in page
    assert "The Act names the operator." in page
    assert (
        'unclassified source</span>, <span class="source-read">reviewed 2026-11-01 (entry date)'
        in page
    )
