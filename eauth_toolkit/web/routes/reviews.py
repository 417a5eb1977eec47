"""Peer review of levels over HTTP: ``POST /api/repository/reviews``, ``GET /api/repository/levels``.

A review is a compact JWS signed by the reviewing AMS's authority, sent with a bearer token bound to
that AMS (the same envelope and checks as a submission). The entry page shows the review status
through the template function ``level_review(entry_id)``.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from eauth_toolkit.errors import EauthError
from eauth_toolkit.repository.reviews import (
    all_level_statuses,
    entry_level_status,
    load_review_policy,
    submit_review,
)
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.submission import SubmissionRefused
from eauth_toolkit.repository.trustdocs import agreement_statuses
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.routes.repository import STORE_STATE_KEY
from eauth_toolkit.web.routes.repository_api import (
    PREFIX,
    _bearer,
    _responses,
    problem_response,
    read_signed,
    refused,
    signed_body,
)
from eauth_toolkit.web.templating import templates

__all__ = ["install"]

log = logging.getLogger(__name__)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the review API (after the repository part, whose store it shares)."""
    store: RepositoryStore | None = getattr(app.state, STORE_STATE_KEY, None)
    if store is None:
        return
    repo_dir = settings.repository_dir

    def context() -> tuple[Any, Any]:
        return agreement_statuses(store), load_review_policy(repo_dir)

    router = APIRouter(prefix=PREFIX, tags=["repository"])

    @router.post(
        "/reviews",
        status_code=201,
        summary="Endorse or object to another AMS's proposed level (signed review)",
        responses=_responses(400, 401, 403, 409, 413, 422),
        openapi_extra={"requestBody": signed_body},
    )
    async def post_review(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Any:
        """The body is ``{"jws": "<compact JWS>"}`` signed by the authority of the AMS the bearer
        token is bound to (``eauth repo review`` builds one). Refusals are problem documents."""
        signed = await read_signed(request, credentials, store)
        if isinstance(signed, Response):
            return signed
        jws, ams, label = signed
        try:
            agreements, policy = context()
            receipt = await run_in_threadpool(
                lambda: submit_review(
                    store,
                    jws,
                    agreements=agreements,
                    default=policy,
                    channel="api",
                    token_ams=ams,
                    submitter=f"API token {label!r} ({ams})",
                )
            )
        except SubmissionRefused as exc:
            return refused(exc)
        return {
            "id": receipt.id,
            "submission": receipt.submission_id,
            "review": receipt.review.to_dict(),
            "status": receipt.status.to_dict(),
        }

    @router.get("/levels", summary="Proposed, assessed and agreed levels with their reviews")
    def levels(agreed: bool = False) -> Any:
        agreements, policy = context()
        statuses = all_level_statuses(store, agreements=agreements, default=policy)
        return [s.to_dict() for s in statuses.values() if s.agreed or not agreed]

    @router.get(
        "/levels/{entry_id}",
        summary="The review status of one entry's proposed level",
        responses=_responses(404),
    )
    def level(entry_id: Annotated[str, Path(max_length=120)]) -> Any:
        found = store.entry(entry_id)
        if found is None:
            return problem_response(404, "not_found", f"no entry {entry_id!r}", "/entry_id")
        agreements, policy = context()
        return entry_level_status(store, found, agreements=agreements, default=policy).to_dict()

    app.include_router(router)

    def level_review(entry_id: str) -> dict[str, Any] | None:
        """For the entry page: the review status, or None when it cannot be worked out."""
        found = store.entry(str(entry_id)[:120])
        if found is None:
            return None
        try:
            agreements, policy = context()
            return entry_level_status(store, found, agreements=agreements, default=policy).to_dict()
        except EauthError as exc:
            log.error("repository: review status of %s not shown: %s", entry_id, exc)
            return None

    templates.env.globals["level_review"] = level_review
