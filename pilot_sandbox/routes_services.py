"""Routes of the demo relying parties: ``/ams/{code}/services/{service}``
(:mod:`pilot_sandbox.services`). Handlers are plain functions, each run in one worker
thread per request, away from the event loop (:mod:`pilot_sandbox.routing`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pilot_sandbox.answers import Redirect
from pilot_sandbox.oidc.client import BROWSER_COOKIE
from pilot_sandbox.pages import Body, form_fields, query, respond
from pilot_sandbox.routing import PilotRoute
from pilot_sandbox.sandbox import Pilot
from pilot_sandbox.services import DemoService

__all__ = ["router"]


def router(pilot: Pilot) -> APIRouter:
    r = APIRouter(tags=["pilot: demo services (sandbox)"], route_class=PilotRoute)

    def service(code: str, sid: str) -> DemoService:
        return DemoService(pilot, pilot.get(code), sid)

    @r.get("/ams/{code}/services/{sid}")
    def home(request: Request, code: str, sid: str) -> Response:
        s = service(code, sid)
        return respond(request, s.home(request.cookies.get(s.cookie)))

    @r.get("/ams/{code}/services/{sid}/jwks")
    def jwks(code: str, sid: str) -> dict[str, Any]:
        return service(code, sid).jwks()

    @r.get("/ams/{code}/services/{sid}/login")
    def login_link(request: Request, code: str, sid: str) -> Response:
        """A link (a crawler, a bookmark) starts no sign-in: back to the service page."""
        return respond(request, Redirect(service(code, sid).url))

    @r.post("/ams/{code}/services/{sid}/login")
    def login(request: Request, code: str, sid: str, data: Body) -> Response:
        s = service(code, sid)
        answer = s.start(form_fields(request, data), request.cookies.get(BROWSER_COOKIE))
        return respond(request, answer)

    @r.get("/ams/{code}/services/{sid}/logout")
    def logout(request: Request, code: str, sid: str) -> Response:
        return respond(request, service(code, sid).logout())

    @r.get("/ams/{code}/services/{sid}/callback")
    def callback(request: Request, code: str, sid: str) -> Response:
        s = service(code, sid)
        return respond(request, s.callback(query(request), request.cookies.get(BROWSER_COOKIE)))

    return r
