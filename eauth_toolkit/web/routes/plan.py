"""Routes of the plan part: the ``/plan`` page and ``/api/plan/report`` (the JSON contract)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from eauth_toolkit.errors import EauthError
from eauth_toolkit.plan import (
    PlanReport,
    build_report,
    load_plan,
    load_status,
    parse_date,
    status_to_read,
)
from eauth_toolkit.plan.render import html_context
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import add_home_link
from eauth_toolkit.web.templating import templates

__all__ = ["install"]

AS_OF = Query(None, description="Date of the report, YYYY-MM-DD (default: today, UTC).")


def _report(status_path: Path, as_of: str | None, settings: Settings) -> PlanReport:
    try:
        when = parse_date(as_of, where="as_of") if as_of else dt.datetime.now(dt.UTC).date()
    except EauthError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    try:
        plan = load_plan()
        return build_report(
            plan, load_status(status_path, plan, settings), when, status_source=status_path.name
        )
    except EauthError as exc:  # the status file on the server is broken: say where
        raise HTTPException(status_code=500, detail=str(exc)) from None


def install(app: FastAPI, settings: Settings) -> None:
    """Add the Work Plan progress page and API to the service."""
    status_file, seeded = settings.plan_status_file, settings.plan_status is None

    def status_path() -> Path:  # the data folder's copy once `eauth plan set` has written it
        return status_to_read(status_file, seeded_from_package=seeded)

    router = APIRouter(tags=["plan"])

    @router.get("/api/plan/report", summary="Work Plan progress as of a date")
    def plan_report_api(as_of: str | None = AS_OF) -> dict[str, Any]:
        """Per topic and workstream: share of activities completed, overdue activities, CLM notes."""
        return _report(status_path(), as_of, settings).to_dict()

    @router.get("/plan", response_class=HTMLResponse, include_in_schema=False)
    def plan_page(request: Request, as_of: str | None = AS_OF) -> HTMLResponse:
        report = _report(status_path(), as_of, settings)
        return templates.TemplateResponse(request, "plan.html", html_context(report))

    app.include_router(router)
    add_home_link(
        app,
        "/plan",
        "Work Plan progress",
        "topics, activities, status and overdue (B.2, B.3 and all)",
    )
