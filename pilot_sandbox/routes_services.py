"""The demo relying parties: ``/ams/{code}/services/{service}``, "sign in with your ASEAN digital ID".

Each is a client of its own AMS's Connector; it requests at least the level its service requires (a
request may ask for more, never for less), checks the level it gets, and shows the minimum data set
it received (and refuses anything more). A callback is answered only in the browser that started the
sign-in."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eauth_toolkit.recognition import MINIMUM_DATA_SET, loa_urn, parse_loa_urn
from pilot_sandbox.config import Service
from pilot_sandbox.events import Step
from pilot_sandbox.oidc.client import BROWSER_COOKIE, RelyingParty
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.pages import browser_id, form_fields, keep_browser, query, redirect, render
from pilot_sandbox.sandbox import Ams, Pilot

__all__ = ["router"]

SESSION_TTL = 3600
_TOKEN_CLAIMS = {
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "azp",
    "at_hash",
    "sid",
}


def router(pilot: Pilot) -> APIRouter:
    r = APIRouter(tags=["pilot: demo services (sandbox)"])

    def service(code: str, sid: str) -> tuple[Ams, Service, RelyingParty]:
        b = pilot.get(code)
        for s in b.participant.services:
            if s.id == sid:
                return b, s, b.service_rps[s.id]
        raise OAuthError(
            "invalid_request", f"{b.code} has no service {sid!r}", status=404, redirect=False
        )

    def cookie(b: Ams, s: Service) -> str:
        return f"eauth_svc_{b.slug}_{s.id}"

    def page(request: Request, b: Ams, s: Service, **ctx: Any) -> Response:
        base = {
            "ams": b,
            "service": s,
            "session": None,
            "error": None,
            "levels": [1, 2, 3, 4],
            "fields": MINIMUM_DATA_SET,
        }
        base.update(ctx)
        return render(request, "service.html", base, status=400 if ctx.get("error") else 200)

    @r.get("/ams/{code}/services/{sid}")
    async def home(request: Request, code: str, sid: str) -> Response:
        b, s, _ = service(code, sid)
        session = None
        if request.cookies.get(cookie(b, s)):
            session = pilot.store.get("svcsession", request.cookies[cookie(b, s)])
        return page(request, b, s, session=session)

    @r.get("/ams/{code}/services/{sid}/jwks")
    async def jwks(code: str, sid: str) -> dict[str, Any]:
        b, s, rp = service(code, sid)
        return pilot.keys(f"{b.slug}/services/{s.id}").public_jwks()

    @r.get("/ams/{code}/services/{sid}/login")
    async def login_link(code: str, sid: str) -> Response:
        """A link (a crawler, a bookmark) starts no sign-in: back to the service page."""
        b, s, _ = service(code, sid)
        return redirect(pilot.url(b.code, "services", s.id))

    @r.post("/ams/{code}/services/{sid}/login")
    async def login(request: Request, code: str, sid: str) -> Response:
        b, s, rp = service(code, sid)
        try:
            params = await form_fields(request)
            raw = params.get("loa") or None
            if raw is not None and raw not in ("1", "2", "3", "4"):
                raise OAuthError(
                    "invalid_request", f"loa must be a level from 1 to 4, not {raw[:20]!r}"
                )
        except OAuthError as exc:
            return page(request, b, s, error=exc)
        # the service's own requirement is the floor: a request may only ask for more
        level = max(int(raw or 0), s.required_level)
        flow = uuid.uuid4().hex
        ev = Step(pilot.store, flow_id=flow, step="service.start", component="service", ams=b.code)
        browser, new = browser_id(request)
        try:
            url = await rp.authorization_url(
                data={"flow_id": flow, "level": level, "service": s.id},
                browser=browser,
                acr_values=[loa_urn(n) for n in range(level, 5)],
                extra={"eauth_flow": flow},
            )
        except OAuthError as exc:
            ev.fail(exc.code, exc.description, service=s.id, requested_level=level)
            return page(request, b, s, error=exc)
        ev.ok(service=s.id, requested_level=level)
        return keep_browser(redirect(url), browser, new)

    @r.get("/ams/{code}/services/{sid}/logout")
    async def logout(code: str, sid: str) -> Response:
        b, s, _ = service(code, sid)
        resp = redirect(pilot.url(b.code, "services", s.id))
        resp.delete_cookie(cookie(b, s), path="/")
        return resp

    @r.get("/ams/{code}/services/{sid}/callback")
    async def callback(request: Request, code: str, sid: str) -> Response:
        b, s, rp = service(code, sid)
        try:
            params = query(request)
            pending = rp.pending(params, request.cookies.get(BROWSER_COOKIE))
        except OAuthError as exc:
            Step(
                pilot.store, flow_id="", step="service.callback", component="service", ams=b.code
            ).fail(exc.code, exc.description)
            return page(request, b, s, error=exc)
        data = pending["data"]
        level = int(data["level"])
        ev = Step(
            pilot.store, flow_id=data["flow_id"], step="flow.end", component="service", ams=b.code
        )
        ev.data.update(service=s.id, requested_level=level)
        try:
            claims = await rp.complete(params, pending)
            returned = parse_loa_urn(claims.get("acr"))
            ev.data["returned_level"] = returned
            if returned is None or returned < max(level, s.required_level):
                raise OAuthError(
                    "unmet_authentication_requirements",
                    f"level {returned} was returned, {level} is required",
                )
            extra = set(claims) - set(MINIMUM_DATA_SET) - _TOKEN_CLAIMS
            if extra:
                raise OAuthError(
                    "access_denied", f"more than the minimum data set was received: {sorted(extra)}"
                )
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return page(request, b, s, error=exc)
        received = {k: claims.get(k) for k in MINIMUM_DATA_SET}
        present = [k for k, v in received.items() if v]
        session_id = pilot.new_id()
        pilot.store.put(
            "svcsession",
            session_id,
            {"claims": received, "level": returned, "flow_id": data["flow_id"]},
            ttl=SESSION_TTL,
        )
        ev.ok(
            country=claims.get("country_of_origin"),
            fields=present,
            complete=len(present) == len(MINIMUM_DATA_SET),
        )
        resp = redirect(pilot.url(b.code, "services", s.id))
        resp.set_cookie(
            cookie(b, s), session_id, httponly=True, samesite="lax", path="/", max_age=SESSION_TTL
        )
        return resp

    return r
