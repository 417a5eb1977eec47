"""Routes of the Laws Reporting Scheme: the ``/laws`` page and the API under ``/api/laws``.

``POST /api/laws/submissions`` takes ``{"jws": "<compact JWS>"}`` with the same bearer token as
Repository List submissions (bound to one AMS authority); plans and reports are checked by the
same mechanism. At start-up, with ``settings.load_samples``, the SANDBOX plans and reports are
signed with the SANDBOX authority keys and submitted once.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from eauth_toolkit.errors import EauthError
from eauth_toolkit.laws.data import default_laws_dir, load_law_data
from eauth_toolkit.laws.report import build_report, render_html_fragment
from eauth_toolkit.laws.samples import load_sandbox_documents
from eauth_toolkit.laws.store import HTTP_STATUS, LawsStore
from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.samples import AUTHORITIES_FILE
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import add_home_link
from eauth_toolkit.web.templating import templates

__all__ = ["install"]

log = logging.getLogger(__name__)
_bearer = HTTPBearer(auto_error=False, description="API token bound to one AMS authority.")
AS_OF = Query(
    None, max_length=10, description="Date of the report, YYYY-MM-DD (default: today, UTC)."
)
YEAR = Query(
    None,
    ge=2021,
    le=2100,
    description="Year whose annual reports are expected (default: the year of as_of).",
)


class JwsBody(BaseModel):
    jws: str


def _problem(status: int, code: str, message: str, where: str | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        media_type="application/problem+json",
        content={
            "type": "about:blank",
            "title": code,
            "status": status,
            "code": code,
            "detail": message,
            "where": where,
        },
    )


def _date(value: str | None) -> dt.date | JSONResponse:
    if not value:
        return dt.datetime.now(dt.UTC).date()
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        return _problem(422, "bad_date", f"{value!r} is not a date in the form YYYY-MM-DD", "as_of")


def install(app: FastAPI, settings: Settings) -> None:
    """Add the Scheme's page and API to the service."""
    registry_path = Path(settings.repository_dir) / AUTHORITIES_FILE
    registry = (
        AuthorityRegistry.load(registry_path) if registry_path.exists() else AuthorityRegistry()
    )
    store = LawsStore.open(settings.database_url, registry)
    laws_dir = default_laws_dir(settings)
    if settings.load_samples:
        try:
            load_sandbox_documents(store, laws_dir, Path(settings.repository_dir))
        except EauthError as exc:
            log.error("laws: sandbox plans and reports not loaded: %s", exc)
    router = APIRouter(prefix="/api/laws", tags=["laws"])

    def _report(as_of: dt.date, year: int | None) -> dict[str, Any]:
        return build_report(
            load_law_data(laws_dir), store.plans(), store.reports(), as_of, year=year
        )

    @router.get("/report", summary="The alignment report as of a date")
    def report_api(as_of: str | None = AS_OF, year: int | None = YEAR) -> Any:
        """Per AMS and provision: alignment with source; missing plans and reports; overdue
        measures; the Article 7.2(a) transition; the ASEAN summary counts."""
        when = _date(as_of)
        if isinstance(when, JSONResponse):
            return when
        return _report(when, year)

    @router.get("/ams/{ams}", summary="One AMS's law data (as filed, with sources)")
    def ams_api(ams: str) -> Any:
        if ams not in AMS_CODES:
            return _problem(404, "unknown_ams", f"{ams!r} is not an ASEAN Member State code", "ams")
        doc = load_law_data(laws_dir).ams.get(ams)
        if doc is None:
            return _problem(404, "no_law_data", f"no law data for {ams}", "ams")
        return doc

    @router.get("/plans", summary="National plans with each measure's current status")
    def plans_api(ams: str | None = Query(None, max_length=2)) -> Any:
        if ams is not None and ams not in AMS_CODES:
            return _problem(422, "unknown_ams", f"{ams!r} is not an ASEAN Member State code", "ams")
        return {"plans": store.plans(ams), "reports": store.reports(ams)}

    @router.get("/audit", summary="The audit trail of accepted plans and reports")
    def audit_api(ams: str | None = Query(None, max_length=2)) -> Any:
        return store.submissions(ams if ams in AMS_CODES else None)

    @router.post(
        "/submissions", status_code=201, summary="Submit a signed national plan or annual report"
    )
    async def submit_api(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Any:
        """The body is ``{"jws": "<compact JWS>"}``, signed by the authority of the AMS the bearer
        token is bound to. Every refusal is a problem document with the reason and the pointer."""
        repo = getattr(request.app.state, "repository_store", None)
        if credentials is None or credentials.scheme.lower() != "bearer" or repo is None:
            return _problem(401, "unauthenticated", "a bearer token bound to an AMS is required")
        owner = await run_in_threadpool(repo.token_owner, credentials.credentials)
        if owner is None:
            return _problem(401, "unauthenticated", "unknown or revoked API token")
        raw = await request.body()
        if len(raw) > store.policy.max_bytes + 1024:
            return _problem(
                413, "oversized", f"request body larger than {store.policy.max_bytes} bytes"
            )
        try:
            body = JwsBody.model_validate_json(raw)
        except ValidationError as exc:
            return _problem(
                422, "bad_request_body", f'expected {{"jws": "..."}}: {exc.errors()[0]["msg"]}', "/"
            )
        ams, label = owner
        try:
            receipt = await run_in_threadpool(
                lambda: store.submit(
                    body.jws, channel="api", token_ams=ams, submitter=f"API token {label!r} ({ams})"
                )
            )
        except SubmissionRefused as exc:
            return _problem(
                HTTP_STATUS.get(exc.code, exc.http_status), exc.code, exc.message, exc.where
            )
        return {
            "id": receipt.id,
            "ams": receipt.ams,
            "kind": receipt.kind,
            "sequence": receipt.sequence,
            "diff": receipt.diff,
        }

    @app.get("/laws", response_class=HTMLResponse, include_in_schema=False)
    def laws_page(request: Request, as_of: str | None = AS_OF, year: int | None = YEAR) -> Any:
        when = _date(as_of)
        if isinstance(when, JSONResponse):
            return when
        result = _report(when, year)
        return templates.TemplateResponse(
            request, "laws.html", {"report": result, "fragment": render_html_fragment(result)}
        )

    app.include_router(router)
    add_home_link(
        app,
        "/laws",
        "Laws Reporting Scheme",
        "e-signature laws per AMS, UNCITRAL alignment, plans and reports (B.3.1)",
    )
