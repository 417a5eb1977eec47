"""The OpenID provider side: authorization requests, one-time codes, the token endpoint.

Authorization code flow only, PKCE S256 required, ``private_key_jwt`` client authentication
(RFC 7523) with clients and their keys taken from the signed trust configuration, ES256 ID tokens.
Pending requests and codes live in the store; codes are single-use (consumed atomically) and live
60 seconds.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from eauth_toolkit.errors import PilotError
from pilot_sandbox.keys import KeyRing
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.store import Store
from pilot_sandbox.trust import TrustCache, TrustedParty

__all__ = ["AuthRequest", "Provider", "JWT_BEARER", "CODE_TTL", "ID_TOKEN_TTL"]

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CODE_TTL = 60
REQUEST_TTL = 900
ID_TOKEN_TTL = 300


@dataclass
class AuthRequest:
    """A validated authorization request, kept in the store while the user is elsewhere."""

    rid: str
    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    scope: str
    acr_values: list[str] = field(default_factory=list)
    acr_essential: bool = False
    flow_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _requested_acr(params: Mapping[str, str]) -> tuple[list[str], bool]:
    """acr values from the ``claims`` parameter (essential) or ``acr_values`` (voluntary)."""
    raw = params.get("claims")
    if raw:
        try:
            claims = json.loads(raw)
            acr = claims.get("id_token", {}).get("acr")
        except (ValueError, AttributeError):
            raise OAuthError("invalid_request", "the claims parameter is not valid JSON") from None
        if isinstance(acr, dict):
            values = acr.get("values") or ([acr["value"]] if "value" in acr else [])
            if not all(isinstance(v, str) for v in values):
                raise OAuthError(
                    "invalid_request", "acr values in the claims parameter must be strings"
                )
            return list(values), bool(acr.get("essential"))
    if params.get("acr_values"):
        return params["acr_values"].split(), False
    return [], False


class Provider:
    """One OpenID provider (a national IdP, a Proxy or a Connector)."""

    def __init__(
        self,
        *,
        issuer: str,
        keys: Callable[[], KeyRing],
        store: Store,
        trust: TrustCache,
        client_filter: Callable[[TrustedParty], bool],
        claims_supported: list[str],
        acr_values_supported: list[str],
    ) -> None:
        self.issuer = issuer
        self._keys = keys
        self.store = store
        self.trust = trust
        self.client_filter = client_filter
        self.claims_supported = claims_supported
        self.acr_values_supported = acr_values_supported

    # ------------------------------------------------------------------ metadata
    @property
    def kind(self) -> str:
        return "op:" + self.issuer.rsplit("/ams/", 1)[-1]

    def metadata(self) -> dict[str, Any]:
        i = self.issuer
        return {
            "issuer": i,
            "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token",
            "jwks_uri": f"{i}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "scopes_supported": ["openid", "profile"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
            "claims_parameter_supported": True,
            "claims_supported": self.claims_supported,
            "acr_values_supported": self.acr_values_supported,
            "x_sandbox": True,
        }

    def jwks(self) -> dict[str, Any]:
        return self._keys().public_jwks()

    # ------------------------------------------------------------------ authorization
    def client(self, client_id: str) -> TrustedParty:
        try:
            party = self.trust.current().party(client_id)
        except PilotError:
            raise OAuthError(
                "invalid_client",
                f"client {client_id!r} is not in the trust configuration",
                redirect=False,
            ) from None
        if not self.client_filter(party):
            raise OAuthError(
                "unauthorized_client",
                f"{client_id} may not use this provider ({party.role} of {party.ams})",
                redirect=False,
            )
        return party

    def parse_authorization(self, params: Mapping[str, str]) -> AuthRequest:
        client_id = params.get("client_id", "")
        if not client_id:
            raise OAuthError("invalid_request", "client_id is missing", redirect=False)
        party = self.client(client_id)
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in party.redirect_uris:
            raise OAuthError(
                "invalid_request",
                f"redirect_uri {redirect_uri!r} is not registered for {client_id}",
                redirect=False,
            )
        state = params.get("state", "")
        base = AuthRequest(
            rid=secrets.token_urlsafe(18),
            client_id=client_id,
            redirect_uri=redirect_uri,
            state=state,
            nonce=params.get("nonce", ""),
            code_challenge=params.get("code_challenge", ""),
            scope=params.get("scope", ""),
            flow_id=params.get("eauth_flow", "")[:40],
        )
        try:
            if params.get("response_type") != "code":
                raise OAuthError(
                    "unsupported_response_type", "only response_type=code is supported"
                )
            if "openid" not in base.scope.split():
                raise OAuthError("invalid_scope", "scope must include openid")
            if not state:
                raise OAuthError("invalid_request", "state is required")
            if not base.nonce:
                raise OAuthError("invalid_request", "nonce is required")
            if not base.code_challenge or params.get("code_challenge_method") != "S256":
                raise OAuthError(
                    "invalid_request", "PKCE with code_challenge_method=S256 is required"
                )
            base.acr_values, base.acr_essential = _requested_acr(params)
        except OAuthError as exc:
            exc.request = base
            raise
        return base

    def save(self, req: AuthRequest) -> None:
        self.store.put("authreq", req.rid, asdict(req), ttl=REQUEST_TTL)

    def load(self, rid: str) -> AuthRequest:
        data = self.store.get("authreq", rid)
        if data is None:
            raise OAuthError(
                "invalid_request", "the sign-in request is unknown or has expired", redirect=False
            )
        return AuthRequest(**data)

    def error_redirect(self, req: AuthRequest, error: str, description: str) -> str:
        q = {
            "error": error,
            "error_description": description,
            "state": req.state,
            "iss": self.issuer,
        }
        return f"{req.redirect_uri}?{urlencode(q)}"

    def code_redirect(
        self, req: AuthRequest, *, sub: str, acr: str | None, claims: dict[str, Any]
    ) -> str:
        code = secrets.token_urlsafe(24)
        self.store.put(
            "code",
            code,
            {
                "client_id": req.client_id,
                "redirect_uri": req.redirect_uri,
                "code_challenge": req.code_challenge,
                "nonce": req.nonce,
                "sub": sub,
                "acr": acr,
                "auth_time": int(time.time()),
                "claims": claims,
                "flow_id": req.flow_id,
            },
            ttl=CODE_TTL,
        )
        q = {"code": code, "state": req.state, "iss": self.issuer}
        return f"{req.redirect_uri}?{urlencode(q)}"

    # ------------------------------------------------------------------ token endpoint
    def _authenticate(self, form: Mapping[str, str]) -> tuple[TrustedParty, str, float]:
        """The client, once its assertion verifies; with the assertion's replay key (its ``jti``,
        remembered together with the code's consumption) and how long to remember it."""
        if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
            raise OAuthError(
                "invalid_client", "private_key_jwt client authentication is required", status=401
            )
        assertion = form["client_assertion"]
        try:
            parts = jws.extract_compact(assertion.encode())
            unverified = json.loads(parts.payload)
        except (JoseError, ValueError):
            raise OAuthError(
                "invalid_client", "the client assertion is not a JWS", status=401
            ) from None
        client_id = form.get("client_id") or str(unverified.get("iss", ""))
        try:
            party = self.client(client_id)
            if parts.protected.get("kid") not in party.kids():
                # a key this worker has not seen yet: look for a newer configuration once
                self.trust.refresh()
                party = self.client(client_id)
        except OAuthError as exc:
            raise OAuthError(exc.code, exc.description, status=401) from None
        try:
            token = jwt.decode(assertion, party.keyset, algorithms=["ES256"])
            JWTClaimsRegistry(
                leeway=30,
                iss={"essential": True, "value": client_id},
                sub={"essential": True, "value": client_id},
                aud={"essential": True, "values": [self.issuer, f"{self.issuer}/token"]},
                exp={"essential": True},
                jti={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise OAuthError(
                "invalid_client",
                f"the client assertion of {client_id} is not valid ({exc})",
                status=401,
            ) from None
        ttl = max(60.0, float(token.claims["exp"]) - time.time() + 60)
        return party, f"{client_id}|{token.claims['jti']}", ttl

    def token(self, form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Handle a token request; return the JSON response and the code's data (for events)."""
        if form.get("grant_type") != "authorization_code":
            raise OAuthError(
                "unsupported_grant_type", "only grant_type=authorization_code is supported"
            )
        party, jti, jti_ttl = self._authenticate(form)
        code = form.get("code", "")
        # one transaction: remember the assertion's jti (a replay is refused and leaves the code
        # unused) and consume the code
        fresh, status, data = self.store.take_once("code", code, unique=("jti", jti, jti_ttl))
        if not fresh:
            raise OAuthError(
                "invalid_client", "the client assertion was used before (jti replay)", status=401
            )
        if status == "missing" or data is None:
            raise OAuthError("invalid_grant", "the authorization code is unknown")
        try:
            self._check_code(status, data, party, form)
        except OAuthError as exc:
            exc.flow_id = str(data.get("flow_id") or "")
            raise
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": data["sub"],
            "aud": party.issuer,
            "iat": now,
            "exp": now + ID_TOKEN_TTL,
            "auth_time": data["auth_time"],
            "nonce": data["nonce"],
            **({"acr": data["acr"]} if data.get("acr") else {}),
            **data["claims"],
        }
        key = self._keys().signing_key
        id_token = jwt.encode(
            {"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key, algorithms=["ES256"]
        )
        return (
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": ID_TOKEN_TTL,
                "id_token": id_token,
            },
            data,
        )

    @staticmethod
    def _check_code(
        status: str, data: dict[str, Any], party: TrustedParty, form: Mapping[str, str]
    ) -> None:
        if status == "used":
            raise OAuthError("invalid_grant", "the authorization code was already used (replay)")
        if status == "expired":
            raise OAuthError("invalid_grant", "the authorization code has expired")
        if data["client_id"] != party.issuer:
            raise OAuthError("invalid_grant", "the authorization code was issued to another client")
        if form.get("redirect_uri") != data["redirect_uri"]:
            raise OAuthError(
                "invalid_grant", "redirect_uri does not match the authorization request"
            )
        verifier = form.get("code_verifier", "")
        if not verifier or create_s256_code_challenge(verifier) != data["code_challenge"]:
            raise OAuthError(
                "invalid_grant", "PKCE verification failed: code_verifier does not match"
            )
