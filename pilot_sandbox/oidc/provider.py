"""One OpenID provider of the pilot (a national IdP, a Proxy or a Connector): its metadata and
keys, and its endpoints' work, done by an authlib authorization server
(:class:`~pilot_sandbox.oidc.server.OpenIDServer`).

Authorization code flow only, PKCE S256 required, ``private_key_jwt`` client authentication
(RFC 7523) with clients and their keys taken from the signed trust configuration, ES256 ID tokens.
Pending requests and codes live in the store; codes are single-use (consumed atomically) and live
60 seconds. Nothing here touches HTTP: methods take parameter dicts and header values and return
:class:`~pilot_sandbox.oidc.server.ProtocolResponse` values or raise one
:class:`~pilot_sandbox.oidc.errors.OAuthError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from authlib.common.urls import add_params_to_uri

from eauth_toolkit.errors import PilotError
from pilot_sandbox.keys import KeyRing
from pilot_sandbox.oidc import dpop
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.messages import (
    AUTH_ALGS,
    CODE_TTL,
    ID_TOKEN_ENC,
    ID_TOKEN_TTL,
    JWT_BEARER,
    REQUEST_URI_PREFIX,
    PendingRequest,
    ProtocolRequest,
    ProtocolResponse,
    translated,
)
from pilot_sandbox.oidc.server import OpenIDServer
from pilot_sandbox.store import Store
from pilot_sandbox.trust import TrustCache, TrustedParty

__all__ = [
    "AuthRequest",
    "Provider",
    "JWT_BEARER",
    "CODE_TTL",
    "ID_TOKEN_TTL",
    "MAX_PARAM_LENGTH",
    "MAX_PARAMS",
    "single_values",
    "with_params",
    "PROFILES",
]

#: a validated authorization request kept while the citizen is elsewhere
AuthRequest = PendingRequest
REQUEST_TTL = 900
#: longest accepted value of any request parameter (a state or claims parameter included)
MAX_PARAM_LENGTH = 2048
#: most parameters accepted in one request
MAX_PARAMS = 64
PROFILES = ("oidc", "fapi2")


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
        self.claims_supported = claims_supported
        self.acr_values_supported = acr_values_supported
        self.profile = profile
        self.server = OpenIDServer(
            issuer=issuer,
            profile=profile,
            keys=keys,
            store=store,
            trust=trust,
            client_filter=client_filter,
        )
        self.kind = self.server.kind

    @property
    def fapi2(self) -> bool:
        return self.profile == "fapi2"

    # ------------------------------------------------------------------ metadata
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
    def parse_authorization(self, params: Mapping[str, str]) -> AuthRequest:
        """The authorization request of the authorization endpoint: in ``fapi2`` only a
        ``request_uri`` from the PAR endpoint (RFC 9126 4), used once."""
        client_id = params.get("client_id", "")
        if not client_id:
            raise OAuthError("invalid_request", "client_id is missing", redirect=False)
        if not self.fapi2:
            request = ProtocolRequest("GET", f"{self.issuer}/authorize", params, {})
            with translated():
                grant = self.server.get_consent_grant(request)
            return self.server.pending_request(request, grant.redirect_uri)
        with translated():
            known = self.server.query_client(client_id)
        if known is None:
            raise OAuthError(
                "invalid_client",
                f"client {client_id[:200]!r} is not in the trust configuration",
                redirect=False,
            )
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

    def push(self, form: Mapping[str, str], dpop_header: str | None) -> ProtocolResponse:
        """The PAR endpoint (RFC 9126 2). Errors come back as JSON (never as a redirect)."""
        if not self.fapi2:
            raise OAuthError("invalid_request", "this provider has no PAR endpoint", status=404)
        request = ProtocolRequest("POST", f"{self.issuer}/par", form, _headers(dpop_header))
        response = self.server.create_endpoint_response("par", request)
        response.headers.update(self.nonce_header())
        return response  # type: ignore[no-any-return]

    # -------------------------------------------------- pending requests (bound to this provider)
    def save(self, req: AuthRequest) -> None:
        self.store.put("authreq", f"{self.kind}/{req.rid}", req.as_dict(), ttl=REQUEST_TTL)

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
        return self.server.error_location(req.redirect_uri, req.state, error, description)

    @contextmanager
    def answering(self, req: AuthRequest | None = None) -> Iterator[None]:
        """An error leaving the block goes back to the client as an error authorization response
        (its ``location``) when that is safe: always for ``req``, a request already validated;
        else for the request the error names, unless it must not be redirected (an unknown
        client or redirect URI)."""
        try:
            yield
        except OAuthError as exc:
            target = req if req is not None else (exc.request if exc.redirect else None)
            if target is not None and exc.location is None:
                exc.location = self.error_redirect(target, exc.code, exc.description)
            raise

    def code_redirect(
        self, req: AuthRequest, *, sub: str, acr: str | None, claims: dict[str, Any]
    ) -> str:
        """Answer a pending request with a code (through the grant, which checks the request
        again, issues and keeps the code, and adds ``iss``)."""
        request = ProtocolRequest("GET", f"{self.issuer}/authorize", req.params(), {})
        user = {
            "sub": sub,
            "acr": acr,
            "claims": claims,
            "flow_id": req.flow_id,
            "dpop_jkt": req.dpop_jkt,
        }
        with translated():
            grant = self.server.get_authorization_grant(request)
        response = self.server.create_authorization_response(request, user, grant)
        return str(response.location)

    # ------------------------------------------------------------------ token endpoint
    def nonce_header(self) -> dict[str, str]:
        """The current DPoP nonce, given with every PAR and token answer (RFC 9449 8.2)."""
        return {"DPoP-Nonce": self.server.nonces()[0]} if self.fapi2 else {}

    def dpop_nonce(self) -> str:
        return self.server.nonces()[0]

    def token(self, form: Mapping[str, str], dpop_header: str | None = None) -> ProtocolResponse:
        """Handle a token request. The request is checked in full before the code is consumed;
        an error names the flow of the code when the code was found."""
        request = ProtocolRequest("POST", f"{self.issuer}/token", form, _headers(dpop_header))
        try:
            response = self.server.create_token_response(request)
        except OAuthError as exc:
            exc.flow_id = request.flow_id
            raise
        response.headers.update(self.nonce_header())
        response.flow_id = request.flow_id
        return response  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ userinfo
    def userinfo(
        self, authorization: str, dpop_header: str | None, method: str
    ) -> ProtocolResponse:
        """The UserInfo endpoint: the token's claims. In ``fapi2`` the access token must come
        with a DPoP proof by the key it is bound to (RFC 9449 7)."""
        headers = {"authorization": authorization, **_headers(dpop_header)}
        request = ProtocolRequest(method, f"{self.issuer}/userinfo", {}, headers)
        return self.server.create_endpoint_response("userinfo", request)  # type: ignore[no-any-return]


def _headers(dpop_header: str | None) -> dict[str, str]:
    return {"dpop": dpop_header} if dpop_header is not None else {}
