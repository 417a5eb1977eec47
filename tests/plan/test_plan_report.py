"""report(): completed shares, overdue as of several dates, the JSON contract, the renderers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from eauth_toolkit.plan import (
    StatusFile,
    activity_index,
    build_report,
    is_overdue,
    load_plan,
    render_html,
    render_json,
    render_markdown,
    render_text,
    report,
)
from eauth_toolkit.plan.models import ActivityStatus

D = dt.date


def _status(**entries: str) -> StatusFile:
    """A status file with the given ``{"B_2_1_4": "completed"}`` statuses (underscores for dots)."""
    return StatusFile(
        activities={
            k.replace("_", "."): ActivityStatus(status=v, evidence="test", date=D(2025, 1, 1))  # type: ignore[arg-type]
            for k, v in entries.items()
        }
    )


@pytest.mark.parametrize(
    ("due", "status", "as_of", "expected"),
    [
        (D(2025, 12, 31), "not_started", D(2026, 1, 1), True),
        (D(2025, 12, 31), "in_progress", D(2026, 1, 1), True),
        (D(2025, 12, 31), "not_started", D(2025, 12, 31), False),  # due that day: not yet late
        (D(2025, 12, 31), "completed", D(2030, 1, 1), False),
        (D(2025, 12, 31), "ongoing", D(2030, 1, 1), False),  # ongoing is never overdue
        (None, "not_started", D(2030, 1, 1), False),  # no due date (recurring, conditional, none)
    ],
)
def test_is_overdue(due: dt.date | None, status: str, as_of: dt.date, expected: bool) -> None:
    assert is_overdue(due, status, as_of) is expected


@pytest.mark.parametrize(
    ("as_of", "overdue_b2"),
    [
        (D(2021, 6, 1), []),
        (D(2024, 1, 1), ["B.2.1.2"]),  # "2023"
        (D(2025, 1, 1), ["B.2.1.2", "B.2.1.3"]),  # "2023 - 2024"
        (D(2026, 1, 1), ["B.2.1.1", "B.2.1.2", "B.2.1.3", "B.2.1.4", "B.2.1.5", "B.2.2.3"]),
    ],
)
def test_overdue_b2_as_of_several_dates(as_of: dt.date, overdue_b2: list[str]) -> None:
    result = build_report(load_plan(), _status(), as_of)
    assert list(result.topic("B.2").overdue) == overdue_b2
    # B.2.2.1 and B.2.2.2 have no timeline in the text: never overdue
    assert not result.activity("B.2.2.2").overdue


def test_half_year_timeline_is_due_at_the_end_of_june() -> None:
    plan = load_plan()
    assert not build_report(plan, _status(), D(2024, 6, 30)).activity("A.1.3.1").overdue
    assert build_report(plan, _status(), D(2024, 7, 1)).activity("A.1.3.1").overdue


def test_completed_and_ongoing_are_not_overdue_and_shares_add_up() -> None:
    plan = load_plan()
    status = _status(
        B_2_1_1="completed",
        B_2_1_2="completed",
        B_2_1_3="in_progress",
        B_2_1_4="ongoing",
        B_3_1_1="completed",
    )
    result = build_report(plan, status, D(2027, 1, 1))
    b2 = result.topic("B.2")
    assert (b2.completed, b2.total) == (2, 8)
    assert b2.completed_share == pytest.approx(2 / 8)
    assert "B.2.1.3" in b2.overdue and "B.2.1.4" not in b2.overdue and "B.2.1.1" not in b2.overdue
    assert dict(b2.status_counts) == {
        "not_started": 4,
        "in_progress": 1,
        "completed": 2,
        "ongoing": 1,
    }
    business = next(w for w in result.workstreams if w.id == "B")
    assert (business.completed, business.total) == (3, 29)
    assert business.completed_share == pytest.approx(3 / 29)
    assert result.total == 81 and result.completed == 3
    assert result.completed_share == pytest.approx(3 / 81)
    assert sum(w.total for w in result.workstreams) == result.total
    assert result.topic("A.1").completed_share == 0.0


def test_all_completed_is_share_one_and_nothing_overdue() -> None:
    plan = load_plan()
    everything = _status(**{k.replace(".", "_"): "completed" for k in activity_index(plan)})
    result = build_report(plan, everything, D(2040, 1, 1))
    assert result.completed_share == 1.0 and result.overdue == ()
    assert all(t.completed_share == 1.0 for t in result.topics)


def test_report_is_a_frozen_value() -> None:
    result = build_report(load_plan(), _status(), D(2026, 1, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.as_of = D(2020, 1, 1)  # type: ignore[misc]


def test_json_contract(status_file: Path) -> None:
    data = json.loads(render_json(report(D(2026, 1, 1), status_path=status_file)))
    assert data["as_of"] == "2026-01-01"
    assert {"as_of", "topics", "workstreams"} <= set(data)
    assert len(data["topics"]) == 16
    b2 = next(t for t in data["topics"] if t["id"] == "B.2")
    assert {"id", "title", "workstream", "objectives", "completed_share"} <= set(b2)
    assert b2["workstream"] == "B" and b2["title"] == "Electronic Authentication"
    assert [o["id"] for o in b2["objectives"]] == ["B.2.1", "B.2.2"]
    first = b2["objectives"][0]["activities"][0]
    assert {"id", "title", "timeline", "status", "overdue"} <= set(first)
    assert first["id"] == "B.2.1.1" and first["timeline"] == "2022 - 2025"
    assert first["status"] == "not_started" and first["overdue"] is True
    assert isinstance(b2["completed_share"], float)
    assert {w["id"] for w in data["workstreams"]} == {"A", "B", "C"}
    assert {"id", "title", "completed_share", "overdue"} <= set(data["workstreams"][0])
    b3 = next(t for t in data["topics"] if t["id"] == "B.3")
    assert "Lao PDR" in b3["clm_transition"]["text"]


def test_markdown_and_html_and_text(status_file: Path) -> None:
    result = report(D(2026, 1, 1), status_path=status_file)
    md = render_markdown(result)
    assert md.startswith("# Work Plan on the Implementation")
    assert "| B.2.1.4 | Interoperability Pilot Project" in md and "**overdue**" in md
    assert "`eauth pilot run`" in md and "Cambodia, Lao PDR and Myanmar" in md
    html = render_html(result)
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert 'id="activity-B.2.1.4"' in html and "2026-01-01" in html
    assert "<code>eauth pilot run</code>" in html
    text = render_text(result)
    assert "progress as of 2026-01-01" in text and "B.2 Electronic Authentication" in text
    assert "\x1b[" not in text
