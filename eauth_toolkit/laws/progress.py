"""Progress of Work Plan activity B.3.1.1 (the Laws Reporting Scheme), taken from the Scheme's data.

Only plans and reports that are not SANDBOX documents count: the activity is ``not_started`` while no
AMS has submitted a national plan, ``in_progress`` once one has, ``completed`` when all ten AMS have a
plan and an annual report for the year. The store is read without migrating it; a store that does
not exist yet holds no plans.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from eauth_toolkit.settings import Settings

__all__ = ["ACTIVITY_ID", "activity_status", "activity_status_from"]

ACTIVITY_ID = "B.3.1.1"


def activity_status_from(
    law_ams: int, plans: list[dict[str, Any]], reports: list[dict[str, Any]], today: dt.date
) -> dict[str, Any]:
    """The activity's status entry (the plan's ``ActivityStatus`` fields); pure."""
    real_plans = {p["ams"] for p in plans if not p.get("sandbox")}
    real_reports = {r["ams"] for r in reports if not r.get("sandbox") and r["year"] == today.year}
    sandbox = sum(1 for p in plans if p.get("sandbox")) + sum(
        1 for r in reports if r.get("sandbox")
    )
    if len(real_plans) == 10 and len(real_reports) == 10:
        status = "completed"
    elif real_plans:
        status = "in_progress"
    else:
        status = "not_started"
    evidence = (
        f"Laws Reporting Scheme data: law data for {law_ams} of 10 AMS; national plans from "
        f"{len(real_plans)} of 10 AMS; annual reports for {today.year} from {len(real_reports)} of 10 AMS"
        + (f" ({sandbox} SANDBOX plans and reports not counted)" if sandbox else "")
        + ". See `eauth laws report` or /laws."
    )
    return {
        "status": status,
        "evidence": evidence,
        "date": today,
        "implemented_by": ["eauth laws validate", "eauth laws submit", "eauth laws report"],
    }


def _stored(settings: Settings) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from sqlalchemy.exc import SQLAlchemyError

    from eauth_toolkit.db import make_engine
    from eauth_toolkit.laws.store import LawsStore
    from eauth_toolkit.repository.keys import AuthorityRegistry

    url = settings.database_url
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).exists():
        return [], []
    engine = make_engine(url)
    try:
        store = LawsStore(engine, AuthorityRegistry())
        return store.plans(), store.reports()
    except SQLAlchemyError:
        return [], []
    finally:
        engine.dispose()


def activity_status(
    settings: Settings | None = None, today: dt.date | None = None
) -> dict[str, Any] | None:
    """B.3.1.1's status from the law data and the store, or None when the law data cannot be read."""
    from eauth_toolkit.errors import EauthError
    from eauth_toolkit.laws.data import default_laws_dir, load_law_data

    settings = settings or Settings()
    try:
        data = load_law_data(default_laws_dir(settings))
    except EauthError:
        return None
    plans, reports = _stored(settings)
    return activity_status_from(
        len(data.ams), plans, reports, today or dt.datetime.now(dt.UTC).date()
    )
