"""REST API of the repository (``/api/repository/...``), as a FastAPI router over a store.

The routes of the trust picture (``/trust-lists``, ``/agreements``) and of peer review
(``/reviews``, ``/levels``) share the signed-body handling here (:func:`read_signed`).

* ``POST /submissions``: an AMS authority sends a signed submission (compact JWS) with a bearer
  token bound to its AMS; refusals are problem documents with the refusal code and JSON pointer.
* ``GET /entries`` (filters, paged), ``GET /entries/{id}`` (with its LoA explanation and versions).
* ``GET /audit`` (the audit trail of accepted submissions, without the JWS), ``GET /authorities``.
* ``GET /publications``, ``GET /publications/{n}`` and ``GET /list`` (the current signed list).

The router keeps no state of its own: everything is read from and written to the store.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, ValidationError

from eauth_toolkit.repository import strictjson
from eauth_toolkit.repository.models import (
    AmsCode,
    EntryStatus,
    PublishedEntry,
    TechnologyType,
)
from eauth_toolkit.repository.publication import redact
from eauth_toolkit.repository.store import EntryFilter, RepositoryStore
from eauth_toolkit.repository.submission import SubmissionRefused

__all__ = [
    "build_router",
    "read_signed",
    "refused",
    "signed_body",
    "Problem",
    "problem_response",
    "SubmissionRequest",
    "SubmissionAccepted",
    "EntryPage",
    "EntryDetail",
    "PublicationInfo",
    "AuditRecord",
]

PREFIX = "/api/repository"


class ProblemItem(BaseModel):
    where: str | None
    message: str


class Problem(BaseModel):
    """Why a request was refused: an RFC 9457 problem document (``type``, ``title``,
    ``status``, ``detail``) with the refusal reason ``code`` and ``where``, a JSON pointer."""

    type: str = "about:blank"
    title: str = ""
    status: int = 400
    detail: str = ""
    code: str
    message: str
    where: str | None = None
    problems: list[ProblemItem] = Field(default_factory=list)


def problem_response(
    status: int,
    code: str,
    message: str,
    where: str | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """An RFC 9457 problem document (``application/problem+json``)."""
    body = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=f"{where}: {message}" if where else message,
        code=code,
        message=message,
        where=where,
        problems=[ProblemItem(**p) for p in problems or []],
    )
    return JSONResponse(
        status_code=status, content=body.model_dump(), media_type="application/problem+json"
    )


class SubmissionRequest(BaseModel):
    """A submission signed by the AMS authority: a compact JWS (RFC 7515)."""

    jws: str = Field(
        min_length=1,
        max_length=8 * 1024 * 1024,
        description="Compact JWS (ES256 or EdDSA) over the submission document.",
    )


class SubmissionDiff(BaseModel):
    added: list[str]
    changed: dict[str, list[str]]
    withdrawn: list[str]
    unchanged: list[str]


class SubmissionAccepted(BaseModel):
    id: int
    ams: AmsCode
    sequence: int
    received_at: dt.datetime
    diff: SubmissionDiff


class EntryPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[PublishedEntry]


class EntryVersion(BaseModel):
    version: int
    status: EntryStatus
    assessed_level: int | None
    submission_id: int
    recorded_at: dt.datetime


class EntryDetail(BaseModel):
    entry: PublishedEntry
    assessment: dict[str, Any] | None = Field(
        description="The LoA engine's explanation: per-phase levels, limiting rules, next level."
    )
    versions: list[EntryVersion]


class AuditRecord(BaseModel):
    id: int
    ams: AmsCode
    sequence: int
    jti: str
    issued_at: dt.datetime
    received_at: dt.datetime
    authority_kid: str
    submitter: str
    channel: str
    payload_sha256: str
    diff: SubmissionDiff


class PublicationInfo(BaseModel):
    sequence_number: int
    issued_at: dt.datetime
    next_update: dt.datetime
    entry_count: int
    key_id: str
    sha256: str


class AuthorityInfo(BaseModel):
    ams: AmsCode
    name: str
    label: str
    kid: str
    jwk: dict[str, Any]


class NextSequence(BaseModel):
    ams: AmsCode
    next_sequence: int


_problem = problem_response


_PROBLEM_CONTENT = {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
}


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "content": _PROBLEM_CONTENT} for code in codes}


#: the OpenAPI request body of every signed-document route
signed_body: dict[str, Any] = {
    "required": True,
    "content": {"application/json": {"schema": SubmissionRequest.model_json_schema()}},
}

_bearer = HTTPBearer(auto_error=False, description="API token bound to one AMS authority.")


async def read_signed(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    store: RepositoryStore,
) -> tuple[str, str, str] | Response:
    """The compact JWS of a ``{"jws": "..."}`` body, with the AMS and label of the caller's bearer
    token; or the problem document that refuses the request."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        return _problem(401, "unauthenticated", "a bearer token bound to an AMS is required")
    owner = await run_in_threadpool(store.token_owner, credentials.credentials)
    if owner is None:
        return _problem(401, "unauthenticated", "unknown or revoked API token")
    max_bytes = store.policy.max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + 1024:
        return _problem(413, "oversized", f"request body larger than {max_bytes} bytes")
    raw = await request.body()
    if len(raw) > max_bytes + 1024:
        return _problem(413, "oversized", f"request body larger than {max_bytes} bytes")
    try:
        envelope = strictjson.loads(raw, max_depth=2)
    except strictjson.StrictJsonError as exc:
        return _problem(
            422, "bad_request_body", f'expected {{"jws": "..."}}: {exc.message}', where=exc.where
        )
    try:
        body = SubmissionRequest.model_validate(envelope, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/" + "/".join(str(p) for p in first["loc"]) if first["loc"] else "/"
        return _problem(
            422, "bad_request_body", f'expected {{"jws": "..."}}: {first["msg"]}', where=where
        )
    return body.jws, owner[0], owner[1]


def refused(exc: SubmissionRefused) -> Response:
    """A refused submission as a problem document (status, reason code, JSON pointer)."""
    return problem_response(
        exc.http_status, exc.code, exc.message, exc.where, exc.to_dict()["problems"]
    )


def build_router(store: RepositoryStore) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["repository"])

    @router.post(
        "/submissions",
        status_code=201,
        response_model=SubmissionAccepted,
        summary="Submit a signed change to one AMS's entries",
        responses=_responses(400, 401, 403, 409, 413, 422, 503, 507),
        openapi_extra={"requestBody": signed_body},
    )
    async def post_submission(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Any:
        """The body is ``{"jws": "<compact JWS>"}``. The JWS must be signed by the registered key
        of the AMS the bearer token is bound to, and may add, change or withdraw only that AMS's
        entries. Every refusal is a problem document naming the reason and the JSON pointer."""
        signed = await read_signed(request, credentials, store)
        if isinstance(signed, Response):
            return signed
        jws, ams, label = signed
        try:
            receipt = await run_in_threadpool(
                lambda: store.submit(
                    jws,
                    channel="api",
                    token_ams=ams,
                    submitter=f"API token {label!r} ({ams})",
                )
            )
        except SubmissionRefused as exc:
            return refused(exc)
        return SubmissionAccepted(
            id=receipt.id,
            ams=receipt.ams,  # type: ignore[arg-type]
            sequence=receipt.sequence,
            received_at=receipt.received_at,
            diff=SubmissionDiff(**receipt.diff),
        )

    @router.get("/audit", response_model=list[AuditRecord], summary="The audit trail")
    def get_submissions(ams: AmsCode | None = None) -> Any:
        """Accepted submissions, oldest first: who, when, which key, what changed."""
        return [{k: v for k, v in r.items() if k != "jws"} for r in store.submissions(ams or None)]

    @router.get(
        "/authorities/{ams}/next-sequence",
        response_model=NextSequence,
        summary="The sequence number the AMS's next submission must carry (at least)",
    )
    def next_sequence(ams: AmsCode) -> Any:
        return NextSequence(ams=ams, next_sequence=store.next_sequence(ams))

    @router.get("/authorities", response_model=list[AuthorityInfo], summary="Registered keys")
    def authorities() -> Any:
        return [
            AuthorityInfo(
                ams=a.ams,  # type: ignore[arg-type]
                name=a.name,
                label=a.label,
                kid=a.kid,
                jwk=a.key.as_dict(private=False),
            )
            for a in store.authorities.authorities.values()
        ]

    @router.get("/entries", response_model=EntryPage, summary="Entries, filtered")
    def get_entries(
        ams: AmsCode | None = None,
        min_loa: Annotated[
            int | None, Query(ge=0, le=4, description="Minimum assessed ISO/IEC 29115 level.")
        ] = None,
        type: TechnologyType | None = None,  # noqa: A002 - the public parameter name
        status: EntryStatus | None = None,
        q: Annotated[str | None, Query(max_length=100, description="Text in the name.")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> Any:
        flt = EntryFilter(
            ams=ams, min_loa=min_loa, technology_type=type, status=status, text=q or None
        )
        items = store.entries(EntryFilter(**{**flt.__dict__, "limit": limit, "offset": offset}))
        total = store.count_entries_matching(flt)
        return {
            "total": total,
            "limit": limit,
            "offset": offset,
            "items": [redact(e.published()) for e in items],
        }

    @router.get(
        "/entries/{entry_id}",
        response_model=EntryDetail,
        responses=_responses(404),
        summary="One entry with its LoA explanation and versions",
    )
    def get_entry(entry_id: Annotated[str, Path(max_length=120)]) -> Any:
        found = store.entry(entry_id)
        if found is None:
            return _problem(404, "not_found", f"no entry {entry_id!r}", where="entry_id")
        restricted = bool((found.document.get("disclosure") or {}).get("restricted"))
        details = None if restricted else (found.assessment or {}).get("details")
        versions = [
            {k: v for k, v in item.items() if k != "document"}
            for item in store.entry_versions(entry_id)
        ]
        return {
            "entry": redact(found.published()),
            "assessment": details,
            "versions": versions,
        }

    @router.get("/publications", response_model=list[PublicationInfo], summary="Published versions")
    def publications() -> Any:
        return store.publications()

    def _signed(content: bytes | None, what: str) -> Response:
        if content is None:
            return _problem(404, "not_found", what)
        return Response(content=content, media_type="application/json")

    signed_list = {
        200: {
            "description": "The signed list: a flattened JWS JSON serialization (RFC 7515).",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["protected", "payload", "signature"],
                        "properties": {
                            "protected": {"type": "string"},
                            "payload": {"type": "string"},
                            "signature": {"type": "string"},
                        },
                    }
                }
            },
        },
        404: {"model": Problem, "content": _PROBLEM_CONTENT},
    }

    @router.get(
        "/publications/{sequence_number}",
        response_class=Response,
        responses=signed_list,  # type: ignore[arg-type]
        summary="One published version of the signed list",
    )
    def publication(sequence_number: Annotated[int, Path(ge=1, le=2_000_000_000)]) -> Response:
        return _signed(
            store.publication_content(sequence_number),
            f"no published list number {sequence_number}",
        )

    @router.get(
        "/list",
        response_class=Response,
        responses=signed_list,  # type: ignore[arg-type]
        summary="The current signed Collaborative Repository List",
    )
    def current_list() -> Response:
        return _signed(store.publication_content(), "no list has been published yet")

    return router
