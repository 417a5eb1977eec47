"""What authlib does not have, plugged into its server: DPoP on the token endpoint (RFC 9449, a
server extension, :class:`DPoPBinding`), the pushed authorization request endpoint (RFC 9126,
:class:`PushedAuthorizationEndpoint`) and a DPoP-aware UserInfo endpoint
(:class:`UserInfoEndpoint`). DPoP proofs are checked by :mod:`pilot_sandbox.oidc.dpop`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749.endpoint import Endpoint

from pilot_sandbox.oidc import dpop
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.grants import CodeGrant
from pilot_sandbox.oidc.messages import PAR_TTL, PRIVATE_KEY_JWT, REQUEST_URI_PREFIX

if TYPE_CHECKING:
    from pilot_sandbox.oidc.server import OpenIDServer

__all__ = ["DPoPBinding", "PushedAuthorizationEndpoint", "UserInfoEndpoint"]


class DPoPBinding:
    """RFC 9449 on the token endpoint, as a server extension: after the client authenticates, the
    proof is checked (and its ``jti`` joins the code's transaction); a code pushed with a DPoP key
    is redeemed only with that key; the access token is a DPoP token bound to the proof's key."""

    def __call__(self, server: OpenIDServer) -> None:
        server.register_hook("after_authenticate_client", self.check_proof)

    @staticmethod
    def check_proof(server: OpenIDServer, *, client: Any, grant: CodeGrant) -> None:
        request = grant.request
        header = request.headers.get("dpop")
        if not server.fapi2 and header is None:
            return
        if header is None:
            raise OAuthError(
                "invalid_dpop_proof", "a DPoP proof is required (sender-constrained tokens)"
            )
        proof = dpop.verify_proof(header, "POST", f"{server.issuer}/token", server.nonces)
        request.dpop = proof
        request.replay_keys.append(("dpop", f"{proof.jkt}|{proof.jti}", 300.0))
        grant.register_hook("after_validate_token_request", DPoPBinding.check_binding)

    @staticmethod
    def check_binding(grant: CodeGrant, result: Any) -> None:
        bound = grant.request.authorization_code.data.get("dpop_jkt")
        proof = grant.request.dpop
        if bound and (proof is None or proof.jkt != bound):
            raise OAuthError(
                "invalid_grant", "the DPoP key differs from the one bound at PAR (dpop_jkt)"
            )


#: an RFC 7638 SHA-256 thumbprint, base64url without padding
_JKT = re.compile(r"[A-Za-z0-9_-]{43}")


# ---------------------------------------------------------------------- own endpoints
class PushedAuthorizationEndpoint(Endpoint):
    """RFC 9126: the client authenticates and pushes its authorization request, which is checked
    as at the authorization endpoint, kept for 60 seconds and named by a one-time
    ``request_uri``. Errors are JSON, never redirects."""

    ENDPOINT_NAME = "par"
    server: OpenIDServer

    def create_endpoint_request(self, request: Any) -> Any:
        return request

    def validate_request(self, request: Any) -> Any:
        server = self.server
        if "request_uri" in request.form:
            raise OAuthError("invalid_request", "request_uri must not be pushed")
        client = server.authenticate_client(request, [PRIVATE_KEY_JWT], "par")
        if request.form.get("client_id", client.client_id) != client.client_id:
            raise OAuthError("invalid_request", "client_id differs from the authenticated client")
        grant = server.get_consent_grant(request)
        header = request.headers.get("dpop")
        if header is not None:
            request.dpop = dpop.verify_proof(header, "POST", f"{server.issuer}/par", server.nonces)
        # RFC 9449 10: the client may name its DPoP key by thumbprint instead of (or as well as)
        # sending a proof; the code is then bound to that key
        jkt = request.form.get("dpop_jkt")
        if jkt is not None:
            if not _JKT.fullmatch(jkt):
                raise OAuthError(
                    "invalid_request",
                    "dpop_jkt must be the base64url SHA-256 thumbprint of a key (43 characters)",
                )
            if request.dpop is not None and request.dpop.jkt != jkt:
                raise OAuthError(
                    "invalid_dpop_proof", "the DPoP proof's key is not the one dpop_jkt names"
                )
        request.dpop_jkt = request.dpop.jkt if request.dpop is not None else (jkt or "")
        return grant

    def create_response(self, grant: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        server, request = self.server, grant.request
        kind, key, ttl = request.replay_keys[0]
        if not server.store.add_unique(kind, key, ttl=ttl):
            raise OAuthError(
                "invalid_client", "the client assertion was used before (jti replay)", status=401
            )
        pushed = server.pending_request(request, grant.redirect_uri)
        server.store.put("par", f"{server.kind}/{pushed.rid}", pushed.as_dict(), ttl=PAR_TTL)
        body = {"request_uri": REQUEST_URI_PREFIX + pushed.rid, "expires_in": PAR_TTL}
        return 201, body, [("Cache-Control", "no-store")]


class UserInfoEndpoint(Endpoint):
    """OpenID Connect Core 5.3: the claims of the access token's sign-in. A DPoP-bound token must
    come with a proof by its key (RFC 9449 7); a Bearer token as ``Bearer``."""

    ENDPOINT_NAME = "userinfo"
    server: OpenIDServer

    def create_endpoint_request(self, request: Any) -> Any:
        return request

    def validate_request(self, request: Any) -> Any:
        server = self.server
        try:
            return self._token_data(request)
        except OAuthError as exc:  # RFC 6750 3, RFC 9449 7.1: a 401 naming the scheme
            exc.status, exc.scheme = 401, "DPoP" if server.fapi2 else "Bearer"
            raise

    def _token_data(self, request: Any) -> dict[str, Any]:
        server = self.server
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        scheme = scheme.lower()
        if scheme not in ("bearer", "dpop") or not token or len(token) > 100:
            raise OAuthError("invalid_token", "an access token is required")
        data = server.store.get("at", f"{server.kind}/{token}")
        if data is None:
            raise OAuthError("invalid_token", "the access token is unknown or expired")
        if data["jkt"]:
            header = request.headers.get("dpop")
            if scheme != "dpop" or header is None:
                raise OAuthError(
                    "invalid_token", "the access token is DPoP-bound: send it with a DPoP proof"
                )
            proof = dpop.verify_proof(
                header,
                request.method,
                f"{server.issuer}/userinfo",
                server.nonces,
                access_token=token,
            )
            if proof.jkt != data["jkt"]:
                raise OAuthError("invalid_token", "the DPoP proof is signed by another key")
        elif scheme != "bearer":
            raise OAuthError("invalid_token", "the access token is a Bearer token")
        return dict(data)

    def create_response(self, data: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        return 200, {"sub": data["sub"], **data["claims"]}, [("Cache-Control", "no-store")]
