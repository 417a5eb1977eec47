"""Helpers of the security tests: direct requests to MY's national IdP (profile ``oidc``) as MY's
Proxy would make them, so each test drives exactly the request it is about."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws

from pilot_sandbox.oidc.provider import JWT_BEARER

RID = re.compile(r'name="rid" value="([^"]+)"')
SID = re.compile(r'name="sid" value="([^"]+)"')


class IdpClient:
    """MY's Proxy as a client of MY's national IdP."""

    def __init__(self, pilot: Any, base: str, code: str = "MY") -> None:
        self.pilot, self.base, self.ams = pilot, base, code
        self.rp = pilot.ams[code].proxy_rp
        self.idp = f"{base}/ams/{code.lower()}/idp"
        self.verifier = secrets.token_urlsafe(48)

    def params(self, **changes: str) -> dict[str, str]:
        q = {
            "response_type": "code",
            "client_id": self.rp.client_id,
            "redirect_uri": self.rp.redirect_uri,
            "scope": "openid profile",
            "state": "st-" + secrets.token_urlsafe(8),
            "nonce": "n-" + secrets.token_urlsafe(8),
            "code_challenge": create_s256_code_challenge(self.verifier),
            "code_challenge_method": "S256",
        }
        q.update(changes)
        return q

    def authorize(self, client: httpx.Client, **changes: str) -> httpx.Response:
        return client.get(f"{self.idp}/authorize?{urlencode(self.params(**changes))}")

    def rid(self, client: httpx.Client, **changes: str) -> str:
        r = self.authorize(client, **changes)
        assert r.status_code == 200, r.text
        return RID.search(r.text).group(1)  # type: ignore[union-attr]

    def login(self, client: httpx.Client, rid: str, username: str = "nur.aisyah") -> httpx.Response:
        return client.post(
            f"{self.idp}/login", data={"rid": rid, "username": username, "password": "sandbox"}
        )

    def code(self, client: httpx.Client, username: str = "nur.aisyah", **changes: str) -> str:
        r = self.login(client, self.rid(client, **changes), username)
        sid = SID.search(r.text).group(1)  # type: ignore[union-attr]
        r = client.post(f"{self.idp}/consent", data={"sid": sid, "decision": "allow"})
        assert r.status_code == 303, r.text
        return parse_qs(urlparse(r.headers["location"]).query)["code"][0]

    def token_form(self, code: str, **changes: str) -> dict[str, str]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.rp.redirect_uri,
            "code_verifier": self.verifier,
            "client_id": self.rp.client_id,
            "client_assertion_type": JWT_BEARER,
            "client_assertion": self.rp.client_assertion(),
        }
        form.update(changes)
        return form

    def token(self, code: str, **changes: str) -> httpx.Response:
        return httpx.post(f"{self.idp}/token", data=self.token_form(code, **changes))


def location_params(r: httpx.Response) -> dict[str, str]:
    assert r.status_code in (302, 303), (r.status_code, r.text[:300])
    return {k: v[0] for k, v in parse_qs(urlparse(r.headers["location"]).query).items()}


def unverified_claims(id_token: str) -> dict[str, Any]:
    return dict(json.loads(jws.extract_compact(id_token.encode()).payload))


def assertion_with_header(client_id: str, aud: str, header: dict[str, Any]) -> str:
    """A compact JWS with a chosen (possibly malformed) protected header; the signature is not
    valid, since the header must be refused before any key is chosen."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 60}
    claims["jti"] = secrets.token_urlsafe(12)

    def b64(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{b64({'alg': 'ES256', **header})}.{b64(claims)}.{b64('sig')}"


def is_oauth_error(r: httpx.Response, *codes: str) -> bool:
    """A 4xx OAuth error in JSON (RFC 6749 5.2), with one of ``codes``."""
    try:
        body = r.json()
    except ValueError:
        return False
    return (
        400 <= r.status_code < 500
        and set(body) <= {"error", "error_description"}
        and (body.get("error") in codes)
    )
