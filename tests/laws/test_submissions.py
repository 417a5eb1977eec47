"""Plans and reports as signed submissions: the Repository List's mechanism, refusals leave the
store unchanged, and the report reflects what was accepted."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from eauth_toolkit.laws.data import load_law_data
from eauth_toolkit.laws.report import build_report, render
from eauth_toolkit.laws.samples import load_sandbox_documents
from eauth_toolkit.laws.signing import sign_scheme_document
from eauth_toolkit.laws.store import LawsStore
from eauth_toolkit.repository.keys import AuthorityRegistry, load_key
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.settings import Settings

REPO = Path(Settings().repository_dir)
LAWS = REPO / "laws"
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _key(ams: str) -> Any:
    return load_key(REPO / "sandbox-authority-keys" / f"{ams}.private.jwk.json")


def _doc(name: str) -> dict[str, Any]:
    return json.loads((LAWS / "sandbox" / name).read_text(encoding="utf-8"))


@pytest.fixture
def store(database_url: str) -> Any:
    s = LawsStore.open(database_url, AuthorityRegistry.load(REPO / "authorities.json"))
    yield s
    s.close()


def _submit(store: LawsStore, doc: dict[str, Any], ams: str | None = None, **kw: Any) -> Any:
    key = _key(ams or doc["ams"])
    return store.submit(
        sign_scheme_document(doc, key, sequence=store.next_sequence(doc["ams"]), now=NOW),
        now=NOW,
        **kw,
    )


def _refused(store: LawsStore, jws: str, code: str, where: str | None = None) -> SubmissionRefused:
    before = store.dump()
    with pytest.raises(SubmissionRefused) as err:
        store.submit(jws, now=NOW)
    assert err.value.code == code, err.value.message
    if where is not None:
        assert err.value.where == where
    assert store.dump() == before
    return err.value


def test_plan_then_report_updates_measure_status_and_audit(store: LawsStore) -> None:
    receipt = _submit(store, _doc("PH-national-plan.json"))
    assert receipt.diff["added"] == ["m1-review", "m2-foreign", "m3-guidance"]
    receipt = _submit(store, _doc("PH-annual-report-2026.json"))
    assert receipt.diff["status"] == {
        "m1-review": ["planned", "done"],
        "m2-foreign": ["planned", "in_progress"],
    }
    (plan,) = store.plans("PH")
    assert {m["id"]: m["status"] for m in plan["measures"]} == {
        "m1-review": "done",
        "m2-foreign": "in_progress",
        "m3-guidance": "planned",
    }
    audit = store.submissions("PH")
    assert [(a["kind"], a["sequence"], a["channel"]) for a in audit] == [
        ("national_plan", 1, "cli"),
        ("annual_report", 2, "cli"),
    ]
    assert audit[0]["authority_kid"].startswith("sandbox-ph-")


def test_report_for_missing_plan_and_unknown_measure_are_refused_unchanged(
    store: LawsStore,
) -> None:
    report = _doc("PH-annual-report-2026.json")
    jws = sign_scheme_document(report, _key("PH"), sequence=1, now=NOW)
    _refused(store, jws, "unknown_plan", "/plan_id")
    _submit(store, _doc("PH-national-plan.json"))
    bad = copy.deepcopy(report)
    bad["updates"][1]["measure"] = "m9-nothing"
    jws = sign_scheme_document(bad, _key("PH"), sequence=store.next_sequence("PH"), now=NOW)
    _refused(store, jws, "unknown_measure", "/updates/1/measure")


def test_other_authority_replay_order_and_kind_are_refused(store: LawsStore) -> None:
    plan = _doc("PH-national-plan.json")
    _refused(store, sign_scheme_document(plan, _key("SG"), sequence=1, now=NOW), "wrong_key")
    jws = sign_scheme_document(plan, _key("PH"), sequence=1, now=NOW)
    store.submit(jws, now=NOW)
    _refused(store, jws, "replayed")
    _refused(
        store, sign_scheme_document(plan, _key("PH"), sequence=1, now=NOW), "replayed", "/sequence"
    )
    # a Repository List JWS (other typ) carrying a plan is not a Scheme submission
    _refused(store, sign_submission(plan, _key("PH"), sequence=5, now=NOW), "wrong_type")
    # an API token bound to another AMS
    with pytest.raises(SubmissionRefused) as err:
        store.submit(
            sign_scheme_document(plan, _key("PH"), sequence=9, now=NOW), now=NOW, token_ams="SG"
        )
    assert err.value.code == "forbidden"


def test_schema_errors_unknown_ams_and_bad_dates_are_refused_with_pointers(
    store: LawsStore,
) -> None:
    plan = _doc("PH-national-plan.json")
    bad = copy.deepcopy(plan)
    bad["measures"][0]["target_date"] = "31/12/2025"
    err = _refused(
        store,
        sign_scheme_document(bad, _key("PH"), sequence=1, now=NOW),
        "schema_invalid",
        "/measures/0/target_date",
    )
    assert "date" in err.message
    bad = copy.deepcopy(plan)
    bad["measures"].append(dict(bad["measures"][0]))
    _refused(
        store,
        sign_scheme_document(bad, _key("PH"), sequence=1, now=NOW),
        "schema_invalid",
        "/measures/3/id",
    )
    bad = dict(plan, ams="XX")
    _refused(
        store, sign_scheme_document(bad, _key("PH"), sequence=1, now=NOW), "schema_invalid", "/ams"
    )
    bad = dict(plan, kind="ams_laws")
    _refused(
        store, sign_scheme_document(bad, _key("PH"), sequence=1, now=NOW), "schema_invalid", "/kind"
    )


def test_sandbox_samples_and_the_alignment_report(store: LawsStore) -> None:
    loaded = load_sandbox_documents(store, LAWS, REPO, now=NOW)
    assert [item.path.name for item in loaded if item.receipt] == [
        "KH-national-plan.json",
        "PH-national-plan.json",
        "KH-annual-report-2025.json",
        "PH-annual-report-2026.json",
    ]
    assert all(
        item.skipped == "already loaded"
        for item in load_sandbox_documents(store, LAWS, REPO, now=NOW)
    )
    data = load_law_data(LAWS)
    before = build_report(data, store.plans(), store.reports(), dt.date(2026, 11, 30))
    assert before["missing_plan"] == ["BN", "ID", "LA", "MY", "MM", "SG", "TH", "VN"]
    assert "KH" in before["missing_report"] and "PH" not in before["missing_report"]
    assert [(o["ams"], o["measure"]) for o in before["overdue"]] == [
        ("KH", "m1-prakas"),
        ("PH", "m2-foreign"),
    ]
    assert {t["ams"]: t["status"] for t in before["transition"]} == dict.fromkeys(
        ("KH", "LA", "MM"), "in transition"
    )
    assert before["transition"][0]["days_left"] == 2
    after = build_report(data, store.plans(), store.reports(), dt.date(2026, 12, 2), year=2025)
    assert {t["status"] for t in after["transition"]} == {"ended: Article 7.2(a) applies"}
    assert "KH" not in after["missing_report"] and "PH" in after["missing_report"]
    assert ("KH", "m2-7-2-a") in {(o["ams"], o["measure"]) for o in after["overdue"]}
    sg = next(r for r in before["ams"] if r["ams"] == "SG")
    assert sg["provisions"]["reliability_test"]["alignment"] == "aligned"
    assert sg["provisions"]["reliability_test"]["source"].startswith("https://")
    assert before["summary"]["alignment_counts"]["functional_equivalence"]["aligned"] == 8
    md = render(before, "markdown")
    assert "| PH | yes | no | ratified, signed 2007-09-25" in md
    html = render(before, "html")
    assert "<script" not in html and 'id="summary"' in html
    assert json.loads(render(before, "json")) == before


def test_concurrent_submissions_with_one_sequence_accept_exactly_one(tmp_path: Path) -> None:
    import threading

    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    registry = AuthorityRegistry.load(REPO / "authorities.json")
    LawsStore.open(url, registry).close()
    plan = _doc("PH-national-plan.json")
    outcomes: list[str] = []
    # one store (engine) per writer, as separate service workers have; migrations run first
    stores = [LawsStore.open(url, registry) for _ in range(4)]

    def one(i: int) -> None:
        jws = sign_scheme_document(
            dict(plan, plan_id=f"ph-race-{i}"), _key("PH"), sequence=1, now=NOW
        )
        try:
            stores[i].submit(jws, now=NOW)
            outcomes.append("accepted")
        except SubmissionRefused as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for s in stores:
        s.close()
    assert sorted(outcomes) == ["accepted", "replayed", "replayed", "replayed"]
    store = LawsStore.open(url, registry)
    assert len(store.plans("PH")) == 1 and len(store.submissions()) == 1
    store.close()
