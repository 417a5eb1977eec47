"""`eauth plan` commands: progress report, status updates, one activity's full text."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import typer

from eauth_toolkit.cli._common import console, one_line_errors, print_json, settings_for
from eauth_toolkit.errors import PlanError
from eauth_toolkit.plan import (
    FORMATS,
    PACKAGED_STATUS,
    STATUSES,
    activity_index,
    build_report,
    load_plan,
    load_status,
    parse_date,
    render,
    set_status,
    status_to_read,
)
from eauth_toolkit.plan.render import text_renderable

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

STATUS_FILE_HELP = (
    "Status file (default: $EAUTH_PLAN_STATUS, else plan-status.yaml in the data folder, "
    "which starts as a copy of the status shipped with the package)."
)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _status_path(value: Path | None) -> Path:
    """The status file to read: the one given, else the data folder's (or the packaged one while
    the data folder has none yet)."""
    settings = settings_for(plan_status=value)
    return status_to_read(
        settings.plan_status_file, seeded_from_package=settings.plan_status is None
    )


def _status_path_to_write(value: Path | None) -> Path:
    """The status file to write; the data folder's copy is started from the packaged one."""
    settings = settings_for(plan_status=value)
    path = settings.plan_status_file
    if settings.plan_status is None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGED_STATUS, path)
    return path


@app.command("report")
def report_cmd(
    as_of: str = typer.Option(
        None, "--as-of", help="Date of the report, YYYY-MM-DD (default: today, UTC)."
    ),
    fmt: str = typer.Option("text", "--format", "-f", help=f"One of: {', '.join(FORMATS)}."),
    status_file: Path = typer.Option(None, "--status-file", help=STATUS_FILE_HELP),
) -> None:
    """Share of activities completed and activities overdue, per topic and workstream."""
    with one_line_errors():
        when = parse_date(as_of, where="--as-of") if as_of is not None else _today()
        if fmt not in FORMATS:
            raise PlanError(
                f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})", where="--format"
            )
        plan = load_plan()
        path = _status_path(status_file)
        status = load_status(path, plan, settings_for())
        result = build_report(plan, status, when, status_source=str(path))
        if fmt == "text":
            console.print(text_renderable(result))
        else:
            sys.stdout.write(render(result, fmt))


@app.command("set")
def set_cmd(
    activity_id: str = typer.Argument(
        ..., metavar="ACTIVITY_ID", help="An activity id, e.g. B.2.1.4."
    ),
    status: str = typer.Argument(..., metavar="STATUS", help=f"One of: {', '.join(STATUSES)}."),
    evidence: str = typer.Option(
        ..., "--evidence", help="What shows the status (document, command, link)."
    ),
    date: str = typer.Option(
        None, "--date", help="Date of the assessment, YYYY-MM-DD (default: today, UTC)."
    ),
    status_file: Path = typer.Option(None, "--status-file", help=STATUS_FILE_HELP),
) -> None:
    """Record the status of one activity in the status file (validated, written atomically)."""
    with one_line_errors():
        when = parse_date(date, where="--date") if date is not None else _today()
        path = _status_path_to_write(status_file)
        entry = set_status(path, activity_id, status, evidence, date=when)
        console.print(
            f"{activity_id}: {entry.status} ({entry.date.isoformat()}) -> {path}", markup=False
        )


@app.command("show")
def show_cmd(
    activity_id: str = typer.Argument(
        ..., metavar="ACTIVITY_ID", help="An activity id, e.g. B.2.1.4."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    status_file: Path = typer.Option(None, "--status-file", help=STATUS_FILE_HELP),
) -> None:
    """The full text of one activity as published, with its status."""
    with one_line_errors():
        plan = load_plan()
        activity = activity_index(plan).get(activity_id)
        if activity is None:
            raise PlanError(
                f"unknown activity id {activity_id!r} (not in the Work Plan)", where="ACTIVITY_ID"
            )
        topic = next(t for t in plan.topics if activity_id.startswith(t.id + "."))
        objective = next(o for o in topic.objectives if activity_id.startswith(o.id + "."))
        status = load_status(_status_path(status_file), plan, settings_for())
        entry = status.activities.get(activity_id)
        if as_json:
            print_json(
                {
                    "topic": {"id": topic.id, "title": topic.title},
                    "objective": {"id": objective.id, "title": objective.title},
                    "activity": activity.model_dump(mode="json"),
                    "status": entry.model_dump(mode="json") if entry else None,
                }
            )
            return
        t = activity.timeline
        lines = [
            f"{activity.id}  {activity.title}",
            f"Topic:      {topic.id} {topic.title}",
            f"Objective:  {objective.id} {objective.title}",
        ]
        if activity.description:
            lines.append(f"Activity:   {activity.description}")
        lines.append(f"Rationale:  {activity.rationale or '(not given in the text)'}")
        lines.append("Outcomes:")
        lines += [f"  - {o}" for o in activity.outcomes]
        due = t.due.isoformat() if t.due else "no due date"
        lines.append(
            f"Timeline:   {t.text or '(not given in the text)'}  [due: {due}; {t.parse}: {t.parse_note}]"
        )
        if activity.coordination:
            lines.append(f"Coordination: {activity.coordination}")
        if activity.clm_note:
            lines.append(f"CLM note:   {activity.clm_note}")
        lines += [f"Note:       {n}" for n in activity.notes]
        if entry:
            lines.append(f"Status:     {entry.status} ({entry.date.isoformat()}): {entry.evidence}")
            if entry.implemented_by:
                lines.append(f"Implemented by: {', '.join(entry.implemented_by)}")
        else:
            lines.append("Status:     not_started (no status recorded)")
        console.print("\n".join(lines), markup=False)
