"""The authorization code grant of the pilot's providers on authlib's classes: clients from the
signed trust configuration (:class:`PilotClient`), ``private_key_jwt`` (RFC 7523,
:class:`PrivateKeyJWT`), strict S256 PKCE (RFC 7636, :class:`StrictS256`), OpenID Connect ID tokens
signed and, in ``fapi2``, encrypted to the client (:class:`PilotOpenIDCode`), and the grant over the
pilot's store (:class:`CodeGrant`)."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import (
    ClientMixin,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from joserfc import jwe, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.messages import (
    AUTH_ALGS,
    CODE_TTL,
    ID_TOKEN_ENC,
    ID_TOKEN_TTL,
    JWT_BEARER,
    MAX_ASSERTION_LIFETIME,
    PRIVATE_KEY_JWT,
    ProtocolRequest,
    answer_to,
    requested_acr,
)

if TYPE_CHECKING:
    from pilot_sandbox.oidc.server import OpenIDServer
    from pilot_sandbox.trust import TrustedParty

__all__ = [
    "PilotClient",
    "CodeRecord",
    "PrivateKeyJWT",
    "StrictS256",
    "PilotOpenIDCode",
    "CodeGrant",
]

#: RFC 7636 4.1: 43 to 128 unreserved characters; 4.2: an S256 challenge is 43 base64url characters
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


# ---------------------------------------------------------------------- clients and codes
class PilotClient(ClientMixin):
    """A party of the signed trust configuration as an OAuth client: authenticated only by
    ``private_key_jwt``, registered redirect URIs only, the authorization code grant only."""

    def __init__(self, party: TrustedParty, *, fapi2: bool) -> None:
        self.party = party
        self.client_id = party.issuer
        self.fapi2 = fapi2

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # the redirect URI is always sent (and must be registered)

    def get_allowed_scope(self, scope: str | None) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.party.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == PRIVATE_KEY_JWT

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"

    @property
    def id_token_signed_response_alg(self) -> str:
        return "RS256" if self.party.id_token_alg == "RS256" and not self.fapi2 else "ES256"


class CodeRecord(AuthorizationCodeMixin):
    """A consumed authorization code, as the grant sees it."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get_redirect_uri(self) -> str:
        return str(self.data["redirect_uri"])

    def get_scope(self) -> str:
        return str(self.data.get("scope") or "openid")

    def get_nonce(self) -> str:
        return str(self.data["nonce"])

    def get_auth_time(self) -> int:
        return int(self.data["auth_time"])

    def get_acr(self) -> str | None:
        return self.data.get("acr") or None

    @property
    def code_challenge(self) -> str:
        return str(self.data["code_challenge"])

    @property
    def code_challenge_method(self) -> str:
        return "S256"


# ---------------------------------------------------------------------- client authentication
class PrivateKeyJWT(JWTBearerClientAssertion):
    """RFC 7523 client assertions, verified with the client's keys from the trust configuration.

    Stricter than the RFC: the header names a ``kid`` and an algorithm of the profile, ``iss`` is
    the client, ``exp`` lies at most five minutes ahead, and the ``jti`` is remembered in the same
    transaction that consumes the code (or the pushed request), so a replay changes nothing."""

    CLIENT_AUTH_METHOD = PRIVATE_KEY_JWT

    def __init__(self, server: OpenIDServer) -> None:
        super().__init__(leeway=30)
        self.server = server
        self._last = threading.local()

    def extract_assertion(self, assertion: str) -> Any:
        """The assertion's header and claims, unverified; read once per request (the library
        asks again for the same assertion while it authenticates the client)."""
        last = self._last
        if getattr(last, "assertion", None) == assertion:
            header, claims = last.parts
            return dict(header), dict(claims)
        header, claims = super().extract_assertion(assertion)
        last.assertion, last.parts = assertion, (header, claims)
        return dict(header), dict(claims)

    def get_audiences(self) -> list[str]:  # fapi2 narrows this to the issuer (verify_claims)
        return [self.server.issuer, f"{self.server.issuer}/token", f"{self.server.issuer}/par"]

    def __call__(self, query_client: Callable[[str], Any], request: ProtocolRequest) -> Any:
        form = request.form
        assertion = form.get("client_assertion", "")
        if form.get("client_assertion_type") != JWT_BEARER or not assertion:
            return None
        header, claims = self.extract_assertion(assertion)
        kid, alg = header.get("kid"), header.get("alg")
        algs = AUTH_ALGS[self.server.profile]
        if not isinstance(kid, str) or alg not in algs:
            raise InvalidClientError(
                description=f"the client assertion needs a kid and one of the algorithms {algs}"
            )
        subject = claims.get("sub")
        if form.get("client_id") and form["client_id"] != subject:
            raise InvalidClientError(description="client_id differs from the assertion's subject")
        client = query_client(subject) if isinstance(subject, str) else None
        if client is not None and kid not in client.party.kids():
            # a key this worker has not seen yet: look for a newer trust configuration once
            self.server.trust.refresh()
        client = super().__call__(query_client, request)
        jti = claims.get("jti")
        request.replay_keys.append(
            ("jti", f"{subject}|{jti}", max(60.0, float(claims["exp"]) - time.time() + 60))
        )
        return client

    def resolve_client_public_key(self, client: PilotClient) -> Any:
        return client.party.keyset

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> dict[str, Any]:
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=AUTH_ALGS[self.server.profile])
        except (JoseError, ValueError) as exc:
            raise InvalidClientError(
                description=f"the client assertion does not verify ({exc.__class__.__name__})"
            ) from None
        self.verify_claims(token.claims)
        return dict(token.claims)

    def verify_claims(self, claims: Any) -> None:
        if self.server.profile == "fapi2" and claims.get("aud") != self.server.issuer:
            # FAPI 2.0 Security Profile 5.3.2.1: only the issuer identifier, as a string (not the
            # token or PAR endpoint, not in an array), so that an assertion a client made for
            # another server cannot be presented here
            raise InvalidClientError(
                description=f"the client assertion's aud must be the issuer identifier "
                f"{self.server.issuer} as a single string"
            )
        super().verify_claims(claims)
        exp, jti = claims.get("exp"), claims.get("jti")
        if not isinstance(exp, int) or exp > time.time() + MAX_ASSERTION_LIFETIME:
            raise InvalidClientError(
                description=f"the client assertion's exp lies more than "
                f"{MAX_ASSERTION_LIFETIME} seconds in the future"
            )
        if not isinstance(jti, str) or not jti or len(jti) > 200:
            raise InvalidClientError(description="jti must be a string of at most 200 characters")

    def validate_jti(self, claims: Any, jti: str) -> bool:
        return True  # remembered atomically with what the request consumes (see __call__)


# ---------------------------------------------------------------------- grant and extensions
#: authorization request parameters this provider does not support, and the error of each
#: (OpenID Connect Core 3.1.2.6; a pushed request_uri is refused by the PAR endpoint itself)
_UNSUPPORTED = {
    "request": "request_not_supported",
    "request_uri": "request_uri_not_supported",
    "registration": "registration_not_supported",
}


class StrictS256(CodeChallenge):
    """PKCE as FAPI 2.0 and the pilot require it: S256 only, on every authorization request."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if data.get("code_challenge_method") != "S256" or not _S256_CHALLENGE.fullmatch(
            data.get("code_challenge", "")
        ):
            raise InvalidRequestError(
                "PKCE with code_challenge_method=S256 and a 43-character base64url "
                "code_challenge is required"
            )
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        try:
            super().validate_code_verifier(grant, result)
        except InvalidGrantError:
            raise InvalidGrantError(
                "PKCE verification failed: code_verifier does not match"
            ) from None


class PilotOpenIDCode(OpenIDCode):
    """ID tokens: ES256 (RS256 for an ``oidc`` client registered for it), signed by the
    provider's key, then in ``fapi2`` encrypted to the client's registered key (JWE)."""

    def __init__(self, server: OpenIDServer) -> None:
        super().__init__(require_nonce=True)
        self.server = server

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False  # codes are single-use; a nonce is the client's to check

    def resolve_client_private_key(self, client: PilotClient) -> Any:
        ring = self.server.keys()
        return ring.rsa_key if self.get_client_algorithm(client) == "RS256" else ring.signing_key

    def get_encode_header(self, client: PilotClient) -> dict[str, str]:
        key = self.resolve_client_private_key(client)
        return {"alg": self.get_client_algorithm(client), "kid": str(key.kid), "typ": "JWT"}

    def get_client_claims(self, client: PilotClient) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.server.issuer, "aud": client.client_id, "exp": now + ID_TOKEN_TTL}

    def generate_user_info(self, user: dict[str, Any], scope: str) -> dict[str, Any]:
        return {"sub": user["sub"], **user["claims"]}

    def encode_id_token(self, token: dict[str, Any], request: Any) -> str:
        signed = str(super().encode_id_token(token, request))
        if not self.server.fapi2:
            return signed
        enc = _encryption_key(request.client.party)
        return jwe.encrypt_compact(
            {"alg": ID_TOKEN_ENC[0], "enc": ID_TOKEN_ENC[1], "kid": enc.kid, "cty": "JWT"},
            signed,
            enc,
            algorithms=list(ID_TOKEN_ENC),
        )


def _encryption_key(party: TrustedParty) -> ECKey:
    if party.encryption_key is not None:
        return party.encryption_key
    raise InvalidClientError(
        description="the client has registered no encryption key for its ID tokens"
    )


class CodeGrant(AuthorizationCodeGrant):
    """The authorization code grant over the pilot's store. A code is consumed atomically, in
    one transaction with the client assertion's ``jti`` and the DPoP proof's, and only once the
    token request has been checked in full."""

    TOKEN_ENDPOINT_AUTH_METHODS = [PRIVATE_KEY_JWT]
    AUTHORIZATION_CODE_LENGTH = 32
    server: OpenIDServer
    request: ProtocolRequest

    def generate_authorization_code(self) -> str:
        """32 characters from 192 random bits, read from the system in one call (the library's
        default draws each character on its own: a system call per character)."""
        return secrets.token_urlsafe(24)

    # -------------------------------------------------- authorization endpoint
    @staticmethod
    def validate_authorization_redirect_uri(request: Any, client: PilotClient) -> str:
        uri = request.payload.redirect_uri or ""
        if not client.check_redirect_uri(uri):
            raise OAuthError(
                "invalid_request",
                f"redirect_uri {uri[:200]!r} is not registered for {client.client_id}",
                redirect=False,
            )
        return str(uri)

    def validate_authorization_request(self) -> str:
        redirect_uri = str(super().validate_authorization_request())
        data = self.request.payload.data
        try:
            if "openid" not in (data.get("scope") or "").split():
                raise OAuthError("invalid_scope", "scope must include openid")
            if not data.get("state"):
                raise OAuthError("invalid_request", "state is required")
            if len(data["state"]) > 512 or len(data.get("nonce", "")) > 512:
                raise OAuthError("invalid_request", "state and nonce are limited to 512 characters")
            if data.get("response_mode", "query") != "query":
                raise OAuthError("invalid_request", "only response_mode=query is supported")
            for name, error in _UNSUPPORTED.items():  # never ignored: the client would
                if name in data:  # believe them applied
                    raise OAuthError(error, f"this provider does not support the {name} parameter")
            self.request.acr = requested_acr(data)
        except OAuthError as exc:
            exc.request = answer_to(redirect_uri, data.get("state"))
            raise
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        user, data = request.user, request.payload.data
        self.server.store.put(
            "code",
            f"{self.server.kind}/{code}",
            {
                "client_id": request.client.client_id,
                "redirect_uri": data["redirect_uri"],
                "scope": request.scope,
                "code_challenge": data["code_challenge"],
                "nonce": data.get("nonce", ""),
                "sub": user["sub"],
                "acr": user.get("acr"),
                "auth_time": int(time.time()),
                "claims": user["claims"],
                "flow_id": user.get("flow_id", ""),
                "dpop_jkt": user.get("dpop_jkt", ""),
            },
            ttl=CODE_TTL,
        )

    # -------------------------------------------------- token endpoint
    def validate_token_request(self) -> None:
        form = self.request.form
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
        super().validate_token_request()

    def query_authorization_code(self, code: str, client: PilotClient) -> CodeRecord:
        request = self.request
        fresh, status, data = self.server.store.take_once(
            "code", f"{self.server.kind}/{code}", unique=request.replay_keys
        )
        if not fresh:
            if any(self.server.store.get(k, v) is not None for k, v, _ in request.replay_keys[:1]):
                raise OAuthError(
                    "invalid_client",
                    "the client assertion was used before (jti replay)",
                    status=401,
                )
            raise OAuthError("invalid_dpop_proof", "the DPoP proof was used before")
        if status == "missing" or data is None:
            raise OAuthError("invalid_grant", "the authorization code is unknown")
        request.flow_id = str(data.get("flow_id") or "")
        if status == "used":
            raise OAuthError("invalid_grant", "the authorization code was already used (replay)")
        if status == "expired":
            raise OAuthError("invalid_grant", "the authorization code has expired")
        if data["client_id"] != client.client_id:
            raise OAuthError("invalid_grant", "the authorization code was issued to another client")
        if request.form.get("redirect_uri") != data["redirect_uri"]:
            raise OAuthError(
                "invalid_grant", "redirect_uri does not match the authorization request"
            )
        return CodeRecord(data)

    def delete_authorization_code(self, authorization_code: CodeRecord) -> None:
        """Nothing to do: the code was consumed when it was read."""

    def authenticate_user(self, authorization_code: CodeRecord) -> dict[str, Any]:
        return authorization_code.data
