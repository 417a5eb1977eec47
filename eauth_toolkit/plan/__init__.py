"""The Work Plan on the Implementation of the ASEAN Agreement on Electronic Commerce, as data.

Every topic (A.1-A.5, B.1-B.7, C.1-C.4), objective and activity with its target timeline is in
``data/workplan.yaml`` (as published); the status of each activity is in a separate status file
(``data/status.yaml`` shipped with the package by default; ``eauth plan set`` writes its own copy in
the data folder). :func:`report` computes the share of
activities completed and the activities overdue as of a date, per topic and per workstream.

::

    from datetime import date
    from eauth_toolkit.plan import report, render_markdown
    print(render_markdown(report(date(2026, 1, 1))))
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from eauth_toolkit.plan.loader import (
    PACKAGED_PLAN,
    PACKAGED_STATUS,
    activity_index,
    default_status_path,
    is_packaged,
    load_plan,
    load_status,
    status_to_read,
)
from eauth_toolkit.plan.models import STATUSES, ActivityStatus, StatusFile, WorkPlan
from eauth_toolkit.plan.progress import (
    ActivityProgress,
    ObjectiveProgress,
    PlanReport,
    TopicProgress,
    WorkstreamProgress,
    build_report,
    is_overdue,
)
from eauth_toolkit.plan.render import (
    FORMATS,
    render,
    render_html,
    render_json,
    render_markdown,
    render_text,
)
from eauth_toolkit.plan.status import parse_date, set_status

__all__ = [
    "FORMATS",
    "PACKAGED_PLAN",
    "PACKAGED_STATUS",
    "STATUSES",
    "ActivityProgress",
    "ActivityStatus",
    "ObjectiveProgress",
    "PlanReport",
    "StatusFile",
    "TopicProgress",
    "WorkPlan",
    "WorkstreamProgress",
    "activity_index",
    "build_report",
    "default_status_path",
    "is_packaged",
    "status_to_read",
    "is_overdue",
    "load_plan",
    "load_status",
    "parse_date",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "report",
    "set_status",
]


def report(
    as_of: dt.date,
    *,
    status_path: str | Path | None = None,
    plan_path: str | Path | None = None,
) -> PlanReport:
    """Load the plan and its status file, and compute the progress report as of ``as_of``."""
    plan = load_plan(plan_path)
    path = Path(status_path) if status_path is not None else default_status_path()
    return build_report(plan, load_status(path, plan), as_of, status_source=str(path))
