"""The built-in national reference IdP of each AMS: ``/ams/{code}/idp`` (SANDBOX personas)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from pilot_sandbox.events import Step
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import Provider
from pilot_sandbox.pages import form_fields, oauth_failure, redirect, render, token_error
from pilot_sandbox.sandbox import Ams, Pilot, pairwise

__all__ = ["router", "SANDBOX_PASSWORD"]

#: every sandbox persona signs in with this password (shown on the login page)
SANDBOX_PASSWORD = "sandbox"
SESSION_TTL = 600


def router(pilot: Pilot) -> APIRouter:
    r = APIRouter(tags=["pilot: national reference IdPs (sandbox)"])

    def builtin(code: str) -> tuple[Ams, Provider]:
        a = pilot.get(code)
        if a.idp is None:
            raise OAuthError(
                "invalid_request",
                f"{a.code} uses an external identity provider",
                status=404,
                redirect=False,
            )
        return a, a.idp

    def _persona_list(a: Ams) -> list[dict[str, Any]]:
        return [p.model_dump() for p in a.participant.idp.personas]

    @r.get("/ams/{code}/idp/.well-known/openid-configuration")
    async def discovery(code: str) -> dict[str, Any]:
        return builtin(code)[1].metadata()

    @r.get("/ams/{code}/idp/jwks")
    async def jwks(code: str) -> dict[str, Any]:
        return builtin(code)[1].jwks()

    @r.get("/ams/{code}/idp/authorize")
    async def authorize(request: Request, code: str) -> Response:
        params = dict(request.query_params)
        a, idp = builtin(code)
        ev = Step(
            pilot.store,
            flow_id=params.get("eauth_flow", "")[:40],
            step="idp.authorize",
            component="idp",
            ams=a.code,
        )
        try:
            req = idp.parse_authorization(params)
            idp.save(req)
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return oauth_failure(request, idp, exc)
        ev.ok()
        return render(
            request,
            "idp_login.html",
            {
                "ams": a,
                "rid": req.rid,
                "personas": _persona_list(a),
                "error": None,
                "password": SANDBOX_PASSWORD,
            },
        )

    @r.post("/ams/{code}/idp/login")
    async def login(request: Request, code: str) -> Response:
        form = await form_fields(request)
        a, idp = builtin(code)
        try:
            req = idp.load(str(form.get("rid", "")))
        except OAuthError as exc:
            Step(pilot.store, flow_id="", step="idp.login", component="idp", ams=a.code).fail(
                exc.code, exc.description
            )
            return oauth_failure(request, None, exc)
        ev = Step(pilot.store, flow_id=req.flow_id, step="idp.login", component="idp", ams=a.code)
        username = str(form.get("username", "")).strip()
        persona = next((p for p in a.participant.idp.personas if p.username == username), None)
        if persona is None or form.get("password") != SANDBOX_PASSWORD:
            ev.fail("invalid_credentials", "wrong username or password")
            return render(
                request,
                "idp_login.html",
                {
                    "ams": a,
                    "rid": req.rid,
                    "personas": _persona_list(a),
                    "error": "Wrong username or password.",
                    "password": SANDBOX_PASSWORD,
                },
                status=401,
            )
        entry = a.entry
        if req.acr_values:
            known = [v for v in req.acr_values if entry.iso_of_national(v) is not None]
            reachable = [v for v in known if entry.acr_levels[v] <= persona.level]
        else:
            known, reachable = [], [v for v, n in entry.acr_levels.items() if n <= persona.level]
        if req.acr_values and not reachable and req.acr_essential:
            desc = (
                f"the citizen's credential reaches level {persona.level}, below the requested "
                f"{', '.join(req.acr_values)}"
                if known
                else f"none of the requested acr values {req.acr_values} is known here"
            )
            ev.fail("unmet_authentication_requirements", desc)
            return redirect(idp.error_redirect(req, "unmet_authentication_requirements", desc))
        acr = max(reachable, key=lambda v: entry.acr_levels[v]) if reachable else None
        sid = pilot.new_id()
        pilot.store.put(
            "idpsession", sid, {"rid": req.rid, "username": username, "acr": acr}, ttl=SESSION_TTL
        )
        ev.ok(acr=acr)
        client = pilot.trust.current().party(req.client_id)
        return render(
            request,
            "idp_consent.html",
            {"ams": a, "sid": sid, "persona": persona, "client": client},
        )

    @r.post("/ams/{code}/idp/consent")
    async def consent(request: Request, code: str) -> Response:
        form = await form_fields(request)
        a, idp = builtin(code)
        status, session = pilot.store.take("idpsession", str(form.get("sid", "")))
        if status != "ok" or session is None:
            exc = OAuthError(
                "invalid_request", "the sign-in session is unknown, used or expired", redirect=False
            )
            Step(pilot.store, flow_id="", step="idp.consent", component="idp", ams=a.code).fail(
                exc.code, exc.description
            )
            return oauth_failure(request, None, exc)
        try:
            req = idp.load(session["rid"])
        except OAuthError as exc:
            return oauth_failure(request, None, exc)
        ev = Step(pilot.store, flow_id=req.flow_id, step="idp.consent", component="idp", ams=a.code)
        if form.get("decision") != "allow":
            desc = "the citizen declined to share the data"
            ev.fail("access_denied", desc)
            return redirect(idp.error_redirect(req, "access_denied", desc))
        persona = next(p for p in a.participant.idp.personas if p.username == session["username"])
        pilot.store.put(
            "consent",
            pilot.new_id(),
            {"username": persona.username, "client": req.client_id, "ams": a.code},
            ttl=86400 * 30,
        )
        claims = {
            "given_name": persona.given_name,
            "family_name": persona.family_name,
            "birthdate": persona.birthdate.isoformat(),
        }
        sub = pairwise(idp.issuer, req.client_id, persona.username)
        url = idp.code_redirect(req, sub=sub, acr=session["acr"], claims=claims)
        ev.ok()
        return redirect(url)

    @r.post("/ams/{code}/idp/token")
    async def token(request: Request, code: str) -> JSONResponse:
        form = await form_fields(request)
        a, idp = builtin(code)
        ev = Step(pilot.store, flow_id="", step="idp.token", component="idp", ams=a.code)
        try:
            body, data = idp.token(form)
        except OAuthError as exc:
            ev.flow_id = exc.flow_id
            ev.fail(exc.code, exc.description)
            return token_error(exc)
        ev.flow_id = data.get("flow_id") or ""
        ev.ok()
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return r
