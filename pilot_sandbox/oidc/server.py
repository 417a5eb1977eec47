"""The OpenID provider protocol on authlib's server classes.

Request parsing, client lookup and redirect URI checks, PKCE (RFC 7636), the authorization code
grant, OpenID Connect ID tokens, ``private_key_jwt`` client authentication (RFC 7523) and the
``iss`` authorization response parameter (RFC 9207) are authlib's
(:class:`~authlib.oauth2.rfc6749.AuthorizationServer`, ``AuthorizationCodeGrant``, ``CodeChallenge``,
``OpenIDCode``, ``JWTBearerClientAssertion``, ``IssuerParameter``). What authlib does not have is
plugged into it as its own endpoint and extension classes: pushed authorization requests
(RFC 9126, :class:`PushedAuthorizationEndpoint`), DPoP (RFC 9449, :class:`DPoPBinding`, proofs
checked by :mod:`pilot_sandbox.oidc.dpop`) and a DPoP-aware UserInfo endpoint. The pilot's own
code keeps only its policy: which parties may be clients (the signed trust configuration), the
stricter FAPI 2.0 rules of the ``fapi2`` profile, and where flow state is kept (the store).

Why authlib and not idpyoidc: authlib is already a dependency of the toolkit (its PKCE helpers and
JOSE stack, joserfc, were in use), and its server is a set of small classes (a grant, an
extension, an endpoint) that one composes and overrides hook by hook, keeping storage and sessions
ours. idpyoidc has PAR and DPoP built in, but it is a configuration-driven server with its own
session and storage model, which would have replaced the pilot's store (shared by several workers)
and its events rather than fitting beside them.

Nothing here imports a web framework: a :class:`ProtocolRequest` is built from plain values and a
:class:`ProtocolResponse` is returned; every error leaves as one
:class:`~pilot_sandbox.oidc.errors.OAuthError` (authlib's errors are translated at this boundary).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Request,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6749.endpoint import Endpoint
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from joserfc import jwe, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from pilot_sandbox.oidc import dpop
from pilot_sandbox.oidc.errors import OAuthError

if TYPE_CHECKING:
    from pilot_sandbox.keys import KeyRing
    from pilot_sandbox.store import Store
    from pilot_sandbox.trust import TrustCache, TrustedParty

__all__ = [
    "AUTH_ALGS",
    "CODE_TTL",
    "ID_TOKEN_ENC",
    "ID_TOKEN_TTL",
    "JWT_BEARER",
    "PAR_TTL",
    "REQUEST_URI_PREFIX",
    "PendingRequest",
    "ProtocolRequest",
    "ProtocolResponse",
    "PilotClient",
    "OpenIDServer",
    "requested_acr",
    "translated",
]

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CODE_TTL = 60
ID_TOKEN_TTL = 300
PAR_TTL = 60
REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
#: client authentication algorithms per profile (FAPI 2.0 5.4: PS256, ES256 or EdDSA)
AUTH_ALGS = {"oidc": ["ES256", "PS256", "RS256"], "fapi2": ["ES256", "PS256"]}
#: ID token encryption to the client (FAPI 2.0 profile of the pilot)
ID_TOKEN_ENC = ("ECDH-ES+A256KW", "A256GCM")
#: furthest a client assertion's ``exp`` may lie ahead (RFC 7523 3: a short-lived assertion)
MAX_ASSERTION_LIFETIME = 300
#: RFC 7636 4.1: 43 to 128 unreserved characters; 4.2: an S256 challenge is 43 base64url characters
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_PRIVATE_KEY_JWT = "private_key_jwt"


# ---------------------------------------------------------------------- requests and responses
class ProtocolRequest(OAuth2Request):
    """An HTTP request as authlib sees it, built from plain values (the query or the form, each
    parameter once, and the headers with lower-case names)."""

    def __init__(
        self, method: str, uri: str, params: Mapping[str, str], headers: Mapping[str, str]
    ) -> None:
        super().__init__(method, uri, headers=dict(headers))
        self.params = dict(params)
        self.payload = BasicOAuth2Payload(self.params)
        #: set on the way: the DPoP proof, the replay markers to write with the code
        self.dpop: dpop.Proof | None = None
        self.replay_keys: list[tuple[str, str, float]] = []
        self.flow_id = ""
        self.acr: tuple[list[str], bool] = ([], False)

    @property
    def args(self) -> dict[str, str]:
        return self.params

    @property
    def form(self) -> dict[str, str]:
        return self.params


@dataclass
class ProtocolResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    #: the flow the answered request belongs to, when known (for the event)
    flow_id: str = ""

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    @location.setter
    def location(self, value: str) -> None:
        self.headers["Location"] = value


def _translate(error: OAuth2Error, *, status: int | None = None) -> OAuthError:
    """authlib's error as the pilot's one error type (the response is made in one place)."""
    description = error.get_error_description() or error.description or str(error.error)
    out = OAuthError(
        str(error.error),
        str(description),
        status=status or int(error.status_code or 400),
        redirect=bool(error.redirect_uri),
    )
    if error.redirect_uri:
        out.request = answer_to(str(error.redirect_uri), error.state)
    return out


@contextmanager
def translated() -> Iterator[None]:
    """Run authlib code whose errors are not passed to :meth:`OpenIDServer.handle_error_response`
    (request validation outside ``create_*_response``): its error leaves as an ``OAuthError``."""
    try:
        yield
    except OAuth2Error as error:
        raise _translate(error) from None


def answer_to(redirect_uri: str, state: str | None) -> PendingRequest:
    """Where an error authorization response goes (a state too long to echo is left out)."""
    state = state if state and len(state) <= 512 else ""
    return PendingRequest("", "", redirect_uri, state, "", "", "")


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
        return method == _PRIVATE_KEY_JWT

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

    CLIENT_AUTH_METHOD = _PRIVATE_KEY_JWT

    def __init__(self, server: OpenIDServer) -> None:
        super().__init__(leeway=30)
        self.server = server

    def get_audiences(self) -> list[str]:
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

    TOKEN_ENDPOINT_AUTH_METHODS = [_PRIVATE_KEY_JWT]
    AUTHORIZATION_CODE_LENGTH = 32
    server: OpenIDServer
    request: ProtocolRequest

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
        client = server.authenticate_client(request, [_PRIVATE_KEY_JWT], "par")
        if request.form.get("client_id", client.client_id) != client.client_id:
            raise OAuthError("invalid_request", "client_id differs from the authenticated client")
        grant = server.get_consent_grant(request)
        header = request.headers.get("dpop")
        if header is not None:
            request.dpop = dpop.verify_proof(header, "POST", f"{server.issuer}/par", server.nonces)
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


class _Issuer(IssuerParameter):
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def get_issuer(self) -> str:
        return self.issuer


# ---------------------------------------------------------------------- the server
@dataclass
class PendingRequest:
    """A validated authorization request, kept in the store while the citizen is elsewhere."""

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

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def params(self) -> dict[str, str]:
        """The authorization request's parameters, to answer it through the grant."""
        return {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }


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
        self.register_client_auth_method(_PRIVATE_KEY_JWT, PrivateKeyJWT(self))
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
        raise _translate(error, status=401 if error.error == "invalid_client" else None)

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
            dpop_jkt=request.dpop.jkt if request.dpop else "",
        )

    def error_location(self, redirect_uri: str, state: str, error: str, description: str) -> str:
        """An error authorization response (RFC 6749 4.1.2.1, with RFC 9207 ``iss``)."""
        q = [("error", error), ("error_description", description[:300])]
        if state:
            q.append(("state", state))
        q.append(("iss", self.issuer))
        return str(add_params_to_uri(redirect_uri, q))


def requested_acr(params: Mapping[str, str]) -> tuple[list[str], bool]:
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
            values = acr["values"] if "values" in acr else [acr["value"]] if "value" in acr else []
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise OAuthError(
                    "invalid_request", "claims.id_token.acr.values must be a list of strings"
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
