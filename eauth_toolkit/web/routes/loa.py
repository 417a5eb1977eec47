"""Routes of the LoA Guidance: the Guidance document page and the assessment and mapping API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Body, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from eauth_toolkit.errors import EauthError
from eauth_toolkit.loa import assess, map_level, parse_level
from eauth_toolkit.loa.document import listed_technologies, render_html_body
from eauth_toolkit.settings import Settings

__all__ = ["install", "MAX_PROFILE_BYTES"]

#: largest technology profile accepted by ``/api/loa/assess`` (a real profile is a few KB)
MAX_PROFILE_BYTES = 256 * 1024


async def _profile_size(request: Request) -> None:
    """413 for a profile larger than :data:`MAX_PROFILE_BYTES`, said by the request or found."""
    declared = request.headers.get("content-length", "")
    if (declared.isdigit() and int(declared) > MAX_PROFILE_BYTES) or len(
        await request.body()
    ) > MAX_PROFILE_BYTES:
        raise HTTPException(
            status_code=413,
            detail=f"body: a technology profile is at most {MAX_PROFILE_BYTES // 1024} KB",
        )


def _published(settings: Settings) -> tuple[Any, ...]:
    """(technologies, agreed levels, source) of the service's latest verified Repository List;
    no technologies, and a sentence saying why, when there is none."""
    from eauth_toolkit.errors import EauthError
    from eauth_toolkit.recognition.lists import default_list, view_from_file

    try:
        view = view_from_file(default_list(settings), repository_dir=Path(settings.repository_dir))
    except EauthError as exc:
        return None, None, f"no verified Repository List ({exc.message})"
    source = f"Repository List #{view.list_sequence} (issued {view.issued_at})"
    rows = listed_technologies(view.entries.values(), source)
    return rows, (view.list_sequence, list(view.levels.values())), source


def install(app: FastAPI, settings: Settings) -> None:
    """Add ``/loa/guidance`` (HTML) and ``/api/loa/assess`` / ``/api/loa/map`` to the service."""
    from eauth_toolkit.web.app import add_home_link
    from eauth_toolkit.web.templating import templates

    @app.get("/loa/guidance", response_class=HTMLResponse, tags=["loa"])
    def guidance_page(request: Request) -> HTMLResponse:
        """The LoA Guidance: rule sets with their clauses, mappings, registered technologies and their ranges."""
        rows, agreed, source = _published(settings)
        body = render_html_body(rows, agreed=agreed, source=source)
        return templates.TemplateResponse(request, "loa_guidance.html", {"body": body})

    @app.post("/api/loa/assess", tags=["loa"], dependencies=[Depends(_profile_size)])
    def assess_profile(
        profile: dict[str, Any] = Body(..., description="A technology profile (format 2, JSON)"),
        guidance_profile: str = "default",
    ) -> dict[str, Any]:
        """Assess a profile with the eIDAS, ISO/IEC 29115 and NIST rule sets: a level range per framework."""
        try:
            return assess(profile, guidance_profile).to_dict()
        except EauthError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None

    @app.get("/api/loa/map", tags=["loa"])
    def map_loa(level: str, to: str = "eidas") -> dict[str, Any]:
        """Map ``iso29115:N`` to eIDAS or NIST SP 800-63 (a mapping, not an assessment)."""
        try:
            mappings = map_level(parse_level(level), to)
            return {
                "level": level,
                "to": to,
                "kind": "mapping",
                "mappings": [m.to_dict() for m in mappings],
            }
        except EauthError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None

    add_home_link(
        app,
        "/loa/guidance",
        "LoA Guidance",
        "eIDAS, ISO/IEC 29115 and NIST levels, assessed directly",
    )
