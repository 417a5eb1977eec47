"""Findings 5 and 6: prompt=none, PKCE formats, the achieved acr, repeated parameters,
long-lived client assertions, WWW-Authenticate, length limits, discovery."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from joserfc import jwt
from pilot_helpers import dpop_header, pilot_of
from security_helpers import IdpClient, is_oauth_error, location_params, unverified_claims

from pilot_sandbox.oidc.provider import JWT_BEARER


def test_prompt_none_answers_login_required(pilot_server: Any, client: httpx.Client) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    params = my.params(prompt="none")
    r = client.get(f"{my.idp}/authorize?{urlencode(params)}")
    q = location_params(r)
    assert q["error"] == "login_required" and q["state"] == params["state"]
    assert q["iss"] == my.idp


@pytest.mark.parametrize("verifier", ["a", "a" * 42, "a" * 129, "a" * 42 + " ", "a" * 42 + "+"])
def test_a_verifier_outside_rfc7636_is_refused_and_the_code_kept(
    pilot_server: Any, client: httpx.Client, verifier: str
) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    code = my.code(client)
    r = my.token(code, code_verifier=verifier)
    assert is_oauth_error(r, "invalid_request") and "43 to 128" in r.json()["error_description"]
    assert my.token(code).status_code == 200


@pytest.mark.parametrize("challenge", ["short", "=" * 43, "a" * 44, "a" * 42 + "/"])
def test_a_code_challenge_that_is_not_s256_shaped_is_refused(
    pilot_server: Any, client: httpx.Client, challenge: str
) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    q = location_params(my.authorize(client, code_challenge=challenge))
    assert q["error"] == "invalid_request" and "code_challenge" in q["error_description"]


def test_an_unmet_voluntary_acr_gives_the_level_achieved(
    pilot_server: Any, client: httpx.Client
) -> None:
    pilot = pilot_of(pilot_server)
    levels = pilot.ams["MY"].entry.acr_levels
    high = max(levels, key=levels.get)
    achieved = next(v for v, n in levels.items() if n == 2)
    my = IdpClient(pilot, pilot_server.url)
    code = my.code(client, "siti.rahman", acr_values=high)  # siti.rahman reaches level 2
    r = my.token(code)
    assert r.status_code == 200
    assert unverified_claims(r.json()["id_token"])["acr"] == achieved


def test_repeated_parameters_are_refused(pilot_server: Any, client: httpx.Client) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    pairs = list(my.params().items()) + [("redirect_uri", f"{pilot_server.url}/elsewhere")]
    r = client.get(f"{my.idp}/authorize?{urlencode(pairs)}")
    assert r.status_code == 400 and "repeated" in r.text and "location" not in r.headers
    code = my.code(client)
    form = list(my.token_form(code).items()) + [("code", "other")]
    r = httpx.post(f"{my.idp}/token", content=urlencode(form).encode(), headers=_FORM)
    assert is_oauth_error(r, "invalid_request") and "repeated" in r.json()["error_description"]
    assert my.token(code).status_code == 200


_FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_a_client_assertion_living_for_a_day_is_refused(
    pilot_server: Any, client: httpx.Client
) -> None:
    pilot = pilot_of(pilot_server)
    my = IdpClient(pilot, pilot_server.url)
    code = my.code(client)
    key = pilot.keys("my/proxy").signing_key
    now = int(time.time())
    cid = my.rp.client_id
    claims = {"iss": cid, "sub": cid, "aud": my.idp, "iat": now, "exp": now + 86400}
    claims["jti"] = secrets.token_urlsafe(12)
    assertion = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key, algorithms=["ES256"])
    r = my.token(code, client_assertion=assertion)
    assert is_oauth_error(r, "invalid_client") and r.status_code == 401
    assert "exp" in r.json()["error_description"]
    assert my.token(code).status_code == 200


def test_a_401_names_its_scheme(pilot_server: Any) -> None:
    base = pilot_server.url
    r = httpx.post(f"{base}/ams/my/idp/token", data={"grant_type": "authorization_code"})
    assert r.status_code in (400, 401)
    r = httpx.post(
        f"{base}/ams/my/idp/token",
        data={
            "grant_type": "authorization_code",
            "code": "c" * 20,
            "redirect_uri": "https://x",
            "code_verifier": "v" * 43,
        },
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert 'error="invalid_client"' in r.headers["www-authenticate"]
    r = httpx.get(f"{base}/ams/my/idp/userinfo")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer ")


def test_a_100kb_state_is_not_echoed(pilot_server: Any, client: httpx.Client) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    r = my.authorize(client, state="s" * 60_000)
    assert 400 <= r.status_code < 500
    assert len(r.headers.get("location", "")) < 2048 and len(r.text) < 20_000


def test_discovery_is_complete(pilot_server: Any) -> None:
    base = pilot_server.url
    for path, profile in (("my/idp", "oidc"), ("my/connector", "oidc"), ("sg/proxy", "fapi2")):
        issuer = f"{base}/ams/{path}"
        meta = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
        assert meta["userinfo_endpoint"] == f"{issuer}/userinfo"
        assert meta["authorization_response_iss_parameter_supported"] is True
        rfc8414 = httpx.get(f"{base}/.well-known/oauth-authorization-server/ams/{path}")
        assert rfc8414.status_code == 200 and rfc8414.json()["issuer"] == issuer
        if profile == "oidc":
            assert "RS256" in meta["id_token_signing_alg_values_supported"]
        else:
            assert meta["require_pushed_authorization_requests"] is True


def test_userinfo_answers_the_access_token(pilot_server: Any, client: httpx.Client) -> None:
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    body = my.token(my.code(client)).json()
    r = httpx.get(f"{my.idp}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert r.status_code == 200
    assert r.json()["sub"] == unverified_claims(body["id_token"])["sub"]
    assert r.json()["family_name"] == "Ahmad"


def test_a_client_registered_for_rs256_gets_rs256_id_tokens(pilot_server: Any) -> None:
    import dataclasses

    from joserfc.jwk import KeySet

    from pilot_sandbox.oidc.grants import PilotClient, PilotOpenIDCode
    from pilot_sandbox.oidc.messages import ProtocolRequest

    pilot = pilot_of(pilot_server)
    idp = pilot.ams["MY"].idp
    party = pilot.trust.current().party(pilot.ams["MY"].proxy_rp.client_id)
    id_tokens = PilotOpenIDCode(idp.server)

    def id_token(client: Any) -> str:
        request = ProtocolRequest("POST", f"{idp.issuer}/token", {}, {})
        request.client, request.user = PilotClient(client, fapi2=False), {"sub": "s", "claims": {}}
        return id_tokens.encode_id_token({"access_token": "a", "scope": "openid"}, request)

    rs = id_token(dataclasses.replace(party, id_token_alg="RS256"))
    public = KeySet.import_key_set(httpx.get(f"{idp.issuer}/jwks").json())
    token = jwt.decode(rs, public, algorithms=["RS256"])
    assert token.header["alg"] == "RS256" and token.claims["aud"] == party.issuer
    es = id_token(party)  # the registered default stays ES256
    assert jwt.decode(es, public, algorithms=["ES256"]).header["alg"] == "ES256"


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"request": "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9."}, "request_not_supported"),
        ({"request_uri": "https://client.example/request.jwt"}, "request_uri_not_supported"),
        ({"registration": '{"client_name": "x"}'}, "registration_not_supported"),
        ({"response_type": "code id_token"}, "unsupported_response_type"),
    ],
)
def test_a_parameter_the_provider_does_not_support_is_refused_not_ignored(
    pilot_server: Any, client: httpx.Client, extra: dict[str, str], error: str
) -> None:
    """OpenID Connect Core 3.1.2.6: a request object, a request_uri or registration data the
    provider would ignore changes what the client believes it asked for; each is answered with its
    own error, at the client's redirect URI (oidc) or from the PAR endpoint (fapi2)."""
    my = IdpClient(pilot_of(pilot_server), pilot_server.url)
    params = my.params(**extra)
    q = location_params(client.get(f"{my.idp}/authorize?{urlencode(params)}"))
    assert q["error"] == error and q["state"] == params["state"] and q["iss"] == my.idp
    assert "support" in q["error_description"]
    if "request_uri" in extra:
        return  # a pushed request_uri has its own test (RFC 9126 2.1)
    sg = IdpClient(my.pilot, pilot_server.url, "SG")
    auth = {"client_assertion_type": JWT_BEARER, "client_assertion": sg.rp.client_assertion()}
    r = httpx.post(
        f"{sg.idp}/par",
        data=sg.params(**auth, **extra),
        headers=dpop_header(my.pilot, "SG", "idp", "par"),
    )
    assert is_oauth_error(r, error) and r.status_code == 400, r.text
