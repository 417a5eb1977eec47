"""Routes of the signatures part: ``POST /api/signatures/verify`` and the ``/signatures/check`` page.

Both run the same validator as ``eauth sig verify`` (offline, with the repository's trust lists)
and return the same verdict contract (``schemas/signature-report.schema.json``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi import APIRouter, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse

from eauth_toolkit.ams import AMS_CODES
from eauth_toolkit.errors import EauthError, RecognitionError
from eauth_toolkit.repository.samples import SERVICE_LIST_FILE
from eauth_toolkit.settings import Settings
from eauth_toolkit.signatures.api import detect_format, verify
from eauth_toolkit.signatures.levels import TrustSet
from eauth_toolkit.signatures.models import FileReport
from eauth_toolkit.signatures.pades import ValidationOptions
from eauth_toolkit.signatures.trustlist import TrustList
from eauth_toolkit.web.app import add_home_link
from eauth_toolkit.web.templating import templates

__all__ = ["install", "MAX_UPLOAD"]

#: largest upload accepted (bytes)
MAX_UPLOAD = 50 * 1024 * 1024
_AMS_CODES = ("", *AMS_CODES)


class _Options:
    """Trust lists and recognition caps come from the service's own published Repository List
    (verified, reloaded when a newer list is written, the last good one kept); with no published
    list there is nothing to check against, and the check says so. Options are built once per AMS
    and list."""

    def __init__(self, settings: Settings) -> None:
        self._repo = settings.repository_dir
        self._list_file = settings.data_dir / SERVICE_LIST_FILE
        self._source: Any = None
        self._lists: list[TrustList] | None = None
        self._by_ams: dict[tuple[int, str | None], ValidationOptions] = {}
        self._sequence = 0
        self._caps: Any = None
        self._lock = threading.Lock()

    def _from_list(self) -> int:
        from eauth_toolkit.recognition.lists import default_publisher_key_path
        from eauth_toolkit.recognition.trust import TrustSource
        from eauth_toolkit.repository.keys import AuthorityRegistry, load_key

        if self._source is None:
            key_path = default_publisher_key_path(self._repo)
            self._source = TrustSource(
                self._list_file,
                load_key(key_path),
                authorities=AuthorityRegistry.load(self._repo / "authorities.json"),
            )
        view = self._source.current()
        if view.list_sequence != self._sequence:
            self._lists = view.trust_lists(self._repo)
            self._caps = view.signature_caps()
            self._sequence = view.list_sequence
        return view.list_sequence

    def get(self, ams: str | None) -> ValidationOptions:
        with self._lock:
            if not self._list_file.exists():
                raise RecognitionError(
                    "no Repository List has been published on this service, so no trust list "
                    "is known: load the samples or publish a list first",
                    where=str(self._list_file),
                )
            number = self._from_list()
            caps = self._caps
            assert self._lists is not None
            if (number, ams) not in self._by_ams:
                trust = TrustSet.for_ams(self._lists, ams, caps)
                self._by_ams[(number, ams)] = ValidationOptions(trust=trust)
            return self._by_ams[(number, ams)]


def _ams(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    if code not in _AMS_CODES:
        raise HTTPException(status_code=422, detail=f"ams: unknown AMS code {value!r}")
    return code or None


async def _read_upload(upload: UploadFile) -> bytes:
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HTTPException(
            status_code=413, detail=f"file: larger than {MAX_UPLOAD // (1024 * 1024)} MB"
        )
    if not data:
        raise HTTPException(status_code=422, detail="file: empty upload")
    if detect_format(data[:1024]) is None:
        raise HTTPException(
            status_code=415,
            detail=f"file: {upload.filename or 'upload'} is not a signed PDF, CMS, JWS or XML "
            f"document or an ASiC container (sent as {upload.content_type or 'no type'})",
        )
    return data


async def _read_data(uploads: list[UploadFile] | None, budget: int) -> dict[str, bytes]:
    """The signed files of a detached signature (field ``data``, repeatable), by file name."""
    out: dict[str, bytes] = {}
    for i, upload in enumerate(uploads or []):
        name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        if not name:
            raise HTTPException(status_code=422, detail=f"data[{i}]: a file without a name")
        if name in out:
            raise HTTPException(status_code=422, detail=f"data[{i}]: a second file named {name}")
        content = await upload.read(budget + 1)
        budget -= len(content)
        if budget < 0:
            raise HTTPException(
                status_code=413,
                detail=f"data[{i}]: the files together are larger than {MAX_UPLOAD // (1024 * 1024)} MB",
            )
        out[name] = content
    return out


def install(app: FastAPI, settings: Settings) -> None:
    """Add the signature check API and page to the service."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).addHandler(logging.NullHandler())
    options = _Options(settings)
    router = APIRouter(tags=["signatures"])

    def _check(
        data: bytes, filename: str, ams: str | None, signed: dict[str, bytes] | None = None
    ) -> FileReport:
        try:
            opts = options.get(ams)
        except EauthError as exc:  # the trust lists on the server are broken: say which
            raise HTTPException(status_code=503, detail=str(exc)) from None
        return verify(data, opts, name=filename, data=signed or None)

    @router.post(
        "/api/signatures/verify",
        summary="Validate the signatures of an uploaded document",
        response_model=FileReport,
    )
    async def verify_api(
        file: UploadFile = File(
            ..., description="signed PDF, CMS (CAdES), JWS (JAdES), XML (XAdES) or ASiC container"
        ),
        ams: str | None = Form(None, description="evaluate as recognised in this AMS (e.g. MY)"),
        data: list[UploadFile] | None = File(
            None,
            description="the signed files of a detached signature (repeatable), matched by file name",
        ),
    ) -> dict[str, Any]:
        """ETSI EN 319 102-1 indication, level (QES/AdES-QC/AdES/SES), baseline and trust per signature."""
        content = await _read_upload(file)
        signed = await _read_data(data, MAX_UPLOAD - len(content))
        from starlette.concurrency import run_in_threadpool

        report = await run_in_threadpool(
            _check, content, file.filename or "upload", _ams(ams), signed
        )
        return report.model_dump(mode="json")

    @router.get("/signatures/check", response_class=HTMLResponse, include_in_schema=False)
    def check_page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "signatures_check.html", {"report": None, "ams_codes": _AMS_CODES, "ams": ""}
        )

    @router.post("/signatures/check", response_class=HTMLResponse, include_in_schema=False)
    async def check_submit(
        request: Request,
        file: UploadFile = File(...),
        ams: str | None = Form(None),
        data: list[UploadFile] | None = File(None),
    ) -> HTMLResponse:
        try:
            content = await _read_upload(file)
            signed = await _read_data(
                [d for d in data or [] if d.filename], MAX_UPLOAD - len(content)
            )
            code = _ams(ams)
        except HTTPException as exc:  # the form again, saying what was wrong
            return templates.TemplateResponse(
                request,
                "signatures_check.html",
                {"report": None, "ams_codes": _AMS_CODES, "ams": "", "problem": exc.detail},
                status_code=exc.status_code,
            )
        from starlette.concurrency import run_in_threadpool

        report = await run_in_threadpool(_check, content, file.filename or "upload", code, signed)
        return templates.TemplateResponse(
            request,
            "signatures_check.html",
            {"report": report, "ams_codes": _AMS_CODES, "ams": code or ""},
        )

    app.include_router(router)
    add_home_link(
        app,
        "/signatures/check",
        "Check a signature",
        "upload a signed PDF, XML, JSON, CMS file or ASiC container: ETSI verdict, level"
        " (QES-equivalent, AdES, SES) and AMS trust",
    )
