"""Finding 7: a callback is answered only in the browser that started the sign-in (the state is
bound to a cookie); registered redirect URIs with a query string keep it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from pilot_helpers import pilot_of
from security_helpers import RID, SID

from pilot_sandbox.oidc.provider import AuthRequest, Provider


def _callback_of_attackers_sign_in(client: httpx.Client, base: str, stop_at: str) -> str:
    """The attacker signs in with their own persona and stops before ``stop_at`` (a callback)."""
    r = client.post(f"{base}/ams/my/services/tax-filing/login")
    if r.status_code == 405:  # the sign-in used to start with a link
        r = client.get(f"{base}/ams/my/services/tax-filing/login")
    for _ in range(20):
        if r.status_code == 303:
            loc = str(r.url.join(r.headers["location"]))
            if stop_at in loc:
                return loc
            r = client.get(loc)
        elif 'id="choose-form"' in r.text or "choose-form" in r.text:
            rid = RID.search(r.text).group(1)  # type: ignore[union-attr]
            r = client.post(f"{base}/ams/my/connector/choose", data={"rid": rid, "country": "SG"})
        elif "login-form" in r.text:
            rid = RID.search(r.text).group(1)  # type: ignore[union-attr]
            r = client.post(
                f"{base}/ams/sg/idp/login",
                data={"rid": rid, "username": "lim.wei.jie", "password": "sandbox"},
            )
        elif "consent-allow" in r.text:
            sid = SID.search(r.text).group(1)  # type: ignore[union-attr]
            r = client.post(f"{base}/ams/sg/idp/consent", data={"sid": sid, "decision": "allow"})
        else:
            raise AssertionError(r.text[-500:])
    raise AssertionError("no callback reached")


@pytest.mark.parametrize(
    "stop_at",
    [
        "/ams/my/services/tax-filing/callback",
        "/ams/my/connector/callback",
        "/ams/sg/proxy/callback",
    ],
    ids=["service", "connector", "proxy"],
)
def test_a_callback_opened_in_another_browser_signs_nobody_in(
    pilot_server: Any, stop_at: str
) -> None:
    base = pilot_server.url
    with httpx.Client(timeout=30) as attacker, httpx.Client(timeout=30) as victim:
        url = _callback_of_attackers_sign_in(attacker, base, stop_at)
        r = victim.get(url)
        for _ in range(10):
            if r.status_code != 303:
                break
            r = victim.get(str(r.url.join(r.headers["location"])))
        assert 'id="signed-in"' not in r.text
        assert "another browser" in r.text
        home = victim.get(f"{base}/ams/my/services/tax-filing")
        assert 'id="signed-in"' not in home.text


def test_the_browser_that_started_the_sign_in_completes_it(pilot_server: Any) -> None:
    base = pilot_server.url
    with httpx.Client(timeout=30) as browser:
        url = _callback_of_attackers_sign_in(browser, base, "/ams/my/services/tax-filing/callback")
        r = browser.get(url)
        r = browser.get(str(r.url.join(r.headers["location"])))
        assert 'id="signed-in"' in r.text


def test_a_redirect_uri_with_a_query_keeps_it(pilot_server: Any) -> None:
    provider: Provider = pilot_of(pilot_server).ams["MY"].connector
    req = AuthRequest(
        rid="r",
        client_id="c",
        redirect_uri="https://rp.example/cb?tenant=a",
        state="s1",
        nonce="n",
        code_challenge="x" * 43,
        scope="openid",
    )
    url = provider.error_redirect(req, "access_denied", "no")
    q = parse_qs(urlparse(url).query)
    assert urlparse(url).path == "/cb" and q["tenant"] == ["a"] and q["state"] == ["s1"]
    assert q["error"] == ["access_denied"]
