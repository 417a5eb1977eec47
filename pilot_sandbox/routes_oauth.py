"""The endpoints every OpenID provider of the pilot has (national IdP, Proxy, Connector), once:
discovery (OpenID and RFC 8414), JWKS, PAR, token and UserInfo. Errors are OAuth JSON (the one
mapping in :func:`pilot_sandbox.pages.error_response`). Handlers are plain functions, each
run in one worker thread per request, away from the event loop (:mod:`pilot_sandbox.routing`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pilot_sandbox.events import Step
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import Provider
from pilot_sandbox.pages import Body, form_fields, protocol_response
from pilot_sandbox.routing import PilotRoute
from pilot_sandbox.sandbox import Pilot

__all__ = ["router", "PARTS"]

PARTS = ("idp", "proxy", "connector")


def router(pilot: Pilot) -> APIRouter:
    r = APIRouter(tags=["pilot: OpenID provider endpoints (sandbox)"], route_class=PilotRoute)

    def provider(code: str, part: str) -> Provider:
        if part not in PARTS:
            raise OAuthError("invalid_request", f"no provider {part!r}", status=404, redirect=False)
        a = pilot.get(code)
        p = {"idp": a.idp, "proxy": a.proxy, "connector": a.connector}[part]
        if p is None:
            raise OAuthError(
                "invalid_request",
                f"{a.code} uses an external identity provider",
                status=404,
                redirect=False,
            )
        return p

    def step(code: str, part: str, endpoint: str) -> Step:
        return Step(
            pilot.store, flow_id="", step=f"{part}.{endpoint}", component=part, ams=code.upper()
        )

    @r.get("/ams/{code}/{part}/.well-known/openid-configuration")
    @r.get("/ams/{code}/{part}/.well-known/oauth-authorization-server")
    @r.get("/.well-known/oauth-authorization-server/ams/{code}/{part}")
    @r.get("/.well-known/openid-configuration/ams/{code}/{part}")
    def discovery(code: str, part: str) -> dict[str, Any]:
        return provider(code, part).metadata()

    @r.get("/ams/{code}/{part}/jwks")
    def jwks(code: str, part: str) -> dict[str, Any]:
        return provider(code, part).jwks()

    @r.post("/ams/{code}/{part}/par")
    def par(request: Request, code: str, part: str, data: Body) -> Response:
        with step(code, part, "par") as ev:
            p = provider(code, part)
            form = form_fields(request, data)
            ev.flow_id = form.get("eauth_flow", "")[:40]
            answer = p.push(form, request.headers.get("dpop"))
            ev.ok()
        return protocol_response(answer)

    @r.post("/ams/{code}/{part}/token")
    def token(request: Request, code: str, part: str, data: Body) -> Response:
        with step(code, part, "token") as ev:
            p = provider(code, part)
            answer = p.token(form_fields(request, data), request.headers.get("dpop"))
            ev.flow_id = answer.flow_id
            ev.ok()
        return protocol_response(answer)

    def userinfo(request: Request, code: str, part: str) -> Response:
        p = provider(code, part)
        answer = p.userinfo(
            request.headers.get("authorization", ""), request.headers.get("dpop"), request.method
        )
        return protocol_response(answer)

    for method in ("GET", "POST"):  # OpenID Connect Core 5.3.1: both
        r.add_api_route(
            "/ams/{code}/{part}/userinfo",
            userinfo,
            methods=[method],
            name=f"userinfo_{method.lower()}",
        )
    return r
