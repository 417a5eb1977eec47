"""Routes of the built-in national reference IdPs: ``/ams/{code}/idp`` (:mod:`pilot_sandbox.idp`).

Discovery, JWKS, PAR, token and UserInfo are the shared provider routes (:mod:`routes_oauth`).
Handlers are plain functions, each run in one worker thread per request, away from the event loop
(:mod:`pilot_sandbox.routing`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pilot_sandbox.idp import NationalIdP
from pilot_sandbox.pages import Body, form_fields, query, respond
from pilot_sandbox.routing import PilotRoute
from pilot_sandbox.sandbox import Pilot

__all__ = ["router"]


def router(pilot: Pilot) -> APIRouter:
    r = APIRouter(tags=["pilot: national reference IdPs (sandbox)"], route_class=PilotRoute)

    def idp(code: str) -> NationalIdP:
        return NationalIdP(pilot, pilot.get(code))

    @r.get("/ams/{code}/idp/authorize")
    def authorize(request: Request, code: str) -> Response:
        return respond(request, idp(code).authorize(query(request)))

    @r.post("/ams/{code}/idp/login")
    def login(request: Request, code: str, data: Body) -> Response:
        return respond(request, idp(code).login(form_fields(request, data)))

    @r.post("/ams/{code}/idp/consent")
    def consent(request: Request, code: str, data: Body) -> Response:
        return respond(request, idp(code).consent(form_fields(request, data)))

    return r
