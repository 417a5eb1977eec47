"""The Work Plan as data: topics, objectives, activities, timelines, and the separate status file.

These pydantic models are the source of truth for ``schemas/workplan.schema.json`` and
``schemas/workplan-status.schema.json`` (``python -m eauth_toolkit.schemagen``). The plan text
(``data/workplan.yaml``) stays as published; progress lives in ``data/status.yaml``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ACTIVITY_ID_PATTERN",
    "STATUSES",
    "ActivityStatus",
    "Activity",
    "ClmTransition",
    "Objective",
    "PUBLISHED_SCHEMAS",
    "StatusFile",
    "StatusValue",
    "Timeline",
    "Topic",
    "WorkPlan",
    "Workstream",
]

#: ``B.2.1.4``: workstream letter, topic, objective, activity (as numbered in the text)
ACTIVITY_ID_PATTERN = r"^[ABC]\.[1-9][0-9]*\.[1-9][0-9]*\.[1-9][0-9]*$"
OBJECTIVE_ID_PATTERN = r"^[ABC]\.[1-9][0-9]*\.[1-9][0-9]*$"
TOPIC_ID_PATTERN = r"^[ABC]\.[1-9][0-9]*$"

StatusValue = Literal["not_started", "in_progress", "completed", "ongoing"]
#: the status values, in the order reports list them
STATUSES: tuple[str, ...] = ("not_started", "in_progress", "completed", "ongoing")

Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timeline(_Strict):
    """A "Target Timeline for Completion" as published, plus the machine form used for "overdue"."""

    text: str | None = Field(description="The timeline as published; null when the cell is empty.")
    start: int | None = Field(default=None, ge=2000, le=2100, description="First year, if given.")
    due: dt.date | None = Field(
        default=None,
        description="Last day of the year/half/quarter the text names; null = no completion date.",
    )
    parse: Literal["year", "half", "quarter", "range", "recurring", "conditional", "none"] = Field(
        description="How the text was read: a year, a half-year, a quarter, a range of years, "
        "recurring/ongoing, conditional, or no timeline."
    )
    parse_note: Text = Field(description="How `due` was derived from `text`.")


class Activity(_Strict):
    id: Annotated[str, Field(pattern=ACTIVITY_ID_PATTERN)]
    title: Text = Field(description="The activity name as published.")
    description: str | None = Field(default=None, description="Further text of the activity cell.")
    rationale: str | None = Field(description="Summary of the published rationale, in its words.")
    outcomes: list[Text] = Field(min_length=1)
    timeline: Timeline
    coordination: str | None = Field(default=None, description="The published coordination remark.")
    coordinating_bodies: list[Text] = Field(default_factory=list)
    clm_note: str | None = Field(
        default=None, description="What the text says about Cambodia, Lao PDR and Myanmar here."
    )
    notes: list[Text] = Field(default_factory=list, description="Transcription notes.")


class Objective(_Strict):
    id: Annotated[str, Field(pattern=OBJECTIVE_ID_PATTERN)]
    title: Text
    notes: list[Text] = Field(default_factory=list)
    activities: list[Activity] = Field(min_length=1)


class ClmTransition(_Strict):
    """A Cambodia / Lao PDR / Myanmar transition period the text gives."""

    provision: str | None = Field(default=None, description="Article of the Agreement, if named.")
    text: Text
    years_after_entry_into_force: int = Field(ge=1)
    section: str | None = None


class Topic(_Strict):
    id: Annotated[str, Field(pattern=TOPIC_ID_PATTERN)]
    workstream: Literal["A", "B", "C"]
    title: Text
    toc_title: str | None = Field(default=None, description="The title in the table of contents.")
    desired_outcome: Text
    clm_transition: ClmTransition | None = None
    notes: list[Text] = Field(default_factory=list)
    objectives: list[Objective] = Field(min_length=1)


class Workstream(_Strict):
    id: Literal["A", "B", "C"]
    title: Text
    section: Text


class WorkPlan(_Strict):
    """The whole Work Plan (``data/workplan.yaml``)."""

    title: Text
    source: Text
    version: Text
    clm_transition: ClmTransition
    workstreams: list[Workstream] = Field(min_length=1)
    topics: list[Topic] = Field(min_length=1)


class ActivityStatus(_Strict):
    status: StatusValue
    evidence: Text = Field(description="What shows the status (a document, a command, a link).")
    date: dt.date = Field(description="When the status was last assessed.")
    implemented_by: list[Text] = Field(
        default_factory=list, description="Toolkit commands that implement this activity."
    )


class StatusFile(_Strict):
    """Progress per activity id (``data/status.yaml``); ids missing here count as not started."""

    activities: dict[Annotated[str, Field(pattern=ACTIVITY_ID_PATTERN)], ActivityStatus]


PUBLISHED_SCHEMAS: dict[str, type[BaseModel]] = {
    "workplan": WorkPlan,
    "workplan-status": StatusFile,
}
