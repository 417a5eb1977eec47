"""The cross-border gateways of each AMS.

* ``/ams/{a}/proxy`` (Proxy Service of the sending AMS A): an OpenID provider to the Connectors of the
  other AMS, and a client of A's national IdP. It maps A's national ``acr`` to
  ``urn:eauth:loa:iso29115:N`` through the technology's repository entry and passes on the minimum data set
  with a pairwise identifier.
* ``/ams/{b}/connector`` (Connector of the receiving AMS B): an OpenID provider to B's services and a
  client of the Proxies. It lets the citizen choose their country, checks the mutual-recognition
  agreement and performs the three LoA checks (request, returned, published).

Technologies, ``acr`` mappings, agreed levels and agreements come from the verified published
Repository List (:mod:`pilot_sandbox.trustlist`), read again on every step: each decision records
the list sequence number and the agreement id it relied on (``list_sequence``, ``agreement``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

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
from pilot_sandbox.events import Step
from pilot_sandbox.oidc.client import BROWSER_COOKIE
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import AuthRequest
from pilot_sandbox.pages import (
    browser_id,
    form_fields,
    keep_browser,
    oauth_failure,
    query,
    redirect,
    render,
)
from pilot_sandbox.sandbox import Ams, Pilot, pairwise

__all__ = ["router"]

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


def router(pilot: Pilot) -> APIRouter:
    r = APIRouter(tags=["pilot: cross-border gateways (sandbox)"])

    def _recognition(a: Ams, relying_ams: str, acr: str | None = None) -> AuthenticationDecision:
        """The list's decision on a sign-in of ``a``'s citizens at a service of ``relying_ams``;
        without a national ``acr``, the highest one of the technology's vocabulary (the level up
        to which it is recognised)."""
        try:
            view = pilot.trust_list.view()
        except EauthError as exc:  # no list fresh and valid: nothing is recognised
            raise OAuthError("access_denied", f"no usable Repository List: {exc.message}") from None
        if acr is None:
            levels = view.acr_levels(a.entry_id)
            acr = max(levels, key=lambda k: levels[k]) if levels else None
        return view.authentication(
            technology=a.entry_id, from_ams=a.code, relying_ams=relying_ams, acr=acr
        )

    def _authorize_step(component: str, ams: str) -> Step:
        return Step(
            pilot.store, flow_id="", step=f"{component}.authorize", component=component, ams=ams
        )

    def _parse_authorization(gateway: Any, request: Request, ev: Step) -> tuple[Any, list[int]]:
        """The authorization request and the ISO levels its ``acr_values`` ask for; an error
        about the levels still carries the request, so the client gets it at its redirect URI."""
        params = query(request)
        ev.flow_id = params.get("eauth_flow", "")[:40]
        req = gateway.parse_authorization(params)
        ev.flow_id = req.flow_id
        try:
            return req, _levels(req.acr_values)
        except OAuthError as exc:
            exc.request = req
            raise

    # ------------------------------------------------------------------ Proxy Service
    @r.get("/ams/{code}/proxy/authorize")
    async def proxy_authorize(request: Request, code: str) -> Response:
        a = pilot.get(code)
        ev = _authorize_step("proxy", a.code)
        try:
            req, levels = _parse_authorization(a.proxy, request, ev)
            level = min(levels) if levels else min(a.entry.published_levels)
            acrs = None
            if a.participant.idp.request_acr and a.entry.acr_levels:
                acrs = a.entry.acrs_at_least(level)
                if not acrs:
                    unmet = OAuthError(
                        "unmet_authentication_requirements",
                        f"{a.entry.id} publishes no acr at level {level} or above",
                    )
                    unmet.request = req
                    raise unmet
            extra = {"eauth_flow": req.flow_id} if a.idp is not None else {}
            browser, new = browser_id(request)
            try:
                url = await a.proxy_rp.authorization_url(
                    data={"req": asdict(req), "level": level, "flow_id": req.flow_id},
                    browser=browser,
                    acr_values=acrs,
                    extra=extra,
                )
            except OAuthError as exc:
                exc.request = req
                raise
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return oauth_failure(request, a.proxy, exc)
        ev.ok(requested_level=level, national_acr_request=acrs)
        return keep_browser(redirect(url), browser, new)

    @r.get("/ams/{code}/proxy/callback")
    async def proxy_callback(request: Request, code: str) -> Response:
        a = pilot.get(code)
        try:
            params = query(request)
            pending = a.proxy_rp.pending(params, request.cookies.get(BROWSER_COOKIE))
        except OAuthError as exc:
            Step(
                pilot.store, flow_id="", step="proxy.callback", component="proxy", ams=a.code
            ).fail(exc.code, exc.description)
            return oauth_failure(request, None, exc)
        data = pending["data"]
        ev = Step(
            pilot.store,
            flow_id=data["flow_id"],
            step="proxy.callback",
            component="proxy",
            ams=a.code,
        )
        req = AuthRequest(**data["req"])
        try:
            claims = await a.proxy_rp.complete(params, pending)
            try:
                relying = pilot.trust.current().party(req.client_id).ams
            except PilotError as exc:
                raise OAuthError("access_denied", exc.message) from None
            decision = _recognition(a, relying, claims.get("acr"))
            ev.data.update(_source(decision))
            if not decision.accepted:
                prefix = "unknown acr: " if decision.code == "unknown_acr" else ""
                raise OAuthError("access_denied", prefix + decision.reason)
            assert decision.level is not None
            level = decision.level
            dataset: dict[str, Any] = {k: claims[k] for k in _PERSON if claims.get(k)}
            dataset["country_of_origin"] = a.code
            sub = pairwise(a.proxy_issuer, req.client_id, str(claims["sub"]))
            url = a.proxy.code_redirect(req, sub=sub, acr=loa_urn(level), claims=dataset)
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return redirect(a.proxy.error_redirect(req, exc.code, exc.description))
        ev.ok(national_acr=claims.get("acr"), level=level, fields=sorted(dataset))
        return redirect(url)

    # ------------------------------------------------------------------ Connector
    def _countries(b: Ams) -> list[dict[str, str]]:
        return [{"code": c, "name": pilot.ams[c].participant.name} for c in pilot.other(b.code)]

    @r.get("/ams/{code}/connector/authorize")
    async def connector_authorize(request: Request, code: str) -> Response:
        b = pilot.get(code)
        ev = _authorize_step("connector", b.code)
        try:
            req, levels = _parse_authorization(b.connector, request, ev)
            req.extra["level"] = min(levels) if levels else 1
            b.connector.save(req)
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return oauth_failure(request, b.connector, exc)
        ev.ok(requested_level=req.extra["level"])
        client = pilot.trust.current().party(req.client_id)
        return render(
            request,
            "connector_choose.html",
            {
                "ams": b,
                "rid": req.rid,
                "countries": _countries(b),
                "level": req.extra["level"],
                "client": client,
            },
        )

    @r.post("/ams/{code}/connector/choose")
    async def connector_choose(request: Request, code: str) -> Response:
        b = pilot.get(code)
        try:
            form = await form_fields(request)
            req = b.connector.take(str(form.get("rid", "")))  # one choice per request
        except OAuthError as exc:
            Step(
                pilot.store, flow_id="", step="connector.choose", component="connector", ams=b.code
            ).fail(exc.code, exc.description)
            return oauth_failure(request, None, exc)
        ev = Step(
            pilot.store,
            flow_id=req.flow_id,
            step="connector.choose",
            component="connector",
            ams=b.code,
        )
        country = str(form.get("country", "")).upper()[:2]
        level = int(req.extra["level"])
        ev.data.update(country=country, requested_level=level)
        try:
            if country not in pilot.ams or country == b.code:
                n = pilot.trust_list.source.last_sequence
                ev.data["list_sequence"] = n
                raise OAuthError(
                    "access_denied",
                    f"{country or 'no country'} is not a party to an agreement with {b.code} "
                    f"in this pilot (Repository List #{n})",
                )
            a = pilot.ams[country]
            decision = _recognition(a, b.code)
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
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return redirect(b.connector.error_redirect(req, exc.code, exc.description))
        acrs = [loa_urn(n) for n in sorted(published) if n >= level]
        browser, new = browser_id(request)
        try:
            url = await b.connector_rps[a.code].authorization_url(
                data={
                    "req": asdict(req),
                    "level": level,
                    "country": a.code,
                    "flow_id": req.flow_id,
                },
                browser=browser,
                acr_values=acrs,
                extra={"eauth_flow": req.flow_id},
            )
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return redirect(b.connector.error_redirect(req, exc.code, exc.description))
        ev.ok()
        return keep_browser(redirect(url), browser, new)

    @r.get("/ams/{code}/connector/callback")
    async def connector_callback(request: Request, code: str) -> Response:
        b = pilot.get(code)
        any_rp = next(iter(b.connector_rps.values()))
        try:
            params = query(request)
            pending = any_rp.pending(params, request.cookies.get(BROWSER_COOKIE))
        except OAuthError as exc:
            Step(
                pilot.store,
                flow_id="",
                step="connector.callback",
                component="connector",
                ams=b.code,
            ).fail(exc.code, exc.description)
            return oauth_failure(request, None, exc)
        data = pending["data"]
        ev = Step(
            pilot.store,
            flow_id=data["flow_id"],
            step="connector.callback",
            component="connector",
            ams=b.code,
        )
        level, country = int(data["level"]), data["country"]
        ev.data.update(requested_level=level, country=country)
        req = AuthRequest(**data["req"])
        try:
            claims = await b.connector_rps[country].complete(params, pending)
            acr = claims.get("acr")
            returned = parse_loa_urn(acr)
            ev.data["returned_level"] = returned
            if acr is not None and returned is None:
                raise OAuthError(
                    "access_denied", f"unknown acr {acr!r}: not a urn:eauth:loa:iso29115 level"
                )
            decision = _recognition(pilot.ams[country], b.code)
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
            url = b.connector.code_redirect(req, sub=sub, acr=loa_urn(returned), claims=dataset)
        except OAuthError as exc:
            ev.fail(exc.code, exc.description)
            return redirect(b.connector.error_redirect(req, exc.code, exc.description))
        ev.ok()
        return redirect(url)

    return r
