"""The transcription: 16 topics, every activity numbered in the text, timelines parsed as published."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from eauth_toolkit.plan import (
    PACKAGED_PLAN,
    PACKAGED_STATUS,
    activity_index,
    load_plan,
    load_status,
)
from eauth_toolkit.schemaio import load_document

#: a copy of the published text (../shared/seeds/000_2017d52698de11b0.txt) the data was transcribed from
SOURCE_TEXT = Path(__file__).parent / "data" / "workplan_source.txt"

TOPICS = (
    [f"A.{i}" for i in range(1, 6)]
    + [f"B.{i}" for i in range(1, 8)]
    + [f"C.{i}" for i in range(1, 5)]
)

_SECTION = re.compile(r"^(?P<topic>[ABC]\.\d+) .*: Objectives & Activities\s*$")
_TOPIC_HEADING = re.compile(r"^[ABC]\.\d+ [A-Z]")
_OBJECTIVE = re.compile(r"^(?P<id>[ABC]\.\d+\.\d+)[.:]?\s")
# an activity row starts a line with its number ("3. ...", "2 D...", "10Integrating"); the B.5 table
# header and first row share a line ("Activities Rationale 1. Publication ...")
_ACTIVITY = re.compile(r"^(?:Activities Rationale )?(?P<n>\d{1,2})\s*\.?\s*(?=[A-Z\[\"])")


def activity_ids_in_text(text: str) -> set[str]:
    """Activity ids as numbered in the text's "Objectives & Activities" sections.

    Independent of the data file: a row numbered n implies rows 1..n of its objective (a row whose
    number the text file lost still counts), and numbering restarting at 1 without an objective
    heading means the next objective (the text file loses some headings, e.g. A.1.2, A.4.2, A.4.3).
    """
    found: set[str] = set()
    topic = objective = None
    last = 0
    for line in text.splitlines():
        if m := _SECTION.match(line):
            topic, objective, last = m["topic"], None, 0
            continue
        if topic is None:
            continue
        if _TOPIC_HEADING.match(line) or line.startswith(("5.3 ", "5.4 ", "6. Work Plan Overview")):
            topic = None
            continue
        if (m := _OBJECTIVE.match(line)) and m["id"].startswith(topic + "."):
            objective, last = m["id"], 0
            continue
        if objective and (m := _ACTIVITY.match(line)):
            n = int(m["n"])
            if n <= last:  # numbering restarts: a table whose objective heading is lost
                head, num = objective.rsplit(".", 1)
                objective, last = f"{head}.{int(num) + 1}", 0
            found.update(f"{objective}.{k}" for k in range(1, n + 1))
            last = n
    return found


def test_sixteen_topics_in_three_workstreams() -> None:
    plan = load_plan()
    assert [t.id for t in plan.topics] == TOPICS
    assert [w.id for w in plan.workstreams] == ["A", "B", "C"]
    assert {t.workstream for t in plan.topics} == {"A", "B", "C"}
    assert all(t.desired_outcome.startswith("By 2025") for t in plan.topics)


def test_b2_and_b3_counts() -> None:
    plan = load_plan()
    b2 = next(t for t in plan.topics if t.id == "B.2")
    assert [(o.id, len(o.activities)) for o in b2.objectives] == [("B.2.1", 5), ("B.2.2", 3)]
    b3 = next(t for t in plan.topics if t.id == "B.3")
    assert [(o.id, len(o.activities)) for o in b3.objectives] == [("B.3.1", 3)]


def test_every_activity_numbered_in_the_text_is_in_the_data() -> None:
    in_text = activity_ids_in_text(SOURCE_TEXT.read_text(encoding="utf-8"))
    in_data = set(activity_index(load_plan()))
    assert len(in_text) == 81
    assert sorted(in_text - in_data) == [], "activities of the text missing from workplan.yaml"
    assert sorted(in_data - in_text) == [], (
        "activities in workplan.yaml that the text does not number"
    )


def test_scanner_notices_a_dropped_activity() -> None:
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    dropped = text.replace("4. Interoperability Pilot Project", "Interoperability Pilot Project", 1)
    dropped = dropped.replace(
        "5. Capacity Building Workshops to address", "Capacity Building Workshops", 1
    )
    assert "B.2.1.5" in activity_ids_in_text(text)
    assert "B.2.1.5" not in activity_ids_in_text(dropped)


def test_clm_transition_notes_where_the_text_gives_them() -> None:
    plan = load_plan()
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    with_notes = {t.id: t.clm_transition for t in plan.topics if t.clm_transition}
    assert set(with_notes) == {"B.3", "C.1"}
    assert with_notes["B.3"].provision == "Article 7.2 (a)"
    assert with_notes["C.1"].provision == "Article 7.3 (b)"
    for clm in with_notes.values():
        assert clm.text in " ".join(text.split())
        assert clm.years_after_entry_into_force == 5
    notes = {a.id for a in activity_index(plan).values() if a.clm_note}
    assert {"B.3.1.1", "C.1.1.1"} <= notes


def test_coordinating_bodies_come_with_the_published_remark() -> None:
    for activity in activity_index(load_plan()).values():
        assert bool(activity.coordination) == bool(activity.coordinating_bodies), activity.id


def _expected_due(text: str | None) -> dt.date | None:
    """An independent reading of the published timelines (see workplan.yaml's conventions)."""
    if text is None or text.startswith("Commencing") or " on (" in text or text == "If necessary":
        return None
    if m := re.search(r"H([12]) (\d{4})", text):
        return dt.date(int(m[2]), 6, 30) if m[1] == "1" else dt.date(int(m[2]), 12, 31)
    years = re.findall(r"\b(20\d\d)\b", text)
    return dt.date(
        int(years[-1] if re.match(r"^\d{4}\s*[-–]\s*\d{4}$", text) else years[0]), 12, 31
    )


@pytest.mark.parametrize("activity", list(activity_index(load_plan()).values()), ids=lambda a: a.id)
def test_timeline_machine_form_matches_the_text(activity) -> None:  # type: ignore[no-untyped-def]
    t = activity.timeline
    assert t.due == _expected_due(t.text)
    assert (t.parse == "none") == (t.text is None)
    if t.text is not None:  # cells broken across lines: each published word is in the text
        words = set(SOURCE_TEXT.read_text(encoding="utf-8").split())
        assert set(t.text.split()) <= words, "timeline not as published"


def test_packaged_files_validate_and_every_activity_has_a_status() -> None:
    plan = load_plan(PACKAGED_PLAN)
    status = load_status(PACKAGED_STATUS, plan)
    assert set(status.activities) == set(activity_index(plan))
    assert load_document(PACKAGED_PLAN)["topics"][0]["id"] == "A.1"


def test_toolkit_links_only_b2_activities_it_implements() -> None:
    status = load_status(PACKAGED_STATUS)
    linked = {k: v.implemented_by for k, v in status.activities.items() if v.implemented_by}
    assert set(linked) == {"B.2.1.1", "B.2.1.2", "B.2.1.3", "B.2.1.4", "B.2.2.2", "B.3.1.1"}
    assert linked["B.2.1.4"] == ["eauth pilot run", "eauth pilot report", "eauth sandbox serve"]
    assert linked["B.2.2.2"] == ["eauth loa assess"]
    from eauth_toolkit.cli import GROUPS, added_groups

    groups = {*GROUPS, *added_groups()}
    for commands in linked.values():
        for command in commands:
            assert command.split()[1] in groups, command


def test_schema_invalid_plan_file_names_file_and_pointer(tmp_path: Path) -> None:
    from eauth_toolkit.errors import PlanError, SchemaError

    document = load_document(PACKAGED_PLAN)
    document["topics"][6]["objectives"][0]["activities"][3]["timeline"]["parse"] = "someday"
    bad = tmp_path / "workplan.yaml"
    bad.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load_plan(bad)
    assert str(err.value).startswith(f"{bad}#/topics/6/objectives/0/activities/3/timeline/parse: ")
    document["topics"][6]["objectives"][0]["activities"][3]["timeline"]["parse"] = "year"
    document["topics"][6]["objectives"][0]["activities"][3]["id"] = "B.2.1.1"  # a duplicate id
    bad.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(PlanError, match="B.2.1.1 appears twice") as err2:
        load_plan(bad)
    assert err2.value.where == f"{bad}#/topics/6/objectives/0/activities/3"
