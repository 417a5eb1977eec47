"""A misbehaving OpenID provider for the negative tests: it answers every authorization request at
once and, at the token endpoint, returns an ID token broken in the way ``mode`` names (tampered,
unsigned, wrong issuer, expired...). It stands in for a compromised or buggy national IdP, so the
Proxy and Connector under test are exercised over real HTTP."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import ECKey

MY_P1 = "urn:sandbox:my:digitalid:acr:p1"
MY_P2 = "urn:sandbox:my:digitalid:acr:p2"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class RogueOP:
    def __init__(self, port: int) -> None:
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.key = ECKey.generate_key(
            "P-256", parameters={"use": "sig", "alg": "ES256"}, private=True, auto_kid=True
        )
        self.stranger = ECKey.generate_key(
            "P-256", parameters={"use": "sig", "alg": "ES256"}, private=True, auto_kid=True
        )
        self.mode = "ok"
        self.other_issuer = ""
        self.codes: dict[str, dict[str, Any]] = {}
        self.app = self._app()
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def claims(self, grant: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time())
        c = {
            "iss": self.issuer,
            "sub": "rogue-citizen-1",
            "aud": grant["client_id"],
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "acr": MY_P2,
            "given_name": "Rogue",
            "family_name": "Tester",
            "birthdate": "1990-01-01",
        }
        m = self.mode
        if m == "wrong_iss":
            c["iss"] = self.other_issuer
        elif m == "untrusted_iss":
            c["iss"] = "http://127.0.0.1:9/not-in-the-trust-configuration"
        elif m == "wrong_aud":
            c["aud"] = "http://127.0.0.1:9/some-other-client"
        elif m == "expired":
            c["iat"], c["exp"] = now - 7200, now - 3600
        elif m == "nonce":
            c["nonce"] = "a-nonce-from-another-request"
        elif m == "downgrade":
            c["acr"] = MY_P1
        elif m == "unknown_acr":
            c["acr"] = "urn:sandbox:my:digitalid:acr:p9"
        return c

    def id_token(self, grant: dict[str, Any]) -> str:
        claims = self.claims(grant)
        if self.mode == "alg_none":
            return (
                _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
                + "."
                + _b64(json.dumps(claims).encode())
                + "."
            )
        key = self.stranger if self.mode == "unknown_kid" else self.key
        token = jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key)
        if self.mode == "tampered":
            h, p, s = token.split(".")
            claims["sub"] = "someone-else"
            token = ".".join([h, _b64(json.dumps(claims).encode()), s])
        return token

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def meta() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return {"keys": [self.key.as_dict(private=False)]}

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            code = secrets.token_urlsafe(12)
            self.codes[code] = {"client_id": q["client_id"], "nonce": q["nonce"]}
            return RedirectResponse(
                f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", 302
            )

        @app.post("/token")
        async def token(request: Request) -> JSONResponse:
            form = await request.form()
            grant = self.codes.pop(str(form["code"]))
            return JSONResponse(
                {"access_token": "x", "token_type": "Bearer", "id_token": self.id_token(grant)}
            )

        return app

    def start(self) -> RogueOP:
        import socket

        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise TimeoutError("the rogue provider did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
