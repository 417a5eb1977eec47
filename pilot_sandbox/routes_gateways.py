"""Routes of the cross-border gateways: ``/ams/{a}/proxy`` and ``/ams/{b}/connector``
(:mod:`pilot_sandbox.gateways`). Handlers are plain functions, each run in one worker
thread per request, away from the event loop (:mod:`pilot_sandbox.routing`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pilot_sandbox.gateways import Connector, ProxyService
from pilot_sandbox.oidc.client import BROWSER_COOKIE
from pilot_sandbox.pages import Body, form_fields, query, respond
from pilot_sandbox.routing import PilotRoute
from pilot_sandbox.sandbox import Pilot

__all__ = ["router"]


def router(pilot: Pilot) -> APIRouter:
    r = APIRouter(tags=["pilot: cross-border gateways (sandbox)"], route_class=PilotRoute)

    @r.get("/ams/{code}/proxy/authorize")
    def proxy_authorize(request: Request, code: str) -> Response:
        proxy = ProxyService(pilot, pilot.get(code))
        return respond(
            request, proxy.authorize(query(request), request.cookies.get(BROWSER_COOKIE))
        )

    @r.get("/ams/{code}/proxy/callback")
    def proxy_callback(request: Request, code: str) -> Response:
        proxy = ProxyService(pilot, pilot.get(code))
        return respond(request, proxy.callback(query(request), request.cookies.get(BROWSER_COOKIE)))

    @r.get("/ams/{code}/connector/authorize")
    def connector_authorize(request: Request, code: str) -> Response:
        connector = Connector(pilot, pilot.get(code))
        params = query(request)
        return respond(request, connector.authorize(params, request.cookies.get(BROWSER_COOKIE)))

    @r.post("/ams/{code}/connector/choose")
    def connector_choose(request: Request, code: str, data: Body) -> Response:
        connector = Connector(pilot, pilot.get(code))
        form = form_fields(request, data)
        return respond(request, connector.choose(form, request.cookies.get(BROWSER_COOKIE)))

    @r.get("/ams/{code}/connector/callback")
    def connector_callback(request: Request, code: str) -> Response:
        connector = Connector(pilot, pilot.get(code))
        params = query(request)
        return respond(request, connector.callback(params, request.cookies.get(BROWSER_COOKIE)))

    return r
