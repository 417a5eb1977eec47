"""Routes of the repository part: the API under ``/api/repository`` and the public pages
``/repository`` (browse and filter) and ``/repository/{id}`` (one entry with its LoA explanation).

At start-up the store is migrated and, when ``settings.load_samples`` is set, each AMS sample file
whose AMS has no entries yet is signed with its SANDBOX authority key and submitted; when nothing
has been published yet the sandbox publisher key publishes a first list. All state is in the
database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from eauth_toolkit.errors import EauthError, RepositoryError
from eauth_toolkit.repository.keys import AuthorityRegistry, load_key
from eauth_toolkit.repository.models import AMS_CODES, STATUSES, TECHNOLOGY_TYPES
from eauth_toolkit.repository.publication import recover_list_file, redact
from eauth_toolkit.repository.samples import (
    AUTHORITIES_FILE,
    SERVICE_LIST_FILE,
    load_samples,
    publish_first_list,
    publisher_key_path,
)
from eauth_toolkit.repository.store import EntryFilter, RepositoryStore
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import add_home_link
from eauth_toolkit.web.routes.repository_api import build_router, problem_response
from eauth_toolkit.web.routes.trust import build_trust_router
from eauth_toolkit.web.templating import templates

__all__ = ["install", "STORE_STATE_KEY"]

log = logging.getLogger(__name__)

#: entries per page on /repository
PAGE_SIZE = 100

#: ``app.state`` attribute holding the store (an engine and the authority registry, no data)
STORE_STATE_KEY = "repository_store"

PHASE_NAMES = {
    "enrolment": "Enrolment",
    "credential_management": "Credential management",
    "authentication": "Authentication",
    "management": "Management and organisation",
}


def _open(settings: Settings) -> RepositoryStore:
    registry_path = Path(settings.repository_dir) / AUTHORITIES_FILE
    registry = (
        AuthorityRegistry.load(registry_path) if registry_path.exists() else AuthorityRegistry()
    )
    return RepositoryStore.open(settings.database_url, registry)


LIST_FILE = SERVICE_LIST_FILE


def _recover(store: RepositoryStore, settings: Settings) -> None:
    """At start: bring the published list file in line with the store after a crash."""
    out = Path(settings.data_dir) / LIST_FILE
    key_path = publisher_key_path(Path(settings.repository_dir))
    try:
        key = load_key(key_path) if key_path.exists() else None
        report = recover_list_file(store, out, key)
    except EauthError as exc:
        log.error("repository: the list file %s was not checked: %s", out, exc)
        return
    for message in report.messages():
        log.warning("repository: %s (%s)", message, out)


def _samples(store: RepositoryStore, settings: Settings) -> None:
    try:
        loaded = load_samples(store, Path(settings.repository_dir), only_missing=True)
    except EauthError as exc:
        log.error("repository sample data not loaded: %s", exc)
        return
    for item in loaded:
        if item.receipt is not None:
            log.info("repository: loaded %s (%s)", item.path.name, item.ams)
    try:
        publish_first_list(
            store, Path(settings.repository_dir), Path(settings.data_dir) / LIST_FILE
        )
    except EauthError as exc:
        log.error("repository: first sandbox list not published: %s", exc)


def _int_or_none(value: str | None, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


def _explanation(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """The LoA engine's result for the page: a level range per framework, phases, unknown facts."""
    if not details or "results" not in details:
        return None
    frameworks = []
    for key, entry in details["results"].items():
        for rid, res in entry.items():
            if not isinstance(res, dict):
                continue
            frameworks.append(
                {
                    "key": key,
                    "result": rid,
                    "label": res["label"],
                    "scope": res["scope"],
                    "phases": [
                        (PHASE_NAMES.get(k, k), v["confirmed"], v["reachable"])
                        for k, v in res["phases"].items()
                    ],
                    "unknown": res["unknown_facts"],
                    "limiting": res["limiting"],
                }
            )
    return {
        "frameworks": frameworks,
        "mapping": details.get("mapping") or {},
        "claim": details.get("claim") or {},
        "guidance_profile": details.get("guidance_profile"),
    }


def _fault_answer(_request: Request, exc: Exception) -> Response:
    """Faults of the machine (database down or read-only, disk full) as problem documents."""
    assert isinstance(exc, RepositoryError)
    status = getattr(exc, "http_status", None) or (422 if exc.code == "unstorable" else 503)
    return problem_response(status, exc.code, exc.message, exc.where)


def _unavailable(app: FastAPI, reason: str) -> None:
    """Without a store the repository's API and pages answer 503, naming the problem."""

    def answer(_request: Request, rest: str = "") -> Response:
        return problem_response(503, "store_unavailable", reason)

    for path in ("/api/repository/{rest:path}", "/repository", "/repository/{rest:path}"):
        app.add_api_route(
            path, answer, methods=["GET", "POST"], include_in_schema=False, response_model=None
        )


def install(app: FastAPI, settings: Settings) -> None:
    """Add the repository API and pages to the service."""
    app.add_exception_handler(RepositoryError, _fault_answer)
    try:
        store = _open(settings)
    except EauthError as exc:
        log.error(
            "repository: the store cannot be used, its API and pages answer 503 until this is "
            "fixed and the service restarted: %s",
            exc,
        )
        _unavailable(app, str(exc))
        return
    log.info("repository: store %s", store.engine.url.render_as_string(hide_password=True))
    setattr(app.state, STORE_STATE_KEY, store)
    _recover(store, settings)
    if settings.load_samples:
        try:
            _samples(store, settings)
        except EauthError as exc:
            log.error("repository: sample data not loaded: %s", exc)
    app.include_router(build_router(store))
    app.include_router(build_trust_router(store))

    @app.get("/repository", response_class=HTMLResponse, include_in_schema=False)
    def repository_page(
        request: Request,
        ams: Annotated[str | None, Query(max_length=2)] = None,
        type: Annotated[str | None, Query(max_length=40)] = None,  # noqa: A002
        min_loa: Annotated[str | None, Query(max_length=1)] = None,
        status: Annotated[str | None, Query(max_length=20)] = None,
        q: Annotated[str | None, Query(max_length=100)] = None,
        page: Annotated[str | None, Query(max_length=7)] = None,
    ) -> HTMLResponse:
        number = _int_or_none(page, 1, 1_000_000) or 1
        flt = EntryFilter(
            ams=ams if ams in AMS_CODES else None,
            technology_type=type if type in TECHNOLOGY_TYPES else None,
            min_loa=_int_or_none(min_loa, 0, 4),
            status=status if status in STATUSES else None,
            text=(q or "").strip() or None,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        entries = [redact(e.published()) for e in store.entries(flt)]
        matching = store.count_entries_matching(flt)
        query = {
            k: v
            for k, v in (
                ("ams", flt.ams),
                ("type", flt.technology_type),
                ("min_loa", flt.min_loa),
                ("status", flt.status),
                ("q", flt.text),
            )
            if v is not None
        }
        pages = {
            "number": number,
            "last": max(1, -(-matching // PAGE_SIZE)),
            "prev": urlencode(query | {"page": number - 1}) if number > 1 else None,
            "next": urlencode(query | {"page": number + 1})
            if number * PAGE_SIZE < matching
            else None,
        }
        return templates.TemplateResponse(
            request,
            "repository.html",
            {
                "entries": entries,
                "filters": flt,
                "q": q or "",
                "ams_codes": AMS_CODES,
                "types": TECHNOLOGY_TYPES,
                "statuses": STATUSES,
                "total": store.count_entries(),
                "matching": matching,
                "first_index": flt.offset + 1,
                "pages": pages,
                "publications": store.publications()[-1:],
            },
        )

    @app.get("/repository/{entry_id}", response_class=HTMLResponse, include_in_schema=False)
    def repository_entry_page(request: Request, entry_id: str) -> HTMLResponse:
        found = store.entry(entry_id[:120])
        if found is None:
            return templates.TemplateResponse(
                request,
                "repository_entry.html",
                {"entry": None, "entry_id": entry_id},
                status_code=404,
            )
        published = redact(found.published())
        restricted = bool((found.document.get("disclosure") or {}).get("restricted"))
        details = None if restricted else (found.assessment or {}).get("details")
        return templates.TemplateResponse(
            request,
            "repository_entry.html",
            {
                "entry": published,
                "entry_id": entry_id,
                "explanation": _explanation(details),
                "versions": store.entry_versions(found.id),
                "restricted": restricted,
            },
        )

    add_home_link(
        app,
        "/repository",
        "Collaborative Repository List",
        "e-authentication technologies of the ten AMS, with claimed and assessed levels",
    )
