"""The messages of the pilot's OpenID providers as authlib sees them: a request built from plain
values (:class:`ProtocolRequest`), the response (:class:`ProtocolResponse`), a pending
authorization request (:class:`PendingRequest`), the protocol constants, and the translation of
authlib's errors into the pilot's one :class:`~pilot_sandbox.oidc.errors.OAuthError`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.rfc6749 import OAuth2Request, UnsupportedResponseTypeError
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload

from pilot_sandbox.oidc import dpop
from pilot_sandbox.oidc.errors import OAuthError

__all__ = [
    "AUTH_ALGS",
    "CODE_TTL",
    "ID_TOKEN_ENC",
    "ID_TOKEN_TTL",
    "JWT_BEARER",
    "PAR_TTL",
    "PRIVATE_KEY_JWT",
    "REQUEST_URI_PREFIX",
    "PendingRequest",
    "ProtocolRequest",
    "ProtocolResponse",
    "answer_to",
    "requested_acr",
    "translate",
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
#: the one client authentication method of the pilot (RFC 7523 2.2, OIDC Core 9)
PRIVATE_KEY_JWT = "private_key_jwt"


# ---------------------------------------------------------------------- requests and responses
#: stands for the provider's own endpoint in the library's per-request transport check
_OWN_ENDPOINT = "https://provider.invalid/"


class ProtocolRequest(OAuth2Request):
    """An HTTP request as authlib sees it, built from plain values (the query or the form, each
    parameter once, and the headers with lower-case names)."""

    def __init__(
        self, method: str, uri: str, params: Mapping[str, str], headers: Mapping[str, str]
    ) -> None:
        # the library checks, on every request, that the URL uses TLS (or a loopback address);
        # ``uri`` is always the provider's own endpoint, built from the service's base URL, whose
        # transport is judged once when the pilot starts (see pilot_sandbox.sandbox). Checked per
        # request, a sandbox served over plain http on a host name answered every token request
        # with a server error.
        super().__init__(method, _OWN_ENDPOINT, headers=dict(headers))
        self.uri = uri
        self.params = dict(params)
        self.payload = BasicOAuth2Payload(self.params)
        #: set on the way: the DPoP proof, the replay markers to write with the code
        self.dpop: dpop.Proof | None = None
        #: the DPoP key a pushed request binds its code to (the proof's, or ``dpop_jkt``)
        self.dpop_jkt = ""
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


def translate(error: OAuth2Error, *, status: int | None = None) -> OAuthError:
    """authlib's error as the pilot's one error type (the response is made in one place)."""
    if isinstance(error, UnsupportedResponseTypeError):
        description = "only response_type=code is supported"  # the pilot's one response type
    else:
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
        raise translate(error) from None


def answer_to(redirect_uri: str, state: str | None) -> PendingRequest:
    """Where an error authorization response goes (a state too long to echo is left out)."""
    state = state if state and len(state) <= 512 else ""
    return PendingRequest("", "", redirect_uri, state, "", "", "")


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
    #: the citizen's country when the client already asked it (``eauth_citizen_country``)
    citizen_country: str = ""

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
