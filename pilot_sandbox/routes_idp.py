"""The built-in national reference IdP of each AMS: ``/ams/{code}/idp`` (SANDBOX personas).

Discovery, JWKS, PAR, token and UserInfo are the shared provider endpoints (:mod:`routes_oauth`);
here are the pages: the login form and the consent form. A sign-in request is answered once: a
successful login consumes it, and the consent session it opens belongs to this IdP only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pilot_sandbox.config import Persona
from pilot_sandbox.events import Step
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import AuthRequest, Provider
from pilot_sandbox.pages import form_fields, oauth_failure, query, redirect, render
from pilot_sandbox.sandbox import Ams, Pilot, pairwise

__all__ = ["router", "SANDBOX_PASSWORD", "achieved_acr"]

#: every sandbox persona signs in with this password (shown on the login page)
SANDBOX_PASSWORD = "sandbox"
SESSION_TTL = 600


def achieved_acr(
    acr_levels: dict[str, int], requested: list[str], essential: bool, level: int
) -> tuple[str | None, str | None]:
    """The national ``acr`` to assert for a citizen whose credential reaches ``level``, and the
    reason to refuse when an essential request cannot be met. An unmet voluntary request gets the
    highest level the citizen reached (OIDC Core 5.5.1.1)."""
    achieved = [v for v, n in acr_levels.items() if n <= level]
    reachable = [v for v in requested if v in acr_levels and acr_levels[v] <= level]
    if requested and not reachable and essential:
        known = [v for v in requested if v in acr_levels]
        return None, (
            f"the citizen's credential reaches level {level}, below the requested "
            f"{', '.join(requested)}"
            if known
            else f"none of the requested acr values {requested} is known here"
        )
    pool = reachable or achieved
    return (max(pool, key=lambda v: acr_levels[v]) if pool else None), None


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

    def login_page(request: Request, a: Ams, rid: str, error: str | None = None) -> Response:
        return render(
            request,
            "idp_login.html",
            {
                "ams": a,
                "rid": rid,
                "personas": [p.model_dump() for p in a.participant.idp.personas],
                "error": error,
                "password": SANDBOX_PASSWORD,
            },
            status=401 if error else 200,
        )

    def persona(a: Ams, username: str) -> Persona | None:
        return next((p for p in a.participant.idp.personas if p.username == username), None)

    @r.get("/ams/{code}/idp/authorize")
    async def authorize(request: Request, code: str) -> Response:
        a, idp = builtin(code)
        ev = Step(pilot.store, flow_id="", step="idp.authorize", component="idp", ams=a.code)
        try:
            params = query(request)
            ev.flow_id = params.get("eauth_flow", "")[:40]
            req = idp.parse_authorization(params)
            ev.flow_id = req.flow_id
            idp.save(req)
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return oauth_failure(request, idp, exc)
        ev.ok()
        return login_page(request, a, req.rid)

    @r.post("/ams/{code}/idp/login")
    async def login(request: Request, code: str) -> Response:
        a, idp = builtin(code)
        ev = Step(pilot.store, flow_id="", step="idp.login", component="idp", ams=a.code)
        try:
            form = await form_fields(request)
            req = idp.load(str(form.get("rid", "")))
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return oauth_failure(request, None, exc)
        ev.flow_id = req.flow_id
        username = str(form.get("username", "")).strip()
        who = persona(a, username)
        if who is None or form.get("password") != SANDBOX_PASSWORD:
            ev.fail("invalid_credentials", "wrong username or password")
            return login_page(request, a, req.rid, "Wrong username or password.")
        try:
            req = idp.take(req.rid)  # one login per request
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return oauth_failure(request, None, exc)
        acr, refusal = achieved_acr(
            a.entry.acr_levels, req.acr_values, req.acr_essential, who.level
        )
        if refusal is not None:
            ev.fail("unmet_authentication_requirements", refusal)
            return redirect(idp.error_redirect(req, "unmet_authentication_requirements", refusal))
        sid = pilot.new_id()
        pilot.store.put(
            "idpsession",
            f"{idp.kind}/{sid}",
            {"req": asdict(req), "username": username, "acr": acr},
            ttl=SESSION_TTL,
        )
        ev.ok(acr=acr)
        client = pilot.trust.current().party(req.client_id)
        return render(
            request,
            "idp_consent.html",
            {"ams": a, "sid": sid, "persona": who, "client": client},
        )

    @r.post("/ams/{code}/idp/consent")
    async def consent(request: Request, code: str) -> Response:
        a, idp = builtin(code)
        ev = Step(pilot.store, flow_id="", step="idp.consent", component="idp", ams=a.code)
        try:
            form = await form_fields(request)
            status, session = pilot.store.take(
                "idpsession", f"{idp.kind}/{str(form.get('sid', ''))[:100]}"
            )
            who = persona(a, session["username"]) if status == "ok" and session else None
            if who is None or session is None:
                raise OAuthError(
                    "invalid_request",
                    "the sign-in session is unknown, used or expired",
                    redirect=False,
                )
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return oauth_failure(request, None, exc)
        req = AuthRequest(**session["req"])
        ev.flow_id = req.flow_id
        if form.get("decision") != "allow":
            desc = "the citizen declined to share the data"
            ev.fail("access_denied", desc)
            return redirect(idp.error_redirect(req, "access_denied", desc))
        pilot.store.put(
            "consent",
            pilot.new_id(),
            {"username": who.username, "client": req.client_id, "ams": a.code},
            ttl=86400 * 30,
        )
        claims: dict[str, Any] = {
            "given_name": who.given_name,
            "family_name": who.family_name,
            "birthdate": who.birthdate.isoformat(),
        }
        sub = pairwise(idp.issuer, req.client_id, who.username)
        url = idp.code_redirect(req, sub=sub, acr=session["acr"], claims=claims)
        ev.ok()
        return redirect(url)

    return r
