"""The demo relying parties: ``/ams/{code}/services/{service}``, "sign in with your ASEAN digital ID".

Each is a client of its own AMS's Connector; it requests at least the level its service requires (a
request may ask for more, never for less), checks the level it gets, and shows the minimum data set
it received (and refuses anything more). A callback is answered only in the browser that started the
sign-in. :class:`DemoService` answers plain values and is called without a server."""

from __future__ import annotations

import uuid
from typing import Any

from eauth_toolkit.recognition import MINIMUM_DATA_SET, loa_urn, parse_loa_urn
from pilot_sandbox.answers import Answer, Cookie, Page, Redirect, browser_binding
from pilot_sandbox.config import Service
from pilot_sandbox.events import Step
from pilot_sandbox.oidc.client import RelyingParty
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.sandbox import Ams, Pilot, is_country_code

__all__ = ["DemoService"]

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


class DemoService:
    """One demo service of AMS ``ams``; each method answers one browser request."""

    def __init__(self, pilot: Pilot, ams: Ams, service_id: str) -> None:
        found = next((s for s in ams.participant.services if s.id == service_id), None)
        if found is None:
            raise OAuthError(
                "invalid_request",
                f"{ams.code} has no service {service_id!r}",
                status=404,
                redirect=False,
            )
        self.pilot = pilot
        self.ams = ams
        self.service: Service = found
        self.rp: RelyingParty = ams.service_rps[found.id]

    @property
    def cookie(self) -> str:
        """The service's own session cookie."""
        return f"eauth_svc_{self.ams.slug}_{self.service.id}"

    @property
    def url(self) -> str:
        return self.pilot.url(self.ams.code, "services", self.service.id)

    def _step(self, name: str, flow_id: str = "") -> Step:
        return Step(
            self.pilot.store, flow_id=flow_id, step=name, component="service", ams=self.ams.code
        )

    def page(self, *, session: Any = None, error: OAuthError | None = None) -> Page:
        return Page(
            "service.html",
            {
                "ams": self.ams,
                "service": self.service,
                "session": session,
                "error": error,
                "levels": [1, 2, 3, 4],
                "fields": MINIMUM_DATA_SET,
                "countries": [
                    {"code": c, "name": self.pilot.ams[c].participant.name}
                    for c in self.pilot.other(self.ams.code)
                ],
            },
            status=400 if error else 200,
        )

    def home(self, session_cookie: str | None) -> Answer:
        session = self.pilot.store.get("svcsession", session_cookie) if session_cookie else None
        return self.page(session=session)

    def jwks(self) -> dict[str, Any]:
        return self.pilot.keys(f"{self.ams.slug}/services/{self.service.id}").public_jwks()

    def start(self, form: dict[str, str], browser_cookie: str | None) -> Answer:
        """Start a sign-in at the service's own required level (a request may ask for more);
        ``country``, when the citizen chose it on the service's page, goes to the Connector."""
        raw = form.get("loa") or None
        if raw is not None and raw not in ("1", "2", "3", "4"):
            return self.page(
                error=OAuthError(
                    "invalid_request", f"loa must be a level from 1 to 4, not {raw[:20]!r}"
                )
            )
        country = (form.get("country") or "").upper()
        if country and not is_country_code(country):
            return self.page(
                error=OAuthError(
                    "invalid_request",
                    f"country must be a country code of two letters, not {country[:20]!r}",
                )
            )
        level = max(int(raw or 0), self.service.required_level)
        flow = uuid.uuid4().hex
        extra = {"eauth_flow": flow}
        if country:  # chosen on this page: the Connector does not ask again
            extra["eauth_citizen_country"] = country
        browser, cookies = browser_binding(browser_cookie)
        ev = self._step("service.start", flow)
        ev.data.update(service=self.service.id, requested_level=level)
        try:
            with ev:
                url = self.rp.authorization_url(
                    data={"flow_id": flow, "level": level, "service": self.service.id},
                    browser=browser,
                    acr_values=[loa_urn(n) for n in range(level, 5)],
                    extra=extra,
                )
                ev.ok()
        except OAuthError as exc:  # shown on the service's own page
            return self.page(error=exc)
        return Redirect(url, cookies)

    def logout(self) -> Answer:
        return Redirect(self.url, (Cookie(self.cookie, delete=True),))

    def callback(self, params: dict[str, str], browser_cookie: str | None) -> Answer:
        """The Connector's answer: the level and the data set checked, a session opened."""
        try:
            with self._step("service.callback"):
                pending = self.rp.pending(params, browser_cookie)
            data = pending["data"]
            level = int(data["level"])
            with self._step("flow.end", data["flow_id"]) as ev:
                ev.data.update(service=self.service.id, requested_level=level)
                claims = self.rp.complete(params, pending)
                self._record_decision_source(ev, data["flow_id"])
                returned = parse_loa_urn(claims.get("acr"))
                ev.data["returned_level"] = returned
                if returned is None or returned < max(level, self.service.required_level):
                    raise OAuthError(
                        "unmet_authentication_requirements",
                        f"level {returned} was returned, {level} is required",
                    )
                extra = set(claims) - set(MINIMUM_DATA_SET) - _TOKEN_CLAIMS
                if extra:
                    raise OAuthError(
                        "access_denied",
                        f"more than the minimum data set was received: {sorted(extra)}",
                    )
                received = {k: claims.get(k) for k in MINIMUM_DATA_SET}
                present = [k for k, v in received.items() if v]
                session_id = self.pilot.new_id()
                self.pilot.store.put(
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
        except OAuthError as exc:  # shown on the service's own page
            return self.page(error=exc)
        return Redirect(self.url, (Cookie(self.cookie, session_id, max_age=SESSION_TTL),))

    def _record_decision_source(self, ev: Step, flow_id: str) -> None:
        """The level decision relies on the Connector's, taken with the Repository List."""
        for e in self.pilot.store.events(flow_id=flow_id, step="connector.callback"):
            if "list_sequence" in e["data"]:
                ev.data.update(
                    list_sequence=e["data"]["list_sequence"], agreement=e["data"].get("agreement")
                )
