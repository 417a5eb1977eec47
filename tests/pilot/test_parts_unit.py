"""The IdP, Proxy, Connector and demo service called directly, without a server: a cross-border
sign-in in both directions (MY on ``oidc``, SG on ``fapi2``) through the part classes, with the
relying parties' back channel routed in process to the providers (the seam the HTTP client sits
behind)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from eauth_toolkit.settings import Settings
from pilot_sandbox.answers import Page, Redirect
from pilot_sandbox.gateways import Connector, ProxyService
from pilot_sandbox.idp import NationalIdP
from pilot_sandbox.oidc.backchannel import BackChannelResponse
from pilot_sandbox.oidc.client import BROWSER_COOKIE
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import Provider
from pilot_sandbox.sandbox import Pilot
from pilot_sandbox.services import DemoService


class InProcessChannel:
    """The back channel, answered by the pilot's own provider objects instead of over HTTP."""

    def __init__(self, pilot: Pilot) -> None:
        self.endpoints: dict[str, tuple[Provider, str]] = {}
        for a in pilot.ams.values():
            for p in (a.idp, a.proxy, a.connector):
                if p is not None:
                    self.endpoints[f"{p.issuer}/par"] = (p, "push")
                    self.endpoints[f"{p.issuer}/token"] = (p, "token")

    def post_form(
        self, url: str, form: dict[str, str], *, timeout: float = 15.0, headers: Any = None
    ) -> BackChannelResponse:
        provider, method = self.endpoints[url]
        try:
            answer = getattr(provider, method)(dict(form), (headers or {}).get("DPoP"))
        except OAuthError as exc:
            found = {k.lower(): v for k, v in exc.headers.items()}
            return BackChannelResponse(exc.status, found, json.dumps(exc.as_json()).encode())
        found = {k.lower(): v for k, v in answer.headers.items()}
        return BackChannelResponse(answer.status, found, json.dumps(answer.body).encode())


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Pilot:
    tmp: Path = tmp_path_factory.mktemp("parts")
    pilot = Pilot(
        Settings(
            base_url="http://127.0.0.1:9", data_dir=tmp, database_url=f"sqlite:///{tmp / 'p.db'}"
        )
    )
    channel = InProcessChannel(pilot)
    for a in pilot.ams.values():
        for rp in (a.proxy_rp, *a.connector_rps.values(), *a.service_rps.values()):
            rp.http = channel  # type: ignore[assignment]
    return pilot


def _params(answer: Any) -> dict[str, str]:
    assert isinstance(answer, Redirect), answer
    return {k: v[0] for k, v in parse_qs(urlparse(answer.url).query).items()}


@pytest.mark.parametrize(
    ("service_ams", "service", "country", "persona", "level"),
    [
        ("MY", "tax-filing", "SG", "tan.mei.ling", 3),
        ("SG", "company-registration", "MY", "siti.rahman", 2),
    ],
)
def test_a_cross_border_sign_in_through_the_part_objects(
    pilot: Pilot, service_ams: str, service: str, country: str, persona: str, level: int
) -> None:
    svc = DemoService(pilot, pilot.ams[service_ams], service)
    start = svc.start({}, None)
    assert isinstance(start, Redirect) and start.cookies[0].name == BROWSER_COOKIE
    browser = start.cookies[0].value
    choose = Connector(pilot, pilot.ams[service_ams]).authorize(_params(start))
    assert isinstance(choose, Page) and choose.template == "connector_choose.html"
    to_proxy = Connector(pilot, pilot.ams[service_ams]).choose(
        {"rid": choose.context["rid"], "country": country}, browser
    )
    to_idp = ProxyService(pilot, pilot.ams[country]).authorize(_params(to_proxy), browser)
    idp = NationalIdP(pilot, pilot.ams[country])
    login = idp.authorize(_params(to_idp))
    assert isinstance(login, Page) and login.template == "idp_login.html"
    wrong = idp.login({"rid": login.context["rid"], "username": persona, "password": "x"})
    assert isinstance(wrong, Page) and wrong.status == 401
    consent = idp.login({"rid": login.context["rid"], "username": persona, "password": "sandbox"})
    assert isinstance(consent, Page) and consent.template == "idp_consent.html"
    back = idp.consent({"sid": consent.context["sid"], "decision": "allow"})
    to_connector = ProxyService(pilot, pilot.ams[country]).callback(_params(back), browser)
    to_service = Connector(pilot, pilot.ams[service_ams]).callback(_params(to_connector), browser)
    done = svc.callback(_params(to_service), browser)
    assert isinstance(done, Redirect) and done.url == svc.url
    session = next(c for c in done.cookies if c.name == svc.cookie)
    home = svc.home(session.value)
    assert isinstance(home, Page) and home.context["session"]["level"] == level
    assert home.context["session"]["claims"]["country_of_origin"] == country


def test_a_callback_from_another_browser_is_refused(pilot: Pilot) -> None:
    svc = DemoService(pilot, pilot.ams["MY"], "tax-filing")
    start = svc.start({}, None)
    state = _params(start)["state"]
    answer = svc.callback({"state": state, "code": "c"}, "another-browser-cookie-value")
    assert isinstance(answer, Page) and answer.status == 400
    assert "another browser" in answer.context["error"].description


def test_a_service_never_asks_for_less_than_it_requires(pilot: Pilot) -> None:
    svc = DemoService(pilot, pilot.ams["MY"], "tax-filing")  # requires level 3
    start = svc.start({"loa": "1"}, None)
    claims = json.loads(_params(start)["claims"])
    assert min(claims["id_token"]["acr"]["values"]) == "urn:eauth:loa:iso29115:3"


def test_a_connector_refuses_a_country_without_agreement_at_the_client(pilot: Pilot) -> None:
    svc = DemoService(pilot, pilot.ams["MY"], "tax-filing")
    connector = Connector(pilot, pilot.ams["MY"])
    choose = connector.authorize(_params(svc.start({}, None)))
    assert isinstance(choose, Page)
    with pytest.raises(OAuthError) as refused:
        connector.choose({"rid": choose.context["rid"], "country": "ZZ"}, None)
    exc = refused.value
    assert exc.code == "access_denied" and exc.location is not None
    assert exc.location.startswith(svc.rp.redirect_uri) and "iss=" in exc.location
    with pytest.raises(OAuthError) as again:  # one choice per request
        connector.choose({"rid": choose.context["rid"], "country": "SG"}, None)
    assert again.value.location is None and again.value.code == "invalid_request"


@pytest.mark.parametrize(
    ("service_ams", "service", "country"),
    [
        ("MY", "tax-filing", "SG"),  # MY on oidc: the country travels in the query
        ("SG", "company-registration", "MY"),  # SG on fapi2: in the pushed request
    ],
)
def test_a_country_chosen_at_the_service_skips_the_connectors_page(
    pilot: Pilot, service_ams: str, service: str, country: str
) -> None:
    svc = DemoService(pilot, pilot.ams[service_ams], service)
    start = svc.start({"country": country.lower()}, None)
    browser = start.cookies[0].value  # type: ignore[union-attr]
    to_proxy = Connector(pilot, pilot.ams[service_ams]).authorize(_params(start), browser)
    assert isinstance(to_proxy, Redirect)
    assert to_proxy.url.startswith(pilot.ams[country].proxy.issuer + "/authorize?")
    flow = _params(start).get("eauth_flow") or next(
        e["flow_id"] for e in reversed(pilot.store.events()) if e["step"] == "service.start"
    )
    chosen = pilot.store.events(flow_id=flow, step="connector.choose")
    assert [(e["outcome"], e["data"]["chosen_at"], e["data"]["country"]) for e in chosen] == [
        ("ok", "service", country)
    ]
    # and the sign-in goes on as usual from the Proxy
    to_idp = ProxyService(pilot, pilot.ams[country]).authorize(_params(to_proxy), browser)
    assert isinstance(to_idp, Redirect)


def test_a_country_from_the_service_gets_the_connectors_checks(pilot: Pilot) -> None:
    svc = DemoService(pilot, pilot.ams["MY"], "tax-filing")
    connector = Connector(pilot, pilot.ams["MY"])
    with pytest.raises(OAuthError) as outside:
        connector.authorize(_params(svc.start({"country": "TH"}, None)))
    assert outside.value.code == "access_denied" and "not a party" in outside.value.description
    assert outside.value.location is not None
    assert outside.value.location.startswith(svc.rp.redirect_uri)
    # a client that writes the parameter itself gets an OAuth error, not a lookup of its value
    params = _params(svc.start({}, None))
    with pytest.raises(OAuthError) as malformed:
        connector.authorize({**params, "eauth_citizen_country": "s1"})
    assert malformed.value.code == "invalid_request" and malformed.value.location is not None
    assert "two capital letters" in malformed.value.description
    # at the service, a malformed choice is the service's own error page
    page = svc.start({"country": "S G"}, None)
    assert isinstance(page, Page) and page.status == 400
    assert page.context["error"].code == "invalid_request"
