"""Loading and validating the Work Plan (``workplan.yaml``) and its status file (``status.yaml``).

Every problem is an :class:`~eauth_toolkit.errors.InputError` (YAML syntax, with ``file:line:col``),
a :class:`~eauth_toolkit.errors.SchemaError` (``file#/json/pointer``) or a
:class:`~eauth_toolkit.errors.PlanError` (ids that do not fit the plan, also ``file#/pointer``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from eauth_toolkit.errors import PlanError, SchemaError
from eauth_toolkit.plan.models import Activity, ActivityStatus, StatusFile, WorkPlan
from eauth_toolkit.schemaio import json_pointer, load_document, validate

if TYPE_CHECKING:
    from eauth_toolkit.settings import Settings

__all__ = [
    "DATA_DIR",
    "PACKAGED_PLAN",
    "PACKAGED_STATUS",
    "activity_index",
    "default_status_path",
    "is_packaged",
    "status_to_read",
    "load_plan",
    "load_status",
    "parse_status_document",
    "read_document",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
PACKAGED_PLAN = DATA_DIR / "workplan.yaml"
PACKAGED_STATUS = DATA_DIR / "status.yaml"


def default_status_path() -> Path:
    """The status file shipped with the package (read-only; ``eauth plan`` and the service keep
    theirs in the data folder, see :attr:`eauth_toolkit.settings.Settings.plan_status_file`)."""
    return PACKAGED_STATUS


def is_packaged(path: Path) -> bool:
    """True for a file inside the package's own data (which is never written to)."""
    return path.resolve().is_relative_to(DATA_DIR)


def status_to_read(path: Path, *, seeded_from_package: bool) -> Path:
    """``path``; or, while a data-folder status file (``seeded_from_package``) has not been
    written yet, the packaged one it will start from."""
    if seeded_from_package and not path.exists():
        return PACKAGED_STATUS
    return path


def _jsonable(value: Any) -> Any:
    """YAML gives dates as ``datetime.date``; JSON Schema wants strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _DatesAsStrings(yaml.SafeLoader):
    """A safe loader that leaves ``2026-13-01`` a string, for the schema to reject with a pointer."""


_DatesAsStrings.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_document(path: Path) -> Any:
    """:func:`~eauth_toolkit.schemaio.load_document`, also when a YAML date is impossible."""
    try:
        return load_document(path)
    except ValueError:  # PyYAML raises ValueError (not YAMLError) for dates such as 2026-13-01
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsStrings)  # noqa: S506


def _model(model: type[Any], document: Any, source: str) -> Any:
    try:
        return model.model_validate(document)
    except ValidationError as exc:  # the schema should have caught it; keep the pointer rule anyway
        err = exc.errors()[0]
        raise SchemaError(err["msg"], where=f"{source}#{json_pointer(err['loc'])}") from None


def load_plan(path: str | Path | None = None) -> WorkPlan:
    """Load and validate a Work Plan file (default: the packaged transcription)."""
    p = Path(path) if path is not None else PACKAGED_PLAN
    if p.resolve() == PACKAGED_PLAN:
        return _load_packaged_plan()
    return _load_plan(p)


@lru_cache(maxsize=1)
def _load_packaged_plan() -> WorkPlan:
    return _load_plan(PACKAGED_PLAN)


def _load_plan(p: Path) -> WorkPlan:
    document = _jsonable(read_document(p))
    validate(document, "workplan", source=str(p))
    plan: WorkPlan = _model(WorkPlan, document, str(p))
    _check_numbering(plan, str(p))
    return plan


def _check_numbering(plan: WorkPlan, source: str) -> None:
    """Ids nest (``B.2`` > ``B.2.1`` > ``B.2.1.3``), are unique, and topics name known workstreams."""
    streams = {w.id for w in plan.workstreams}
    seen: set[str] = set()
    for ti, topic in enumerate(plan.topics):
        where = f"{source}#/topics/{ti}"
        if topic.workstream not in streams or not topic.id.startswith(topic.workstream + "."):
            raise PlanError(
                f"topic {topic.id} does not belong to workstream {topic.workstream}", where=where
            )
        for oi, objective in enumerate(topic.objectives):
            owhere = f"{where}/objectives/{oi}"
            if objective.id.rsplit(".", 1)[0] != topic.id:
                raise PlanError(
                    f"objective {objective.id} is not under topic {topic.id}", where=owhere
                )
            for ai, activity in enumerate(objective.activities):
                awhere = f"{owhere}/activities/{ai}"
                if activity.id.rsplit(".", 1)[0] != objective.id:
                    raise PlanError(
                        f"activity {activity.id} is not under objective {objective.id}",
                        where=awhere,
                    )
                if activity.id in seen:
                    raise PlanError(f"activity {activity.id} appears twice", where=awhere)
                seen.add(activity.id)


def activity_index(plan: WorkPlan) -> dict[str, Activity]:
    """Every activity of the plan by id, in plan order."""
    return {a.id: a for t in plan.topics for o in t.objectives for a in o.activities}


def parse_status_document(document: Any, source: str, plan: WorkPlan) -> StatusFile:
    """Validate an already parsed status document against the schema and the plan's ids."""
    document = _jsonable(document)
    validate(document, "workplan-status", source=source)
    status: StatusFile = _model(StatusFile, document, source)
    known = activity_index(plan)
    for activity_id in status.activities:
        if activity_id not in known:
            raise PlanError(
                f"unknown activity id {activity_id!r} (not in the Work Plan)",
                where=f"{source}#{json_pointer(['activities', activity_id])}",
            )
    return status


def load_status(
    path: str | Path | None = None,
    plan: WorkPlan | None = None,
    settings: Settings | None = None,
) -> StatusFile:
    """Load and validate a status file (default: the packaged one). B.3.1.1 takes its status from
    the Laws Reporting Scheme's data and the store of ``settings`` (default settings if None)."""
    p = Path(path) if path is not None else default_status_path()
    status = parse_status_document(read_document(p), str(p), plan or load_plan())
    return _with_laws_progress(status, settings)


def _with_laws_progress(status: StatusFile, settings: Settings | None) -> StatusFile:
    """B.3.1.1 (the Laws Reporting Scheme) takes its status from the Scheme's own data."""
    from eauth_toolkit.laws.progress import ACTIVITY_ID, activity_status

    derived = activity_status(settings)
    if derived is None:
        return status
    activities = {**status.activities, ACTIVITY_ID: ActivityStatus(**derived)}
    return status.model_copy(update={"activities": activities})
