"""The built-in national reference IdP of one AMS (SANDBOX personas): the login and consent pages.

Discovery, JWKS, PAR, token and UserInfo are the provider's (:mod:`pilot_sandbox.oidc.provider`).
A sign-in request is answered once: a successful login consumes it, and the consent session it
opens belongs to this IdP only. Policy kept here: who the personas are, the level their credential
reaches and the national ``acr`` asserted for it."""

from __future__ import annotations

from typing import Any

from pilot_sandbox.answers import Answer, Page, Redirect
from pilot_sandbox.config import Persona
from pilot_sandbox.events import Step
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import AuthRequest, Provider
from pilot_sandbox.sandbox import Ams, Pilot, pairwise

__all__ = ["NationalIdP", "SANDBOX_PASSWORD", "achieved_acr"]

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


class NationalIdP:
    """The pages of AMS ``ams``'s built-in IdP; each method answers one browser request."""

    def __init__(self, pilot: Pilot, ams: Ams) -> None:
        if ams.idp is None:
            raise OAuthError(
                "invalid_request",
                f"{ams.code} uses an external identity provider",
                status=404,
                redirect=False,
            )
        self.pilot = pilot
        self.ams = ams
        self.provider: Provider = ams.idp

    def _step(self, name: str) -> Step:
        return Step(
            self.pilot.store, flow_id="", step=f"idp.{name}", component="idp", ams=self.ams.code
        )

    def _login_page(self, rid: str, error: str | None = None) -> Page:
        return Page(
            "idp_login.html",
            {
                "ams": self.ams,
                "rid": rid,
                "personas": [p.model_dump() for p in self.ams.participant.idp.personas],
                "error": error,
                "password": SANDBOX_PASSWORD,
            },
            status=401 if error else 200,
        )

    def _persona(self, username: str) -> Persona | None:
        return next((p for p in self.ams.participant.idp.personas if p.username == username), None)

    def authorize(self, params: dict[str, str]) -> Answer:
        """The authorization endpoint: a valid request is kept and the login page shown."""
        with self._step("authorize") as ev, self.provider.answering():
            ev.flow_id = params.get("eauth_flow", "")[:40]
            req = self.provider.parse_authorization(params)
            ev.flow_id = req.flow_id
            self.provider.save(req)
            ev.ok()
        return self._login_page(req.rid)

    def login(self, form: dict[str, str]) -> Answer:
        """The login form: the persona signs in; the request is consumed and consent asked."""
        with self._step("login") as ev:
            req = self.provider.load(str(form.get("rid", "")))
            ev.flow_id = req.flow_id
            username = str(form.get("username", "")).strip()
            who = self._persona(username)
            if who is None or form.get("password") != SANDBOX_PASSWORD:
                ev.fail("invalid_credentials", "wrong username or password")
                return self._login_page(req.rid, "Wrong username or password.")
            req = self.provider.take(req.rid)  # one login per request
            with self.provider.answering(req):
                acr, refusal = achieved_acr(
                    self.ams.entry.acr_levels, req.acr_values, req.acr_essential, who.level
                )
                if refusal is not None:
                    raise OAuthError("unmet_authentication_requirements", refusal)
            sid = self.pilot.new_id()
            self.pilot.store.put(
                "idpsession",
                f"{self.provider.kind}/{sid}",
                {"req": req.as_dict(), "username": username, "acr": acr},
                ttl=SESSION_TTL,
            )
            ev.ok(acr=acr)
        client = self.pilot.trust.current().party(req.client_id)
        return Page(
            "idp_consent.html", {"ams": self.ams, "sid": sid, "persona": who, "client": client}
        )

    def consent(self, form: dict[str, str]) -> Answer:
        """The consent form: allowed, the client gets a code; declined, ``access_denied``."""
        with self._step("consent") as ev:
            status, session = self.pilot.store.take(
                "idpsession", f"{self.provider.kind}/{str(form.get('sid', ''))[:100]}"
            )
            who = self._persona(session["username"]) if status == "ok" and session else None
            if who is None or session is None:
                raise OAuthError(
                    "invalid_request",
                    "the sign-in session is unknown, used or expired",
                    redirect=False,
                )
            req = AuthRequest(**session["req"])
            ev.flow_id = req.flow_id
            with self.provider.answering(req):
                if form.get("decision") != "allow":
                    raise OAuthError("access_denied", "the citizen declined to share the data")
            self.pilot.store.put(
                "consent",
                self.pilot.new_id(),
                {"username": who.username, "client": req.client_id, "ams": self.ams.code},
                ttl=86400 * 30,
            )
            claims: dict[str, Any] = {
                "given_name": who.given_name,
                "family_name": who.family_name,
                "birthdate": who.birthdate.isoformat(),
            }
            sub = pairwise(self.provider.issuer, req.client_id, who.username)
            url = self.provider.code_redirect(req, sub=sub, acr=session["acr"], claims=claims)
            ev.ok()
        return Redirect(url)
