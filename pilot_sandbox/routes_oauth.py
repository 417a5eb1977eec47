"""The endpoints every OpenID provider of the pilot has (national IdP, Proxy, Connector), once:
discovery (OpenID and RFC 8414), JWKS, PAR, token and UserInfo. Errors are OAuth JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from pilot_sandbox.events import Step
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import Provider
from pilot_sandbox.pages import form_fields, token_error
from pilot_sandbox.sandbox import Pilot

__all__ = ["router", "PARTS"]

PARTS = ("idp", "proxy", "connector")
_NO_STORE = {"Cache-Control": "no-store"}


def _nonce(p: Provider) -> dict[str, str]:
    """The provider's current DPoP nonce, given with every PAR and token answer (RFC 9449 8.2),
    so a client's next proof carries it without a round trip."""
    return {"DPoP-Nonce": p.dpop_nonce()} if p.fapi2 else {}


def router(pilot: Pilot) -> APIRouter:
    r = APIRouter(tags=["pilot: OpenID provider endpoints (sandbox)"])

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

    @r.get("/ams/{code}/{part}/.well-known/openid-configuration")
    @r.get("/ams/{code}/{part}/.well-known/oauth-authorization-server")
    @r.get("/.well-known/oauth-authorization-server/ams/{code}/{part}")
    @r.get("/.well-known/openid-configuration/ams/{code}/{part}")
    async def discovery(code: str, part: str) -> dict[str, Any]:
        return provider(code, part).metadata()

    @r.get("/ams/{code}/{part}/jwks")
    async def jwks(code: str, part: str) -> dict[str, Any]:
        return provider(code, part).jwks()

    @r.post("/ams/{code}/{part}/par")
    async def par(request: Request, code: str, part: str) -> Response:
        ev = Step(pilot.store, flow_id="", step=f"{part}.par", component=part, ams=code.upper())
        try:
            p = provider(code, part)
            form = await form_fields(request)
            ev.flow_id = form.get("eauth_flow", "")[:40]
            answer = p.push(form, request.headers.get("dpop"))
        except OAuthError as exc:
            if exc.status != 404 and exc.code != "use_dpop_nonce":
                ev.fail(exc.code, exc.description)
            return token_error(exc)
        ev.ok()
        return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)

    @r.post("/ams/{code}/{part}/token")
    async def token(request: Request, code: str, part: str) -> Response:
        ev = Step(pilot.store, flow_id="", step=f"{part}.token", component=part, ams=code.upper())
        try:
            p = provider(code, part)
            form = await form_fields(request)
            answer = p.token(form, request.headers.get("dpop"))
        except OAuthError as exc:
            ev.flow_id = exc.flow_id
            if exc.status != 404 and exc.code != "use_dpop_nonce":
                ev.fail(exc.code, exc.description)
            return token_error(exc)
        ev.flow_id = answer.flow_id
        ev.ok()
        return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)

    async def userinfo(request: Request, code: str, part: str) -> Response:
        p = provider(code, part)
        scheme = "DPoP" if p.fapi2 else "Bearer"
        try:
            answer = p.userinfo(
                request.headers.get("authorization", ""),
                request.headers.get("dpop"),
                request.method,
            )
        except OAuthError as exc:
            return token_error(exc, scheme=scheme)
        return JSONResponse(answer.body, headers=answer.headers)

    for method in ("GET", "POST"):  # OpenID Connect Core 5.3.1: both
        r.add_api_route(
            "/ams/{code}/{part}/userinfo",
            userinfo,
            methods=[method],
            name=f"userinfo_{method.lower()}",
        )
    return r
