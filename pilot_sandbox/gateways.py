"""The cross-border gateways of each AMS.

* :class:`ProxyService` (``/ams/{a}/proxy``, the Proxy Service of the sending AMS A): an OpenID
  provider to the Connectors of the other AMS, and a client of A's national IdP. It maps A's
  national ``acr`` to ``urn:eauth:loa:iso29115:N`` through the technology's repository entry and
  passes on the minimum data set with a pairwise identifier.
* :class:`Connector` (``/ams/{b}/connector``, the Connector of the receiving AMS B): an OpenID
  provider to B's services and a client of the Proxies. It takes the citizen's country from the
  service's request or lets the citizen choose it, checks the mutual-recognition agreement and
  performs the three LoA checks (request, returned, published).

Technologies, ``acr`` mappings, agreed levels and agreements come from the verified published
Repository List (:mod:`pilot_sandbox.trustlist`), read again on every step: each decision records
the list sequence number and the agreement id it relied on (``list_sequence``, ``agreement``).
The classes answer plain values (:mod:`pilot_sandbox.answers`) and are called without a server.
"""

from __future__ import annotations

from typing import Any

from eauth_toolkit.errors import EauthError, PilotError
from eauth_toolkit.recognition import (
    MINIMUM_DATA_SET,
    check_published,
    check_request,
    check_returned,
    loa_urn,
    parse_loa_urn,
)
from eauth_toolkit.recognition.trust import AuthenticationDecision
from pilot_sandbox.answers import Answer, Page, Redirect, browser_binding
from pilot_sandbox.events import Step
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import AuthRequest, Provider
from pilot_sandbox.sandbox import Ams, Pilot, is_country_code, pairwise

__all__ = ["ProxyService", "Connector"]

_PERSON = ("given_name", "family_name", "birthdate")


def _levels(values: list[str]) -> list[int]:
    out = []
    for v in values:
        n = parse_loa_urn(v)
        if n is None:
            raise OAuthError(
                "invalid_request",
                f"unknown acr value {v!r}: levels travel as urn:eauth:loa:iso29115:N",
            )
        out.append(n)
    return out


def _source(d: AuthenticationDecision) -> dict[str, Any]:
    """What an event records about the list a decision relied on."""
    return {"list_sequence": d.list_sequence, "agreement": d.agreement, "decision": d.reason}


class _Gateway:
    component = ""

    def __init__(self, pilot: Pilot, ams: Ams, provider: Provider) -> None:
        self.pilot = pilot
        self.ams = ams
        self.provider = provider

    def _step(self, name: str, flow_id: str = "") -> Step:
        return Step(
            self.pilot.store,
            flow_id=flow_id,
            step=f"{self.component}.{name}",
            component=self.component,
            ams=self.ams.code,
        )

    def _recognition(
        self, a: Ams, relying_ams: str, acr: str | None = None
    ) -> AuthenticationDecision:
        """The list's decision on a sign-in of ``a``'s citizens at a service of ``relying_ams``;
        without a national ``acr``, the highest one of the technology's vocabulary (the level up
        to which it is recognised)."""
        try:
            view = self.pilot.trust_list.view()
        except EauthError as exc:  # no list fresh and valid: nothing is recognised
            raise OAuthError("access_denied", f"no usable Repository List: {exc.message}") from None
        if acr is None:
            levels = view.acr_levels(a.entry_id)
            acr = max(levels, key=lambda k: levels[k]) if levels else None
        return view.authentication(
            technology=a.entry_id, from_ams=a.code, relying_ams=relying_ams, acr=acr
        )

    def _authorization(self, params: dict[str, str], ev: Step) -> tuple[AuthRequest, list[int]]:
        """The authorization request and the ISO levels its ``acr_values`` ask for; an error
        about the levels still carries the request, so the client gets it at its redirect URI."""
        ev.flow_id = params.get("eauth_flow", "")[:40]
        req = self.provider.parse_authorization(params)
        ev.flow_id = req.flow_id
        with self.provider.answering(req):
            return req, _levels(req.acr_values)


class ProxyService(_Gateway):
    component = "proxy"

    def __init__(self, pilot: Pilot, ams: Ams) -> None:
        super().__init__(pilot, ams, ams.proxy)

    def authorize(self, params: dict[str, str], browser_cookie: str | None) -> Answer:
        """A Connector's request: sent on to the national IdP, asking for the national ``acr``
        values at the requested level or above."""
        a = self.ams
        with self._step("authorize") as ev, self.provider.answering():
            req, levels = self._authorization(params, ev)
            with self.provider.answering(req):
                level = min(levels) if levels else min(a.entry.published_levels)
                acrs = None
                if a.participant.idp.request_acr and a.entry.acr_levels:
                    acrs = a.entry.acrs_at_least(level)
                    if not acrs:
                        raise OAuthError(
                            "unmet_authentication_requirements",
                            f"{a.entry.id} publishes no acr at level {level} or above",
                        )
                extra = {"eauth_flow": req.flow_id} if a.idp is not None else {}
                browser, cookies = browser_binding(browser_cookie)
                url = a.proxy_rp.authorization_url(
                    data={"req": req.as_dict(), "level": level, "flow_id": req.flow_id},
                    browser=browser,
                    acr_values=acrs,
                    extra=extra,
                )
            ev.ok(requested_level=level, national_acr_request=acrs)
        return Redirect(url, cookies)

    def callback(self, params: dict[str, str], browser_cookie: str | None) -> Answer:
        """The national IdP's answer: its level mapped through the list, the data set passed on."""
        a = self.ams
        with self._step("callback"):
            pending = a.proxy_rp.pending(params, browser_cookie)
        data = pending["data"]
        req = AuthRequest(**data["req"])
        with self._step("callback", data["flow_id"]) as ev, self.provider.answering(req):
            claims = a.proxy_rp.complete(params, pending)
            try:
                relying = self.pilot.trust.current().party(req.client_id).ams
            except PilotError as exc:
                raise OAuthError("access_denied", exc.message) from None
            decision = self._recognition(a, relying, claims.get("acr"))
            ev.data.update(_source(decision))
            if not decision.accepted:
                prefix = "unknown acr: " if decision.code == "unknown_acr" else ""
                raise OAuthError("access_denied", prefix + decision.reason)
            assert decision.level is not None
            level = decision.level
            dataset: dict[str, Any] = {k: claims[k] for k in _PERSON if claims.get(k)}
            dataset["country_of_origin"] = a.code
            sub = pairwise(a.proxy_issuer, req.client_id, str(claims["sub"]))
            url = self.provider.code_redirect(req, sub=sub, acr=loa_urn(level), claims=dataset)
            ev.ok(national_acr=claims.get("acr"), level=level, fields=sorted(dataset))
        return Redirect(url)


class Connector(_Gateway):
    component = "connector"

    def __init__(self, pilot: Pilot, ams: Ams) -> None:
        super().__init__(pilot, ams, ams.connector)

    def authorize(self, params: dict[str, str], browser_cookie: str | None = None) -> Answer:
        """A service's request: kept while the citizen chooses their country, or, when the
        service already asked them (``eauth_citizen_country``, as a citizen country code in an
        eIDAS request), sent on to that AMS's Proxy at once (:meth:`choose`'s checks)."""
        b = self.ams
        with self._step("authorize") as ev, self.provider.answering():
            req, levels = self._authorization(params, ev)
            req.extra["level"] = min(levels) if levels else 1
            country = req.citizen_country
            if not country:
                self.provider.save(req)
            ev.ok(requested_level=req.extra["level"])
        if country:
            return self._to_proxy(req, country, browser_cookie, chosen_at="service")
        countries = [
            {"code": c, "name": self.pilot.ams[c].participant.name}
            for c in self.pilot.other(b.code)
        ]
        return Page(
            "connector_choose.html",
            {
                "ams": b,
                "rid": req.rid,
                "countries": countries,
                "level": req.extra["level"],
                "client": self.pilot.trust.current().party(req.client_id),
            },
        )

    def choose(self, form: dict[str, str], browser_cookie: str | None) -> Answer:
        """The citizen's country, chosen at the Connector: on to that AMS's Proxy."""
        with self._step("choose"):
            req = self.provider.take(str(form.get("rid", "")))  # one choice per request
        country = str(form.get("country", "")).upper()
        return self._to_proxy(req, country, browser_cookie, chosen_at="connector")

    def _to_proxy(
        self, req: AuthRequest, country: str, browser_cookie: str | None, *, chosen_at: str
    ) -> Answer:
        """The agreement and LoA check 1 for the citizen's country, then on to its Proxy."""
        b, pilot = self.ams, self.pilot
        with self._step("choose", req.flow_id) as ev, self.provider.answering(req):
            level = int(req.extra["level"])
            ev.data.update(country=country[:10], requested_level=level, chosen_at=chosen_at)
            if not is_country_code(country):
                raise OAuthError(
                    "invalid_request",
                    f"the citizen's country must be a country code of two capital letters "
                    f"(eauth_citizen_country, or the Connector's form), not {country[:10]!r}",
                )
            if country not in pilot.ams or country == b.code:
                n = pilot.trust_list.source.last_sequence
                ev.data["list_sequence"] = n
                raise OAuthError(
                    "access_denied",
                    f"{country or 'no country'} is not a party to an agreement with {b.code} "
                    f"in this pilot (Repository List #{n})",
                )
            a = pilot.ams[country]
            decision = self._recognition(a, b.code)
            ev.data.update(_source(decision))
            if not decision.accepted:
                raise OAuthError("access_denied", decision.reason)
            published = pilot.entry_of(pilot.trust.current().party(a.proxy_issuer)).published_levels
            check = check_request(level, published, decision.level or 0)
            if not check.passed:
                raise OAuthError(
                    check.error or "unmet_authentication_requirements",
                    f"LoA check 1 (request): {check.reason}",
                )
            acrs = [loa_urn(n) for n in sorted(published) if n >= level]
            browser, cookies = browser_binding(browser_cookie)
            url = b.connector_rps[a.code].authorization_url(
                data={
                    "req": req.as_dict(),
                    "level": level,
                    "country": a.code,
                    "flow_id": req.flow_id,
                },
                browser=browser,
                acr_values=acrs,
                extra={"eauth_flow": req.flow_id},
            )
            ev.ok()
        return Redirect(url, cookies)

    def callback(self, params: dict[str, str], browser_cookie: str | None) -> Answer:
        """The Proxy's answer: LoA checks 2 (returned) and 3 (published), then the service's code."""
        b, pilot = self.ams, self.pilot
        with self._step("callback"):
            pending = next(iter(b.connector_rps.values())).pending(params, browser_cookie)
        data = pending["data"]
        req = AuthRequest(**data["req"])
        with self._step("callback", data["flow_id"]) as ev, self.provider.answering(req):
            level, country = int(data["level"]), data["country"]
            ev.data.update(requested_level=level, country=country)
            claims = b.connector_rps[country].complete(params, pending)
            acr = claims.get("acr")
            returned = parse_loa_urn(acr)
            ev.data["returned_level"] = returned
            if acr is not None and returned is None:
                raise OAuthError(
                    "access_denied", f"unknown acr {acr!r}: not a urn:eauth:loa:iso29115 level"
                )
            decision = self._recognition(pilot.ams[country], b.code)
            ev.data.update(_source(decision))
            if not decision.accepted:
                raise OAuthError("access_denied", decision.reason)
            published = {
                n
                for n in pilot.entry_of(
                    pilot.trust.current().party(pilot.ams[country].proxy_issuer)
                ).published_levels
                if n <= (decision.level or 0)
            } | {decision.level or 0}
            for check in (check_returned(level, returned), check_published(returned, published)):
                if not check.passed:
                    raise OAuthError(
                        check.error or "access_denied", f"LoA check ({check.check}): {check.reason}"
                    )
            if claims.get("country_of_origin") != country:
                raise OAuthError(
                    "access_denied",
                    f"country of origin {claims.get('country_of_origin')!r} does not match {country}",
                )
            dataset = {k: claims[k] for k in MINIMUM_DATA_SET if k != "sub" and claims.get(k)}
            sub = pairwise(b.connector_issuer, req.client_id, country, str(claims["sub"]))
            assert returned is not None
            url = self.provider.code_redirect(req, sub=sub, acr=loa_urn(returned), claims=dataset)
            ev.ok()
        return Redirect(url)
