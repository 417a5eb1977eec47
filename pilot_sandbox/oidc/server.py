"""The OpenID provider protocol on authlib's server classes.

Request parsing, client lookup and redirect URI checks, PKCE (RFC 7636), the authorization code
grant, OpenID Connect ID tokens, ``private_key_jwt`` client authentication (RFC 7523) and the
``iss`` authorization response parameter (RFC 9207) are authlib's
(:class:`~authlib.oauth2.rfc6749.AuthorizationServer`, ``AuthorizationCodeGrant``, ``CodeChallenge``,
``OpenIDCode``, ``JWTBearerClientAssertion``, ``IssuerParameter``), subclassed in
:mod:`pilot_sandbox.oidc.grants`. What authlib does not have is plugged into it as its own
endpoint and extension classes (:mod:`pilot_sandbox.oidc.endpoints`): pushed authorization
requests (RFC 9126), DPoP (RFC 9449, proofs checked by :mod:`pilot_sandbox.oidc.dpop`) and a
DPoP-aware UserInfo endpoint. The pilot's own
code keeps only its policy: which parties may be clients (the signed trust configuration), the
stricter FAPI 2.0 rules of the ``fapi2`` profile, and where flow state is kept (the store).

Why authlib and not idpyoidc: authlib is already a dependency of the toolkit (its PKCE helpers and
JOSE stack, joserfc, were in use), and its server is a set of small classes (a grant, an
extension, an endpoint) that one composes and overrides hook by hook, keeping storage and sessions
ours. idpyoidc has PAR and DPoP built in, but it is a configuration-driven server with its own
session and storage model, which would have replaced the pilot's store (shared by several workers)
and its events rather than fitting beside them.

Nothing here imports a web framework: a request is built from plain values and a response
returned (:mod:`pilot_sandbox.oidc.messages`); every error leaves as one
:class:`~pilot_sandbox.oidc.errors.OAuthError` (authlib's errors are translated at this boundary).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc9207 import IssuerParameter

from pilot_sandbox.oidc import dpop
from pilot_sandbox.oidc.endpoints import DPoPBinding, PushedAuthorizationEndpoint, UserInfoEndpoint
from pilot_sandbox.oidc.grants import (
    CodeGrant,
    PilotClient,
    PilotOpenIDCode,
    PrivateKeyJWT,
    StrictS256,
)
from pilot_sandbox.oidc.messages import (
    ID_TOKEN_TTL,
    PRIVATE_KEY_JWT,
    PendingRequest,
    ProtocolRequest,
    ProtocolResponse,
    translate,
)

if TYPE_CHECKING:
    from pilot_sandbox.keys import KeyRing
    from pilot_sandbox.store import Store
    from pilot_sandbox.trust import TrustCache, TrustedParty

__all__ = ["OpenIDServer"]


class _Issuer(IssuerParameter):
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def get_issuer(self) -> str:
        return self.issuer


class OpenIDServer(AuthorizationServer):
    """One provider's authorization server: the code grant with strict PKCE and OpenID Connect,
    ``private_key_jwt``, RFC 9207 ``iss``; in ``fapi2`` also PAR and DPoP."""

    def __init__(
        self,
        *,
        issuer: str,
        profile: str,
        keys: Callable[[], KeyRing],
        store: Store,
        trust: TrustCache,
        client_filter: Callable[[TrustedParty], bool],
    ) -> None:
        super().__init__()
        self.issuer = issuer
        self.profile = profile
        self.fapi2 = profile == "fapi2"
        self.keys = keys
        self.store = store
        self.trust = trust
        self.client_filter = client_filter
        self.kind = "op:" + issuer.rsplit("/ams/", 1)[-1]
        self.register_client_auth_method(PRIVATE_KEY_JWT, PrivateKeyJWT(self))
        self.register_grant(CodeGrant, [StrictS256(required=True), PilotOpenIDCode(self)])
        self.register_token_generator("default", self._bearer_token)
        self.register_extension(_Issuer(issuer))
        self.register_extension(DPoPBinding())
        self.register_endpoint(UserInfoEndpoint)
        if self.fapi2:
            self.register_endpoint(PushedAuthorizationEndpoint)

    # -------------------------------------------------- authlib's integration points
    def query_client(self, client_id: str) -> PilotClient | None:
        party = self.trust.current().parties.get(client_id)
        if party is None:
            return None
        if not self.client_filter(party):
            raise UnauthorizedClientError(
                f"the client may not use this provider ({party.role} of {party.ams})"
            )
        return PilotClient(party, fapi2=self.fapi2)

    def create_oauth2_request(self, request: Any) -> ProtocolRequest:
        return request  # type: ignore[no-any-return]

    def handle_response(self, status: int, body: Any, headers: Any) -> ProtocolResponse:
        return ProtocolResponse(status, body, dict(headers))

    def handle_error_response(self, request: Any, error: OAuth2Error) -> ProtocolResponse:
        # only back-channel endpoints (token, PAR) answer through here: a failed client
        # authentication is a 401 (RFC 6749 5.2)
        raise translate(error, status=401 if error.error == "invalid_client" else None)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.execute_hook(name, *args, **kwargs)

    def save_token(self, token: dict[str, Any], request: ProtocolRequest) -> None:
        if request.dpop is not None:
            token["token_type"] = "DPoP"
        self.store.put(
            "at",
            f"{self.kind}/{token['access_token']}",
            {
                "client_id": request.client.client_id,
                "sub": request.user["sub"],
                "claims": request.user["claims"],
                "jkt": request.dpop.jkt if request.dpop else "",
            },
            ttl=ID_TOKEN_TTL,
        )

    @staticmethod
    def _bearer_token(**kwargs: Any) -> dict[str, Any]:
        return {
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": ID_TOKEN_TTL,
            "scope": kwargs.get("scope") or "openid",
        }

    # -------------------------------------------------- helpers of the endpoints
    def nonces(self) -> list[str]:
        return dpop.nonces(self.keys().signing_key)

    def pending_request(self, request: ProtocolRequest, redirect_uri: str) -> PendingRequest:
        data = request.payload.data
        values, essential = request.acr
        return PendingRequest(
            rid=secrets.token_urlsafe(18),
            client_id=request.client.client_id,
            redirect_uri=redirect_uri,
            state=data["state"],
            nonce=data.get("nonce", ""),
            code_challenge=data["code_challenge"],
            scope=data.get("scope", ""),
            acr_values=values,
            acr_essential=essential,
            flow_id=data.get("eauth_flow", "")[:40],
            dpop_jkt=request.dpop_jkt,
            citizen_country=data.get("eauth_citizen_country", "")[:10],
        )

    def error_location(self, redirect_uri: str, state: str, error: str, description: str) -> str:
        """An error authorization response (RFC 6749 4.1.2.1, with RFC 9207 ``iss``)."""
        q = [("error", error), ("error_description", description[:300])]
        if state:
            q.append(("state", state))
        q.append(("iss", self.issuer))
        return str(add_params_to_uri(redirect_uri, q))
