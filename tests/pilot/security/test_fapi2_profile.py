"""The fapi2 profile (SG in the default sandbox) as an attacker or a careless client meets it:
authorization requests only by PAR, DPoP-bound tokens with server nonces, ID tokens encrypted to the
client, UserInfo only with the bound key."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from joserfc import jwe, jwt
from joserfc.jwk import ECKey
from pilot_helpers import dpop_header, pilot_of
from security_helpers import SID, IdpClient, is_oauth_error

from pilot_sandbox.oidc.dpop import make_proof
from pilot_sandbox.oidc.provider import JWT_BEARER


class FapiClient(IdpClient):
    """SG's Proxy as a FAPI 2.0 client of SG's national IdP."""

    def __init__(self, pilot: Any, base: str) -> None:
        super().__init__(pilot, base, "SG")
        self.dpop_key = ECKey.generate_key("P-256", private=True)

    def request(self, **changes: str) -> dict[str, str]:
        auth = {"client_assertion_type": JWT_BEARER, "client_assertion": self.rp.client_assertion()}
        return self.params(**{**auth, **changes})

    def proof(self, endpoint: str, method: str = "POST", **kw: Any) -> dict[str, str]:
        nonce = self.pilot.ams["SG"].idp.dpop_nonce()
        url = f"{self.idp}/{endpoint}"
        return {"DPoP": make_proof(self.dpop_key, method, url, nonce=nonce, **kw)}

    def push(self, **changes: str) -> httpx.Response:
        return httpx.post(
            f"{self.idp}/par", data=self.request(**changes), headers=self.proof("par")
        )

    def code(self, client: httpx.Client, pushed: httpx.Response | None = None) -> str:
        request_uri = (pushed or self.push()).json()["request_uri"]
        page = client.get(
            f"{self.idp}/authorize",
            params={"client_id": self.rp.client_id, "request_uri": request_uri},
        )
        rid = parse_qs("rid=" + page.text.split('name="rid" value="')[1].split('"')[0])["rid"][0]
        r = client.post(
            f"{self.idp}/login",
            data={"rid": rid, "username": "tan.mei.ling", "password": "sandbox"},
        )
        sid = SID.search(r.text).group(1)  # type: ignore[union-attr]
        r = client.post(f"{self.idp}/consent", data={"sid": sid, "decision": "allow"})
        q = parse_qs(urlparse(r.headers["location"]).query)
        assert q["iss"] == [self.idp]
        return q["code"][0]

    def token(  # type: ignore[override]
        self, code: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return httpx.post(
            f"{self.idp}/token",
            data=self.token_form(code),
            headers=self.proof("token") if headers is None else headers,
        )


def test_authorization_requests_come_only_by_par(pilot_server: Any, client: httpx.Client) -> None:
    fapi = FapiClient(pilot_of(pilot_server), pilot_server.url)
    q = fapi.request()
    del q["client_assertion"], q["client_assertion_type"]
    r = client.get(f"{fapi.idp}/authorize?{urlencode(q)}")
    assert r.status_code == 400 and "PAR" in r.text and "location" not in r.headers
    pushed = fapi.push()
    assert pushed.status_code == 201 and pushed.headers["dpop-nonce"]
    request_uri = pushed.json()["request_uri"]
    assert request_uri.startswith("urn:ietf:params:oauth:request_uri:")
    first = client.get(
        f"{fapi.idp}/authorize", params={"client_id": fapi.rp.client_id, "request_uri": request_uri}
    )
    assert first.status_code == 200 and "login-form" in first.text
    again = client.get(
        f"{fapi.idp}/authorize", params={"client_id": fapi.rp.client_id, "request_uri": request_uri}
    )
    assert again.status_code == 400  # a request_uri is used once


def test_par_needs_client_authentication(pilot_server: Any) -> None:
    fapi = FapiClient(pilot_of(pilot_server), pilot_server.url)
    r = fapi.push(client_assertion="")
    assert is_oauth_error(r, "invalid_client") and r.status_code == 401
    r = fapi.push(redirect_uri="https://attacker.example/cb")
    assert is_oauth_error(r, "invalid_request")


def test_tokens_are_dpop_bound_and_id_tokens_encrypted(
    pilot_server: Any, client: httpx.Client
) -> None:
    pilot = pilot_of(pilot_server)
    fapi = FapiClient(pilot, pilot_server.url)
    code = fapi.code(client)
    no_proof = fapi.token(code, headers={})
    assert is_oauth_error(no_proof, "invalid_dpop_proof")
    stale = {"DPoP": make_proof(fapi.dpop_key, "POST", f"{fapi.idp}/token", nonce="old")}
    r = fapi.token(code, headers=stale)
    assert is_oauth_error(r, "use_dpop_nonce") and r.headers["dpop-nonce"]
    r = fapi.token(code)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "DPoP"
    assert body["id_token"].count(".") == 4  # a JWE
    inner = jwe.decrypt_compact(
        body["id_token"],
        pilot.keys("sg/proxy").encryption_keys,
        algorithms=["ECDH-ES+A256KW", "A256GCM"],
    ).plaintext
    signed = jwt.decode(inner.decode(), pilot.keys("sg/idp").signing_key, algorithms=["ES256"])
    assert signed.claims["aud"] == fapi.rp.client_id
    at = body["access_token"]
    bearer = httpx.get(f"{fapi.idp}/userinfo", headers={"Authorization": f"Bearer {at}"})
    assert bearer.status_code == 401 and bearer.headers["www-authenticate"].startswith("DPoP ")
    other_key = dpop_header(pilot, "SG", "idp", "userinfo", method="GET", access_token=at)
    r = httpx.get(f"{fapi.idp}/userinfo", headers={"Authorization": f"DPoP {at}", **other_key})
    assert r.status_code == 401 and "another key" in r.json()["error_description"]
    own = fapi.proof("userinfo", "GET", access_token=at)
    r = httpx.get(f"{fapi.idp}/userinfo", headers={"Authorization": f"DPoP {at}", **own})
    assert r.status_code == 200 and r.json()["family_name"] == "Tan"


def test_a_dpop_proof_is_used_once(pilot_server: Any, client: httpx.Client) -> None:
    fapi = FapiClient(pilot_of(pilot_server), pilot_server.url)
    proof = fapi.proof("token")
    assert fapi.token(fapi.code(client), headers=proof).status_code == 200
    r = fapi.token(fapi.code(client), headers=proof)
    assert is_oauth_error(r, "invalid_dpop_proof")


def test_par_may_name_the_dpop_key_by_thumbprint(pilot_server: Any, client: httpx.Client) -> None:
    """RFC 9449 10: ``dpop_jkt`` in the pushed request binds the code to that key, with or
    without a proof at PAR; a proof by another key, or a malformed thumbprint, is refused."""
    fapi = FapiClient(pilot_of(pilot_server), pilot_server.url)
    jkt = str(fapi.dpop_key.thumbprint())
    form = fapi.request(dpop_jkt=jkt)
    pushed = httpx.post(f"{fapi.idp}/par", data=form)  # no DPoP header: the thumbprint alone
    assert pushed.status_code == 201, pushed.text
    code = fapi.code(client, pushed)
    stranger = ECKey.generate_key("P-256", private=True)
    nonce = fapi.pilot.ams["SG"].idp.dpop_nonce()
    other = {"DPoP": make_proof(stranger, "POST", f"{fapi.idp}/token", nonce=nonce)}
    r = fapi.token(code, headers=other)
    assert is_oauth_error(r, "invalid_grant") and "dpop_jkt" in r.json()["error_description"]
    code = fapi.code(client, httpx.post(f"{fapi.idp}/par", data=fapi.request(dpop_jkt=jkt)))
    r = fapi.token(code)  # the named key
    assert r.status_code == 200 and r.json()["token_type"] == "DPoP", r.text
    # a proof by one key while dpop_jkt names another
    mismatch = httpx.post(
        f"{fapi.idp}/par",
        data=fapi.request(dpop_jkt=str(stranger.thumbprint())),
        headers=fapi.proof("par"),
    )
    assert is_oauth_error(mismatch, "invalid_dpop_proof")
    for bad in ("", "short", "x" * 43 + "=", "a/" * 22):
        r = httpx.post(f"{fapi.idp}/par", data=fapi.request(dpop_jkt=bad))
        assert is_oauth_error(r, "invalid_request") and r.status_code == 400, (bad, r.text)


def test_fapi2_discovery(pilot_server: Any) -> None:
    meta = httpx.get(f"{pilot_server.url}/ams/sg/idp/.well-known/openid-configuration").json()
    assert meta["pushed_authorization_request_endpoint"].endswith("/ams/sg/idp/par")
    assert meta["require_pushed_authorization_requests"] is True
    assert set(meta["token_endpoint_auth_signing_alg_values_supported"]) == {"ES256", "PS256"}
    assert meta["dpop_signing_alg_values_supported"] == ["ES256", "PS256"]
    assert json.dumps(meta["id_token_encryption_alg_values_supported"]) == '["ECDH-ES+A256KW"]'


def _assertion(fapi: IdpClient, aud: Any) -> str:
    """A client assertion signed with the client's real key, for a chosen audience."""
    cid = fapi.rp.client_id
    now = int(time.time())
    claims = {"iss": cid, "sub": cid, "aud": aud, "iat": now, "exp": now + 60}
    claims["jti"] = secrets.token_urlsafe(12)
    key = fapi.pilot.keys("sg/proxy" if fapi.ams == "SG" else "my/proxy").signing_key
    return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key)


def test_a_fapi2_client_assertion_names_only_the_issuer_as_a_string(
    pilot_server: Any, client: httpx.Client
) -> None:
    """FAPI 2.0 Security Profile 5.3.2.1: the provider accepts its issuer identifier as a string
    and nothing else in ``aud`` (an assertion made for an endpoint URL, or for several audiences,
    could have been made for another server); in the oidc profile the token endpoint is still
    accepted, as OpenID Connect Core 9 suggests it."""
    fapi = FapiClient(pilot_of(pilot_server), pilot_server.url)
    for aud in (
        f"{fapi.idp}/token",
        f"{fapi.idp}/par",
        [fapi.idp],
        [fapi.idp, f"{fapi.idp}/token"],
    ):
        r = fapi.push(client_assertion=_assertion(fapi, aud))
        assert is_oauth_error(r, "invalid_client") and r.status_code == 401, (aud, r.text)
        assert "single string" in r.json()["error_description"]
        code = fapi.code(client)
        r = httpx.post(
            f"{fapi.idp}/token",
            data=fapi.token_form(code, client_assertion=_assertion(fapi, aud)),
            headers=fapi.proof("token"),
        )
        assert is_oauth_error(r, "invalid_client"), (aud, r.text)
        assert fapi.token(code).status_code == 200  # the code was not consumed
    assert fapi.push(client_assertion=_assertion(fapi, fapi.idp)).status_code == 201
    basic = IdpClient(fapi.pilot, pilot_server.url)  # MY: profile oidc
    r = basic.token(basic.code(client), client_assertion=_assertion(basic, f"{basic.idp}/token"))
    assert r.status_code == 200, r.text
