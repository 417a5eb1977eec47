"""Attacks and mistakes, each refused with a clear error and recorded as a failed event.

Protocol abuse against the real IdP and gateways (code replay, PKCE and redirect_uri mismatch, state
mismatch) is driven directly over HTTP; broken ID tokens come from a misbehaving provider put in the
place of MY's national IdP, so the Proxy and Connector validate them on the real path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from pilot_helpers import dpop_header, external_idp, pilot_of, pilot_variant
from pilot_rogue_op import RogueOP

from eauth_toolkit.errors import PilotError
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from pilot_sandbox.oidc.provider import JWT_BEARER
from pilot_sandbox.runner import FlowPlan, drive_flow
from pilot_sandbox.store import trust


def _fails(pilot: Any, step: str) -> list[dict[str, Any]]:
    return [e for e in pilot.store.events() if e["step"] == step and e["outcome"] == "fail"]


def _code_at_proxy_callback(client: httpx.Client, base: str) -> str:
    """Go through service, Connector, Proxy, login and consent; stop at the IdP's redirect to the
    SG Proxy and return that redirect URL (holding a fresh code)."""
    r = client.post(f"{base}/ams/my/services/tax-filing/login")
    while r.status_code == 303:
        r = client.get(r.headers["location"])
    rid = re.search(r'name="rid" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    r = client.post(f"{base}/ams/my/connector/choose", data={"rid": rid, "country": "SG"})
    while r.status_code == 303:
        r = client.get(r.headers["location"])
    rid = re.search(r'name="rid" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"{base}/ams/sg/idp/login",
        data={"rid": rid, "username": "tan.mei.ling", "password": "sandbox"},
    )
    sid = re.search(r'name="sid" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    r = client.post(f"{base}/ams/sg/idp/consent", data={"sid": sid, "decision": "allow"})
    assert r.status_code == 303 and "/ams/sg/proxy/callback?" in r.headers["location"]
    return str(r.headers["location"])


def _redeem(pilot: Any, base: str, code: str, **changes: str) -> httpx.Response:
    """Redeem a code at the SG IdP as the SG Proxy (with the Proxy's own key)."""
    rp = pilot.ams["SG"].proxy_rp
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": rp.redirect_uri,
        "code_verifier": "not-the-verifier-of-this-request-0123456789abcdef",
        "client_id": rp.client_id,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": rp.client_assertion(),
    }
    form.update(changes)
    return httpx.post(
        f"{base}/ams/sg/idp/token", data=form, headers=dpop_header(pilot, "SG", "idp", "token")
    )


def test_code_replay_is_refused(pilot_server: Any, client: httpx.Client) -> None:
    pilot, base = pilot_of(pilot_server), pilot_server.url
    callback = _code_at_proxy_callback(client, base)
    code = parse_qs(urlparse(callback).query)["code"][0]
    r = client.get(callback)  # the Proxy redeems the code
    while r.status_code == 303:
        r = client.get(r.headers["location"])
    assert 'id="signed-in"' in r.text
    replay = _redeem(pilot, base, code)
    assert replay.status_code == 400
    assert replay.json() == {
        "error": "invalid_grant",
        "error_description": "the authorization code was already used (replay)",
    }
    fails = _fails(pilot, "idp.token")
    assert (
        fails
        and fails[-1]["error"] == "invalid_grant"
        and "replay" in fails[-1]["description"]
        and fails[-1]["flow_id"] not in ("", "-")
    )


def test_pkce_mismatch_is_refused(pilot_server: Any, client: httpx.Client) -> None:
    pilot, base = pilot_of(pilot_server), pilot_server.url
    code = parse_qs(urlparse(_code_at_proxy_callback(client, base)).query)["code"][0]
    r = _redeem(pilot, base, code)
    assert (
        r.status_code == 400
        and r.json()["error"] == "invalid_grant"
        and "PKCE" in r.json()["error_description"]
    )
    assert "PKCE" in _fails(pilot, "idp.token")[-1]["description"]


def test_redirect_uri_mismatch_is_refused_at_token_and_authorization(
    pilot_server: Any, client: httpx.Client
) -> None:
    pilot, base = pilot_of(pilot_server), pilot_server.url
    code = parse_qs(urlparse(_code_at_proxy_callback(client, base)).query)["code"][0]
    r = _redeem(pilot, base, code, redirect_uri=f"{base}/ams/sg/proxy/elsewhere")
    assert r.status_code == 400 and "redirect_uri does not match" in r.json()["error_description"]
    assert "redirect_uri" in _fails(pilot, "idp.token")[-1]["description"]
    # at the authorization endpoint an unregistered redirect_uri is shown, never redirected to
    r = client.get(
        f"{base}/ams/my/connector/authorize",
        params={
            "client_id": f"{base}/ams/my/services/tax-filing",
            "redirect_uri": "http://127.0.0.1:9/steal",
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "nonce": "n",
            "code_challenge": "x" * 43,
            "code_challenge_method": "S256",
        },
    )
    assert r.status_code == 400 and "is not registered" in r.text and "location" not in r.headers
    assert "is not registered" in _fails(pilot, "connector.authorize")[-1]["description"]


def test_expired_code_is_refused_after_shifting_the_clock(
    pilot_server: Any, client: httpx.Client
) -> None:
    import time

    import time_machine

    pilot, base = pilot_of(pilot_server), pilot_server.url
    callback = _code_at_proxy_callback(client, base)
    with time_machine.travel(time.time() + 120, tick=True):
        r = client.get(callback)  # the Proxy redeems the code two minutes late
        while r.status_code == 303:
            r = client.get(r.headers["location"])
    assert "has expired" in r.text and 'id="signed-in"' not in r.text
    fail = _fails(pilot, "idp.token")[-1]
    assert fail["error"] == "invalid_grant" and "expired" in fail["description"]
    assert _fails(pilot, "proxy.callback")[-1]["flow_id"] == fail["flow_id"]


def test_client_assertion_from_an_unknown_key_is_refused(
    pilot_server: Any, client: httpx.Client
) -> None:
    from joserfc import jwt
    from joserfc.jwk import ECKey

    pilot, base = pilot_of(pilot_server), pilot_server.url
    code = parse_qs(urlparse(_code_at_proxy_callback(client, base)).query)["code"][0]
    rogue = ECKey.generate_key("P-256", private=True, auto_kid=True)
    cid = f"{base}/ams/sg/proxy"
    assertion = jwt.encode(
        {"alg": "ES256", "kid": rogue.kid},
        {"iss": cid, "sub": cid, "aud": f"{base}/ams/sg/idp", "exp": 4102444800, "jti": "j1"},
        rogue,
    )
    r = _redeem(pilot, base, code, client_assertion=assertion)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert _fails(pilot, "idp.token")[-1]["error"] == "invalid_client"


def test_state_mismatch_is_refused(pilot_server: Any, client: httpx.Client) -> None:
    pilot, base = pilot_of(pilot_server), pilot_server.url
    callback = _code_at_proxy_callback(client, base)
    forged = re.sub(r"state=[^&]+", "state=forged-state", callback)
    r = client.get(forged)
    assert r.status_code == 400 and "state mismatch" in r.text
    assert "state mismatch" in _fails(pilot, "proxy.callback")[-1]["description"]
    r = client.get(callback)  # the genuine answer still completes once
    assert r.status_code == 303
    again = client.get(callback)
    assert again.status_code == 400 and "already answered" in again.text


# ---------------------------------------------------------------------------- broken ID tokens


@pytest.fixture
def rogue_pilot(live_server_factory: Any, tmp_path: Path) -> tuple[Any, RogueOP]:
    from tests.helpers import free_port as free_port_number

    rogue = RogueOP(free_port_number()).start()
    config = pilot_variant(
        tmp_path, replace=[external_idp("MY", rogue.issuer, "my-sandbox-national-idp")]
    )
    server = live_server_factory(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}", pilot_config=config
    )
    rogue.other_issuer = f"{server.url}/ams/sg/idp"  # trusted, but not the provider asked
    yield server, rogue
    rogue.stop()


CASES = [
    ("tampered", "invalid_token", "signature is invalid"),
    ("alg_none", "invalid_token", "only signed ES256 tokens are accepted"),
    ("wrong_iss", "invalid_token", "wrong issuer"),
    ("untrusted_iss", "invalid_token", "is not in the trust configuration"),
    ("unknown_kid", "invalid_token", "is not in the trust configuration for"),
    ("wrong_aud", "invalid_token", "wrong audience"),
    ("expired", "invalid_token", "has expired"),
    ("nonce", "invalid_token", "nonce mismatch"),
    ("unknown_acr", "access_denied", "unknown acr"),
    ("downgrade", "unmet_authentication_requirements", "downgrade"),
]


def test_broken_id_tokens_are_refused_end_to_end(
    rogue_pilot: tuple[Any, RogueOP], client: httpx.Client
) -> None:
    server, rogue = rogue_pilot
    pilot = pilot_of(server)
    rogue.mode = "ok"
    ok = drive_flow(client, server.url, FlowPlan("SG", "company-registration", "MY", "-", level=3))
    assert ok.outcome == "succeeded", ok.page  # the provider is usable when it behaves
    for mode, error, text in CASES:
        rogue.mode = mode
        client.cookies.clear()
        result = drive_flow(
            client, server.url, FlowPlan("SG", "company-registration", "MY", "-", level=3)
        )
        assert (mode, result.outcome, result.error) == (mode, "failed", error), result.page
        assert text in result.page, (mode, result.page)
        flow_fails = [
            e
            for e in pilot.store.events()
            if e["outcome"] == "fail" and text in (e["description"] or "")
        ]
        assert flow_fails, mode
        step = "connector.callback" if mode == "downgrade" else "proxy.callback"
        assert flow_fails[0]["step"] == step, (mode, flow_fails[0])
        end = [e for e in pilot.store.events() if e["step"] == "flow.end"][-1]
        assert end["outcome"] == "fail" and end["flow_id"] == flow_fails[0]["flow_id"]


def test_a_trust_configuration_that_does_not_verify_stops_start_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    settings = Settings(data_dir=tmp_path, database_url=url, base_url="http://127.0.0.1:9")
    pilot = create_app(settings).state.pilot
    with pilot.store.engine.begin() as conn:
        row = conn.execute(trust.select()).first()
        h, p, s = row.jws.split(".")
        forged = ".".join([h, p, s[:-4] + ("AAAA" if s[-4:] != "AAAA" else "BBBB")])
        conn.execute(trust.update().values(jws=forged))
    with pytest.raises(PilotError, match="does not verify with the trust anchor key"):
        create_app(settings)
