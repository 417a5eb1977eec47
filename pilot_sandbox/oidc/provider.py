"""The OpenID provider side: authorization requests, one-time codes, the token endpoint.

Authorization code flow only, PKCE S256 required, ``private_key_jwt`` client authentication
(RFC 7523) with clients and their keys taken from the signed trust configuration, ES256 ID tokens.
Pending requests and codes live in the store; codes are single-use (consumed atomically) and live
60 seconds.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwe, jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from joserfc.jwt import JWTClaimsRegistry

from eauth_toolkit.errors import PilotError
from pilot_sandbox.keys import KeyRing
from pilot_sandbox.oidc import dpop
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.store import Store
from pilot_sandbox.trust import TrustCache, TrustedParty

__all__ = [
    "AuthRequest",
    "Provider",
    "JWT_BEARER",
    "CODE_TTL",
    "ID_TOKEN_TTL",
    "MAX_PARAM_LENGTH",
    "single_values",
    "with_params",
    "PROFILES",
]

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CODE_TTL = 60
REQUEST_TTL = 900
ID_TOKEN_TTL = 300
#: longest accepted value of any request parameter (a state or claims parameter included)
MAX_PARAM_LENGTH = 2048
#: most parameters accepted in one request
MAX_PARAMS = 64
#: furthest a client assertion's ``exp`` may lie ahead (RFC 7523 3: a short-lived assertion)
MAX_ASSERTION_LIFETIME = 300
#: RFC 7636 4.1: 43 to 128 unreserved characters; 4.2: S256 challenge is 43 base64url characters
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def single_values(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Request parameters as a dict, refusing what OAuth forbids or a server should not take: a
    repeated parameter (RFC 6749 3.1 and 3.2), an over-long value, too many parameters."""
    out: dict[str, str] = {}
    for k, v in items:
        if k in out:
            raise OAuthError("invalid_request", f"parameter {k[:40]!r} is repeated", redirect=False)
        if len(out) >= MAX_PARAMS:
            raise OAuthError(
                "invalid_request", f"more than {MAX_PARAMS} parameters", redirect=False
            )
        if len(v) > MAX_PARAM_LENGTH or len(k) > 100:
            raise OAuthError(
                "invalid_request",
                f"parameter {k[:40]!r} is longer than {MAX_PARAM_LENGTH} characters",
                redirect=False,
            )
        out[k] = v
    return out


def with_params(uri: str, params: dict[str, str]) -> str:
    """``uri`` with ``params`` added to its query (keeping a query the registered URI has)."""
    return str(add_params_to_uri(uri, list(params.items())))


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
    dpop_jkt: str = ""


def _requested_acr(params: Mapping[str, str]) -> tuple[list[str], bool]:
    """acr values from the ``claims`` parameter (essential) or ``acr_values`` (voluntary)."""
    raw = params.get("claims")
    if raw:
        try:
            claims = json.loads(raw)
        except (ValueError, RecursionError):
            raise OAuthError("invalid_request", "the claims parameter is not valid JSON") from None
        id_token = claims.get("id_token") if isinstance(claims, dict) else None
        if not isinstance(claims, dict) or not isinstance(id_token, (dict, type(None))):
            raise OAuthError(
                "invalid_request", "the claims parameter must be a JSON object of objects"
            )
        acr = (id_token or {}).get("acr")
        if acr is not None and not isinstance(acr, dict):
            raise OAuthError("invalid_request", "claims.id_token.acr must be an object or null")
        if isinstance(acr, dict):
            if "values" in acr:
                values = acr["values"]
            elif "value" in acr:
                values = [acr["value"]]
            else:
                values = []
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise OAuthError(
                    "invalid_request",
                    "claims.id_token.acr.values must be a list of strings",
                )
            essential = acr.get("essential", False)
            if not isinstance(essential, bool):
                raise OAuthError(
                    "invalid_request", "claims.id_token.acr.essential must be true or false"
                )
            if values:
                return list(values), essential
    if params.get("acr_values"):
        return params["acr_values"].split(), False
    return [], False


PROFILES = ("oidc", "fapi2")
PAR_TTL = 60
REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
#: client authentication algorithms per profile (FAPI 2.0 5.4: PS256, ES256 or EdDSA)
AUTH_ALGS = {"oidc": ["ES256", "PS256", "RS256"], "fapi2": ["ES256", "PS256"]}
#: ID token encryption to the client (FAPI 2.0 profile of the pilot)
ID_TOKEN_ENC = ("ECDH-ES+A256KW", "A256GCM")


class Provider:
    """One OpenID provider (a national IdP, a Proxy or a Connector).

    ``profile`` is ``oidc`` (authorization code, PKCE S256, private_key_jwt, signed ID tokens) or
    ``fapi2`` (additionally: authorization requests only through PAR, RFC 9126; DPoP-bound access
    tokens, RFC 9449, with server nonces; ID tokens signed then encrypted to the client's key)."""

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
        profile: str = "oidc",
    ) -> None:
        if profile not in PROFILES:
            raise PilotError(f"unknown protocol profile {profile!r}", where="profile")
        self.issuer = issuer
        self._keys = keys
        self.store = store
        self.trust = trust
        self.client_filter = client_filter
        self.claims_supported = claims_supported
        self.acr_values_supported = acr_values_supported
        self.profile = profile

    @property
    def fapi2(self) -> bool:
        return self.profile == "fapi2"

    # ------------------------------------------------------------------ metadata
    @property
    def kind(self) -> str:
        return "op:" + self.issuer.rsplit("/ams/", 1)[-1]

    def metadata(self) -> dict[str, Any]:
        i = self.issuer
        meta: dict[str, Any] = {
            "issuer": i,
            "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token",
            "userinfo_endpoint": f"{i}/userinfo",
            "jwks_uri": f"{i}/jwks",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "scopes_supported": ["openid", "profile"],
            "id_token_signing_alg_values_supported": ["ES256"]
            if self.fapi2
            else ["ES256", "RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": AUTH_ALGS[self.profile],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "claims_parameter_supported": True,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "prompt_values_supported": ["none", "login", "consent"],
            "claims_supported": self.claims_supported,
            "acr_values_supported": self.acr_values_supported,
            "x_eauth_profile": self.profile,
            "x_sandbox": True,
        }
        if self.fapi2:
            meta.update(
                {
                    "pushed_authorization_request_endpoint": f"{i}/par",
                    "require_pushed_authorization_requests": True,
                    "dpop_signing_alg_values_supported": list(dpop.ALGS),
                    "id_token_encryption_alg_values_supported": [ID_TOKEN_ENC[0]],
                    "id_token_encryption_enc_values_supported": [ID_TOKEN_ENC[1]],
                }
            )
        return meta

    def jwks(self) -> dict[str, Any]:
        return self._keys().public_jwks()

    # ------------------------------------------------------------------ authorization
    def client(self, client_id: str) -> TrustedParty:
        try:
            party = self.trust.current().party(client_id)
        except PilotError:
            raise OAuthError(
                "invalid_client",
                f"client {client_id[:200]!r} is not in the trust configuration",
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
        """The authorization request of the authorization endpoint: in ``fapi2`` only a
        ``request_uri`` from the PAR endpoint (RFC 9126 4), used once."""
        client_id = params.get("client_id", "")
        if not client_id:
            raise OAuthError("invalid_request", "client_id is missing", redirect=False)
        if not self.fapi2:
            if "request_uri" in params:
                raise OAuthError(
                    "invalid_request", "request_uri is not supported here", redirect=False
                )
            return self._validate(params, self.client(client_id))
        self.client(client_id)
        request_uri = params.get("request_uri", "")
        if not request_uri.startswith(REQUEST_URI_PREFIX):
            raise OAuthError(
                "invalid_request",
                "this provider takes authorization requests only by request_uri from its "
                "pushed authorization request endpoint (PAR)",
                redirect=False,
            )
        status, data = self.store.take(
            "par", f"{self.kind}/{request_uri.removeprefix(REQUEST_URI_PREFIX)}"
        )
        if status != "ok" or data is None:
            raise OAuthError(
                "invalid_request",
                f"the request_uri is unknown, used or expired ({status})",
                redirect=False,
            )
        req = AuthRequest(**data)
        if req.client_id != client_id:
            raise OAuthError(
                "invalid_request", "the request_uri was pushed by another client", redirect=False
            )
        return req

    def push(self, form: Mapping[str, str], dpop_header: str | None) -> dict[str, Any]:
        """The PAR endpoint (RFC 9126 2): authenticate the client, validate the request, keep it
        and return its ``request_uri``. Errors come back as JSON (never as a redirect)."""
        if not self.fapi2:
            raise OAuthError("invalid_request", "this provider has no PAR endpoint", status=404)
        if "request_uri" in form:
            raise OAuthError("invalid_request", "request_uri must not be pushed")
        party, jti, jti_ttl = self._authenticate(form)
        if form.get("client_id", party.issuer) != party.issuer:
            raise OAuthError("invalid_request", "client_id differs from the authenticated client")
        try:
            req = self._validate(form, party)
        except OAuthError as exc:
            exc.redirect = False
            raise
        if dpop_header is not None:
            proof = dpop.verify_proof(dpop_header, "POST", f"{self.issuer}/par", self._nonce)
            req.dpop_jkt = proof.jkt
        if not self.store.add_unique("jti", jti, ttl=jti_ttl):
            raise OAuthError(
                "invalid_client", "the client assertion was used before (jti replay)", status=401
            )
        self.store.put("par", f"{self.kind}/{req.rid}", asdict(req), ttl=PAR_TTL)
        return {"request_uri": REQUEST_URI_PREFIX + req.rid, "expires_in": PAR_TTL}

    def _validate(self, params: Mapping[str, str], party: TrustedParty) -> AuthRequest:
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in party.redirect_uris:
            raise OAuthError(
                "invalid_request",
                f"redirect_uri {redirect_uri[:200]!r} is not registered for {party.issuer}",
                redirect=False,
            )
        state = params.get("state", "")
        base = AuthRequest(
            rid=secrets.token_urlsafe(18),
            client_id=party.issuer,
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
            if len(state) > 512 or len(base.nonce) > 512:
                raise OAuthError("invalid_request", "state and nonce are limited to 512 characters")
            if "openid" not in base.scope.split():
                raise OAuthError("invalid_scope", "scope must include openid")
            if not state:
                raise OAuthError("invalid_request", "state is required")
            if not base.nonce:
                raise OAuthError("invalid_request", "nonce is required")
            if params.get("code_challenge_method") != "S256" or not _S256_CHALLENGE.fullmatch(
                base.code_challenge
            ):
                raise OAuthError(
                    "invalid_request",
                    "PKCE with code_challenge_method=S256 and a 43-character base64url "
                    "code_challenge is required",
                )
            if params.get("response_mode", "query") != "query":
                raise OAuthError("invalid_request", "only response_mode=query is supported")
            base.acr_values, base.acr_essential = _requested_acr(params)
            prompt = params.get("prompt", "").split()
            if "none" in prompt:
                # no single sign-on session is kept: every sign-in needs the citizen
                raise OAuthError(
                    "login_required", "prompt=none: the citizen must sign in interactively"
                )
        except OAuthError as exc:
            if len(state) > 512:
                base.state = ""
            exc.request = base
            raise
        return base

    # -------------------------------------------------- pending requests (bound to this provider)
    def save(self, req: AuthRequest) -> None:
        self.store.put("authreq", f"{self.kind}/{req.rid}", asdict(req), ttl=REQUEST_TTL)

    def load(self, rid: str) -> AuthRequest:
        data = self.store.get("authreq", f"{self.kind}/{rid[:100]}")
        if data is None:
            raise OAuthError(
                "invalid_request", "the sign-in request is unknown or has expired", redirect=False
            )
        return AuthRequest(**data)

    def take(self, rid: str) -> AuthRequest:
        """Consume a pending request (one answer per request)."""
        status, data = self.store.take("authreq", f"{self.kind}/{rid[:100]}")
        if status != "ok" or data is None:
            why = {"used": "was already answered", "expired": "has expired"}.get(
                status, "is unknown"
            )
            raise OAuthError("invalid_request", f"the sign-in request {why}", redirect=False)
        return AuthRequest(**data)

    def error_redirect(self, req: AuthRequest, error: str, description: str) -> str:
        q = {"error": error, "error_description": description[:300]}
        if req.state:
            q["state"] = req.state
        q["iss"] = self.issuer
        return with_params(req.redirect_uri, q)

    def code_redirect(
        self, req: AuthRequest, *, sub: str, acr: str | None, claims: dict[str, Any]
    ) -> str:
        code = secrets.token_urlsafe(24)
        self.store.put(
            "code",
            f"{self.kind}/{code}",
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
                "dpop_jkt": req.dpop_jkt,
            },
            ttl=CODE_TTL,
        )
        return with_params(req.redirect_uri, {"code": code, "state": req.state, "iss": self.issuer})

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
        except (JoseError, ValueError, RecursionError):
            raise OAuthError(
                "invalid_client", "the client assertion is not a JWS", status=401
            ) from None
        if not isinstance(unverified, dict):
            raise OAuthError("invalid_client", "the client assertion is not a JWT", status=401)
        kid, alg = parts.protected.get("kid"), parts.protected.get("alg")
        if not isinstance(kid, str) or alg not in AUTH_ALGS[self.profile]:
            raise OAuthError(
                "invalid_client",
                f"the client assertion needs a kid and one of the algorithms "
                f"{AUTH_ALGS[self.profile]}",
                status=401,
            )
        client_id = form.get("client_id") or str(unverified.get("iss", ""))
        try:
            party = self.client(client_id)
            if kid not in party.kids():
                # a key this worker has not seen yet: look for a newer configuration once
                self.trust.refresh()
                party = self.client(client_id)
        except OAuthError as exc:
            raise OAuthError(exc.code, exc.description, status=401) from None
        try:
            token = jwt.decode(assertion, party.keyset, algorithms=AUTH_ALGS[self.profile])
            JWTClaimsRegistry(
                leeway=30,
                iss={"essential": True, "value": client_id},
                sub={"essential": True, "value": client_id},
                aud={"essential": True, "values": [self.issuer, f"{self.issuer}/token"]},
                exp={"essential": True},
                jti={"essential": True},
            ).validate(token.claims)
            exp = token.claims["exp"]
            if not isinstance(exp, int) or exp > time.time() + MAX_ASSERTION_LIFETIME:
                raise ValueError(
                    f"exp lies more than {MAX_ASSERTION_LIFETIME} seconds in the future"
                )
            if not isinstance(token.claims["jti"], str) or len(token.claims["jti"]) > 200:
                raise ValueError("jti must be a string of at most 200 characters")
        except (JoseError, ValueError, TypeError) as exc:
            raise OAuthError(
                "invalid_client",
                f"the client assertion of {client_id} is not valid ({exc})",
                status=401,
            ) from None
        ttl = max(60.0, float(token.claims["exp"]) - time.time() + 60)
        return party, f"{client_id}|{token.claims['jti']}", ttl

    def _nonce(self) -> list[str]:
        return dpop.nonces(self._keys().signing_key)

    def dpop_nonce(self) -> str:
        return self._nonce()[0]

    def token(
        self, form: Mapping[str, str], dpop_header: str | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Handle a token request; return the JSON response and the code's data (for events).
        The request is checked in full before the code is consumed."""
        if form.get("grant_type") != "authorization_code":
            raise OAuthError(
                "unsupported_grant_type", "only grant_type=authorization_code is supported"
            )
        code = form.get("code", "")
        if not code or len(code) > 100:
            raise OAuthError("invalid_request", "code is missing")
        if not form.get("redirect_uri"):
            raise OAuthError("invalid_request", "redirect_uri is missing")
        if not _VERIFIER.fullmatch(form.get("code_verifier", "")):
            raise OAuthError(
                "invalid_request",
                "code_verifier must be 43 to 128 unreserved characters (RFC 7636 4.1)",
            )
        party, jti, jti_ttl = self._authenticate(form)
        proof = None
        if self.fapi2 or dpop_header is not None:
            if dpop_header is None:
                raise OAuthError(
                    "invalid_dpop_proof", "a DPoP proof is required (sender-constrained tokens)"
                )
            proof = dpop.verify_proof(dpop_header, "POST", f"{self.issuer}/token", self._nonce)
        # one transaction: remember the assertion's jti and the DPoP proof's (a replay is refused
        # and leaves the code unused) and consume the code
        uniques = [("jti", jti, jti_ttl)]
        if proof is not None:
            uniques.append(("dpop", f"{proof.jkt}|{proof.jti}", 300.0))
        fresh, status, data = self.store.take_once("code", f"{self.kind}/{code}", unique=uniques)
        if not fresh:
            if self.store.get("jti", jti) is not None:
                raise OAuthError(
                    "invalid_client",
                    "the client assertion was used before (jti replay)",
                    status=401,
                )
            raise OAuthError("invalid_dpop_proof", "the DPoP proof was used before")
        if status == "missing" or data is None:
            raise OAuthError("invalid_grant", "the authorization code is unknown")
        try:
            self._check_code(status, data, party, form)
            if data.get("dpop_jkt") and (proof is None or proof.jkt != data["dpop_jkt"]):
                raise OAuthError(
                    "invalid_grant", "the DPoP key differs from the one bound at PAR (dpop_jkt)"
                )
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
        access_token = secrets.token_urlsafe(32)
        self.store.put(
            "at",
            f"{self.kind}/{access_token}",
            {
                "client_id": party.issuer,
                "sub": data["sub"],
                "claims": data["claims"],
                "jkt": proof.jkt if proof else "",
            },
            ttl=ID_TOKEN_TTL,
        )
        return (
            {
                "access_token": access_token,
                "token_type": "DPoP" if proof else "Bearer",
                "expires_in": ID_TOKEN_TTL,
                "scope": "openid",
                "id_token": self._id_token(claims, party),
            },
            data,
        )

    def _id_token(self, claims: dict[str, Any], party: TrustedParty) -> str:
        ring = self._keys()
        if party.id_token_alg == "RS256" and not self.fapi2:
            rsa: RSAKey = ring.rsa_key
            return jwt.encode(
                {"alg": "RS256", "kid": rsa.kid, "typ": "JWT"}, claims, rsa, algorithms=["RS256"]
            )
        key = ring.signing_key
        signed = jwt.encode(
            {"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key, algorithms=["ES256"]
        )
        if not self.fapi2:
            return signed
        enc = _encryption_key(party)
        return jwe.encrypt_compact(
            {"alg": ID_TOKEN_ENC[0], "enc": ID_TOKEN_ENC[1], "kid": enc.kid, "cty": "JWT"},
            signed,
            enc,
            algorithms=list(ID_TOKEN_ENC),
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
        if create_s256_code_challenge(form["code_verifier"]) != data["code_challenge"]:
            raise OAuthError(
                "invalid_grant", "PKCE verification failed: code_verifier does not match"
            )

    # ------------------------------------------------------------------ userinfo
    def userinfo(self, authorization: str, dpop_header: str | None, method: str) -> dict[str, Any]:
        """The UserInfo endpoint: the token's claims. In ``fapi2`` the access token must come
        with a DPoP proof by the key it is bound to (RFC 9449 7)."""
        scheme, _, token = authorization.partition(" ")
        scheme = scheme.lower()
        if scheme not in ("bearer", "dpop") or not token or len(token) > 100:
            raise OAuthError("invalid_token", "an access token is required", status=401)
        data = self.store.get("at", f"{self.kind}/{token}")
        if data is None:
            raise OAuthError("invalid_token", "the access token is unknown or expired", status=401)
        if data["jkt"]:
            if scheme != "dpop" or dpop_header is None:
                raise OAuthError(
                    "invalid_token",
                    "the access token is DPoP-bound: send it with a DPoP proof",
                    status=401,
                )
            proof = dpop.verify_proof(
                dpop_header, method, f"{self.issuer}/userinfo", self._nonce, access_token=token
            )
            if proof.jkt != data["jkt"]:
                raise OAuthError(
                    "invalid_token", "the DPoP proof is signed by another key", status=401
                )
        elif scheme != "bearer":
            raise OAuthError("invalid_token", "the access token is a Bearer token", status=401)
        return {"sub": data["sub"], **data["claims"]}


def _encryption_key(party: TrustedParty) -> ECKey:
    for k in party.jwks.get("keys", []):
        if k.get("use") == "enc" and k.get("kty") == "EC":
            return ECKey.import_key(k)
    raise OAuthError(
        "invalid_client",
        f"{party.issuer} has registered no encryption key for its ID tokens",
    )
