"""Progress of the Work Plan as of a date: a frozen value, computed from the plan and the status.

An activity is *overdue* as of a date when it is not ``completed``, its status is not ``ongoing``,
and its target timeline has a due date before that date. Timelines without a due date (recurring,
conditional, or no timeline in the text) are never overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from eauth_toolkit.errors import PlanError
from eauth_toolkit.plan.models import STATUSES, ClmTransition, StatusFile, WorkPlan

__all__ = [
    "ActivityProgress",
    "ObjectiveProgress",
    "PlanReport",
    "TopicProgress",
    "WorkstreamProgress",
    "build_report",
    "is_overdue",
]

NOT_STARTED = "not_started"
NO_EVIDENCE = "No status recorded."


def is_overdue(due: dt.date | None, status: str, as_of: dt.date) -> bool:
    """Not completed, not ongoing, and due strictly before ``as_of``."""
    return due is not None and status not in ("completed", "ongoing") and due < as_of


def _share(completed: int, total: int) -> float:
    return completed / total if total else 0.0


@dataclass(frozen=True)
class ActivityProgress:
    id: str
    title: str
    timeline: str | None
    due: dt.date | None
    status: str
    overdue: bool
    evidence: str
    date: dt.date | None
    implemented_by: tuple[str, ...]
    coordination: str | None
    clm_note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "timeline": self.timeline,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "overdue": self.overdue,
            "evidence": self.evidence,
            "date": self.date.isoformat() if self.date else None,
            "implemented_by": list(self.implemented_by),
            "coordination": self.coordination,
            "clm_note": self.clm_note,
        }


@dataclass(frozen=True)
class ObjectiveProgress:
    id: str
    title: str
    activities: tuple[ActivityProgress, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "activities": [a.to_dict() for a in self.activities],
        }


@dataclass(frozen=True)
class _Counts:
    total: int
    completed: int
    overdue: tuple[str, ...]
    status_counts: tuple[tuple[str, int], ...]

    @property
    def completed_share(self) -> float:
        """Completed activities / all activities (0.0 .. 1.0)."""
        return _share(self.completed, self.total)

    def _counts_dict(self) -> dict[str, Any]:
        return {
            "completed_share": self.completed_share,
            "completed": self.completed,
            "total": self.total,
            "overdue": list(self.overdue),
            "status_counts": dict(self.status_counts),
        }


def _counts(activities: list[ActivityProgress]) -> dict[str, Any]:
    return {
        "total": len(activities),
        "completed": sum(a.status == "completed" for a in activities),
        "overdue": tuple(a.id for a in activities if a.overdue),
        "status_counts": tuple((s, sum(a.status == s for a in activities)) for s in STATUSES),
    }


def _clm_dict(clm: ClmTransition | None) -> dict[str, Any] | None:
    return clm.model_dump(mode="json") if clm else None


@dataclass(frozen=True)
class TopicProgress(_Counts):
    id: str
    title: str
    workstream: str
    desired_outcome: str
    objectives: tuple[ObjectiveProgress, ...]
    clm_transition: ClmTransition | None
    #: (activity id, what the text says about Cambodia, Lao PDR and Myanmar there)
    clm_notes: tuple[tuple[str, str], ...]

    @property
    def activities(self) -> tuple[ActivityProgress, ...]:
        return tuple(a for o in self.objectives for a in o.activities)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "workstream": self.workstream,
            "desired_outcome": self.desired_outcome,
            "objectives": [o.to_dict() for o in self.objectives],
            **self._counts_dict(),
            "clm_transition": _clm_dict(self.clm_transition),
            "clm_notes": [{"activity": a, "text": t} for a, t in self.clm_notes],
        }


@dataclass(frozen=True)
class WorkstreamProgress(_Counts):
    id: str
    title: str
    topics: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "topics": list(self.topics),
            **self._counts_dict(),
        }


@dataclass(frozen=True)
class PlanReport(_Counts):
    """Progress of every topic and workstream of the Work Plan as of ``as_of``."""

    as_of: dt.date
    title: str
    topics: tuple[TopicProgress, ...]
    workstreams: tuple[WorkstreamProgress, ...]
    clm_transition: ClmTransition
    status_source: str

    def topic(self, topic_id: str) -> TopicProgress:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise PlanError(f"unknown topic id {topic_id!r}")

    def activity(self, activity_id: str) -> ActivityProgress:
        for t in self.topics:
            for a in t.activities:
                if a.id == activity_id:
                    return a
        raise PlanError(f"unknown activity id {activity_id!r}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``eauth plan report --format json`` and ``/api/plan/report``."""
        return {
            "as_of": self.as_of.isoformat(),
            "title": self.title,
            "status_source": self.status_source,
            "topics": [t.to_dict() for t in self.topics],
            "workstreams": [w.to_dict() for w in self.workstreams],
            "summary": self._counts_dict(),
            "clm_transition": _clm_dict(self.clm_transition),
        }


def build_report(
    plan: WorkPlan, status: StatusFile, as_of: dt.date, *, status_source: str = ""
) -> PlanReport:
    """Compute the progress report; pure (no I/O, no clock)."""
    topics: list[TopicProgress] = []
    for topic in plan.topics:
        objectives = []
        for objective in topic.objectives:
            rows = []
            for activity in objective.activities:
                st = status.activities.get(activity.id)
                state = st.status if st else NOT_STARTED
                rows.append(
                    ActivityProgress(
                        id=activity.id,
                        title=activity.title,
                        timeline=activity.timeline.text,
                        due=activity.timeline.due,
                        status=state,
                        overdue=is_overdue(activity.timeline.due, state, as_of),
                        evidence=st.evidence if st else NO_EVIDENCE,
                        date=st.date if st else None,
                        implemented_by=tuple(st.implemented_by) if st else (),
                        coordination=activity.coordination,
                        clm_note=activity.clm_note,
                    )
                )
            objectives.append(ObjectiveProgress(objective.id, objective.title, tuple(rows)))
        all_rows = [a for o in objectives for a in o.activities]
        topics.append(
            TopicProgress(
                **_counts(all_rows),
                id=topic.id,
                title=topic.title,
                workstream=topic.workstream,
                desired_outcome=topic.desired_outcome,
                objectives=tuple(objectives),
                clm_transition=topic.clm_transition,
                clm_notes=tuple((a.id, a.clm_note) for a in all_rows if a.clm_note),
            )
        )
    workstreams = []
    for stream in plan.workstreams:
        mine = [t for t in topics if t.workstream == stream.id]
        workstreams.append(
            WorkstreamProgress(
                **_counts([a for t in mine for a in t.activities]),
                id=stream.id,
                title=stream.title,
                topics=tuple(t.id for t in mine),
            )
        )
    return PlanReport(
        **_counts([a for t in topics for a in t.activities]),
        as_of=as_of,
        title=plan.title,
        topics=tuple(topics),
        workstreams=tuple(workstreams),
        clm_transition=plan.clm_transition,
        status_source=status_source,
    )
