"""The index of the pilot's demo services (relying parties): ``/services/`` and, per AMS,
``/ams/{code}/services/``. Read from the pilot configuration the service was started with; the
recognitions from the agreements in the pilot's verified Repository List."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import add_home_link
from eauth_toolkit.web.templating import templates
from pilot_sandbox.config import load_pilot_config

__all__ = ["install"]


def install(app: FastAPI, settings: Settings) -> None:
    """Add the services index pages (all participants, and one per participating AMS)."""
    config = load_pilot_config(settings.pilot_config)
    participants = list(config.ams)
    common = {"pilot": config.pilot}

    def recognitions(request: Request) -> list[object]:
        """The recognitions of the agreements in force in the pilot's verified Repository List."""
        pilot = getattr(request.app.state, "pilot", None)
        if pilot is None:
            return []
        view = pilot.trust_list.view()
        return [r for st in view.agreements_in_force() for r in st.agreement.recognitions]

    router = APIRouter(tags=["pilot: demo services (sandbox)"])

    @router.get("/services/", response_class=HTMLResponse, summary="Index of the demo services")
    def all_services(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            "services.html",
            {
                **common,
                "recognitions": recognitions(request),
                "participants": participants,
                "only": None,
            },
        )

    @router.get(
        "/ams/{code}/services/",
        response_class=HTMLResponse,
        summary="Index of the demo services of one AMS",
    )
    def ams_services(request: Request, code: str) -> HTMLResponse:
        chosen = [p for p in participants if p.code == code.upper()]
        if not chosen:
            known = ", ".join(p.code.lower() for p in participants)
            raise HTTPException(
                status_code=404,
                detail=f"{code!r} is not a participant of this pilot (participants: {known})",
            )
        return templates.TemplateResponse(
            request,
            "services.html",
            {
                **common,
                "recognitions": recognitions(request),
                "participants": chosen,
                "only": chosen[0],
            },
        )

    app.include_router(router)
    add_home_link(app, "/services/", "Pilot services", "the demo online services of each AMS")
