"""The relying-party side: authorization requests with PKCE, nonce and state, token requests with
``private_key_jwt``, and ID token validation against the signed trust configuration.

An ID token is accepted only when: its issuer is in the trust configuration and is the provider the
request went to; it is signed with ES256 by a key (``kid``) that the trust configuration lists for that
issuer; the audience is this client; it has not expired; the nonce is the one sent. Encrypted ID
tokens (JWE, ECDH-ES+A256KW, as MockPass sends) are decrypted with this client's encryption key first.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwe, jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import ECKey
from joserfc.jwt import JWTClaimsRegistry

from eauth_toolkit.errors import PilotError
from pilot_sandbox.keys import KeyRing
from pilot_sandbox.oidc import dpop
from pilot_sandbox.oidc.backchannel import BackChannel, BackChannelError, BackChannelResponse
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import JWT_BEARER
from pilot_sandbox.store import Store
from pilot_sandbox.trust import TrustCache

__all__ = ["UpstreamProvider", "RelyingParty", "PENDING_TTL", "BROWSER_COOKIE", "browser_hash"]

#: the cookie that binds a sign-in's ``state`` to the browser that started it
BROWSER_COOKIE = "eauth_browser"


def browser_hash(browser: str) -> str:
    return hashlib.sha256(browser.encode()).hexdigest()[:32]


PENDING_TTL = 900
_JWE_ALGS = [
    "ECDH-ES",
    "ECDH-ES+A256KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A128KW",
    "A256CBC-HS512",
    "A256GCM",
    "A128CBC-HS256",
]

#: providers add informational header parameters (``iss``, ``aud``, ``typ``) to their JWEs;
#: ``crit`` is still honoured
_JWE_REGISTRY = jwe.JWERegistry(algorithms=_JWE_ALGS, strict_check_header=False)


@dataclass(frozen=True)
class UpstreamProvider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    par_endpoint: str | None = None
    userinfo_endpoint: str | None = None
    #: the provider names itself (``iss``) in every authorization response (RFC 9207)
    sends_iss: bool = True

    @classmethod
    def ours(cls, issuer: str) -> UpstreamProvider:
        return cls(
            issuer, f"{issuer}/authorize", f"{issuer}/token", f"{issuer}/par", f"{issuer}/userinfo"
        )

    @classmethod
    def discover(
        cls, issuer: str, *, timeout: float = 10.0
    ) -> tuple[UpstreamProvider, dict[str, Any]]:
        """Read an external provider's discovery document and JWKS (at start-up)."""
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            meta = httpx.get(url, timeout=timeout).raise_for_status().json()
            jwks = httpx.get(meta["jwks_uri"], timeout=timeout).raise_for_status().json()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise PilotError(
                f"cannot read the provider's discovery document or JWKS ({exc})", where=url
            ) from None
        if meta.get("issuer") != issuer.rstrip("/"):
            raise PilotError(
                f"discovery names issuer {meta.get('issuer')!r}, expected {issuer!r}", where=url
            )
        return (
            cls(
                meta["issuer"],
                meta["authorization_endpoint"],
                meta["token_endpoint"],
                meta.get("pushed_authorization_request_endpoint"),
                meta.get("userinfo_endpoint"),
                meta.get("authorization_response_iss_parameter_supported") is True,
            ),
            jwks,
        )


class RelyingParty:
    """One client of one provider; ``profile`` is the provider's (``fapi2``: PAR, DPoP)."""

    def __init__(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        provider: UpstreamProvider,
        keys: Callable[[], KeyRing],
        store: Store,
        trust: TrustCache,
        http: BackChannel,
        name: str,
        scope: str = "openid profile",
        profile: str = "oidc",
    ) -> None:
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.provider = provider
        self._keys = keys
        self.store = store
        self.trust = trust
        self.http = http
        self.name = name
        self.scope = scope
        self.profile = profile
        #: this worker's DPoP key for this client (fapi2), and the provider's last nonce
        self._dpop_key = ECKey.generate_key("P-256", private=True)
        self._dpop_nonce: str | None = None

    @property
    def _kind(self) -> str:
        return "rp:" + self.name

    def authorization_url(
        self,
        *,
        data: dict[str, Any],
        browser: str,
        acr_values: list[str] | None = None,
        extra: dict[str, str] | None = None,
    ) -> str:
        """Start a sign-in: keep state, nonce and PKCE verifier (bound to ``browser``, the
        browser's cookie) and return the URL to send the browser to; in ``fapi2`` the request is
        pushed first (PAR) and the URL carries only its ``request_uri``."""
        state = secrets.token_urlsafe(18)
        nonce = secrets.token_urlsafe(18)
        verifier = secrets.token_urlsafe(48)
        self.store.put(
            self._kind,
            state,
            {"nonce": nonce, "verifier": verifier, "data": data, "browser": browser_hash(browser)},
            ttl=PENDING_TTL,
        )
        q = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if acr_values:
            # only the essential claim: acr_values would override it at some providers
            q["claims"] = json.dumps(
                {"id_token": {"acr": {"essential": True, "values": acr_values}}}
            )
        q.update(extra or {})
        if self.profile != "fapi2":
            return f"{self.provider.authorization_endpoint}?{urlencode(q)}"
        return self._push(q)

    def _push(self, q: dict[str, str]) -> str:
        """RFC 9126: push the request, send the browser with only its ``request_uri``."""
        if not self.provider.par_endpoint:
            raise OAuthError(
                "temporarily_unavailable", f"{self.provider.issuer} has no PAR endpoint"
            )
        form = {**q, "client_assertion_type": JWT_BEARER, "client_assertion": ""}
        resp = self._post(self.provider.par_endpoint, form, "PAR endpoint")
        body = _json(resp)
        if resp.status_code not in (200, 201) or not isinstance(body.get("request_uri"), str):
            raise OAuthError(
                str(body.get("error") or "server_error")[:60],
                f"the PAR endpoint of {self.provider.issuer} refused the request: "
                f"{body.get('error_description') or resp.status_code}",
            )
        return (
            f"{self.provider.authorization_endpoint}?"
            f"{urlencode({'client_id': self.client_id, 'request_uri': body['request_uri']})}"
        )

    def _post(
        self, url: str, form: dict[str, str], what: str, *, use_dpop: bool = False
    ) -> BackChannelResponse:
        """POST with a fresh client assertion (and DPoP proof); retried once with the server's
        DPoP nonce when it asks for one (RFC 9449 8)."""
        self.store.flush()  # hold nothing back while waiting on another service
        for attempt in range(2):
            form["client_assertion"] = self.client_assertion()
            headers = {}
            if use_dpop:
                headers["DPoP"] = dpop.make_proof(
                    self._dpop_key, "POST", url, nonce=self._dpop_nonce
                )
            try:
                resp = self.http.post_form(url, form, timeout=15.0, headers=headers)
            except BackChannelError as exc:
                raise OAuthError(
                    "temporarily_unavailable",
                    f"{what} of {self.provider.issuer} unreachable ({exc})",
                ) from None
            nonce = resp.headers.get("dpop-nonce")
            if nonce:
                self._dpop_nonce = nonce
            if (
                attempt == 0
                and use_dpop
                and resp.status_code in (400, 401)
                and _json(resp).get("error") == "use_dpop_nonce"
                and nonce
            ):
                continue
            return resp
        raise AssertionError("unreachable")

    def pending(self, params: Mapping[str, str], browser: str | None) -> dict[str, Any]:
        """Consume the pending request named by ``state`` (one use only); it must have been
        started by this browser (the cookie), else the callback is a login CSRF."""
        state = params.get("state", "")
        status, pending = self.store.take(self._kind, state[:100]) if state else ("missing", None)
        if status != "ok" or pending is None:
            why = {"used": "was already answered", "expired": "has expired"}.get(
                status, "is unknown"
            )
            raise OAuthError(
                "invalid_request",
                f"state mismatch: the request with this state {why}",
                redirect=False,
            )
        if not browser or browser_hash(browser) != pending.get("browser"):
            raise OAuthError(
                "invalid_request",
                "state mismatch: this sign-in was started in another browser",
                redirect=False,
            )
        return pending

    def client_assertion(self) -> str:
        key = self._keys().signing_key
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.provider.issuer,
            "iat": now,
            "exp": now + 60,
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(
            {"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key, algorithms=["ES256"]
        )

    def complete(self, params: Mapping[str, str], pending: dict[str, Any]) -> dict[str, Any]:
        """Exchange the code and validate the ID token; return its claims.

        The response's ``iss`` is checked first, for errors too (RFC 9207 2.4): it must name this
        client's provider, and it must be there when the provider says it always sends it (its
        discovery document, or a provider of this pilot) and in the fapi2 profile."""
        iss = params.get("iss")
        if iss is None and (self.provider.sends_iss or self.profile == "fapi2"):
            raise OAuthError(
                "invalid_request",
                f"the authorization response does not name its issuer (iss), which "
                f"{self.provider.issuer} always does",
            )
        if iss is not None and iss != self.provider.issuer:
            raise OAuthError(
                "invalid_request",
                f"the response comes from {iss[:200]}, not {self.provider.issuer}",
            )
        if params.get("error"):
            raise OAuthError(
                params["error"][:60],
                params.get("error_description")
                or f"{self.provider.issuer} returned {params['error']}",
            )
        code = params.get("code")
        if not code:
            raise OAuthError("invalid_request", "the response has neither code nor error")
        form = {
            "grant_type": "authorization_code",
            "code": code[:200],
            "redirect_uri": self.redirect_uri,
            "code_verifier": pending["verifier"],
            "client_id": self.client_id,
            "client_assertion_type": JWT_BEARER,
            "client_assertion": "",
        }
        resp = self._post(
            self.provider.token_endpoint,
            form,
            "token endpoint",
            use_dpop=self.profile == "fapi2",
        )
        body = _json(resp)
        if resp.status_code != 200:
            raise OAuthError(
                str(body.get("error") or "server_error")[:60],
                f"the token endpoint of {self.provider.issuer} refused the code: "
                f"{body.get('error_description') or resp.status_code}",
            )
        if self.profile == "fapi2" and str(body.get("token_type", "")).lower() != "dpop":
            raise OAuthError(
                "invalid_token",
                f"{self.provider.issuer} returned an access token not bound by DPoP",
            )
        id_token = body.get("id_token")
        if not isinstance(id_token, str):
            raise OAuthError("invalid_token", f"{self.provider.issuer} returned no ID token")
        return self.validate_id_token(id_token, nonce=pending["nonce"])

    def validate_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        if self.profile == "fapi2" and id_token.count(".") != 4:
            raise OAuthError(
                "invalid_token", "the ID token is not encrypted to this client (fapi2 requires JWE)"
            )
        if id_token.count(".") == 4:
            try:
                id_token = jwe.decrypt_compact(
                    id_token, self._keys().encryption_keys, registry=_JWE_REGISTRY
                ).plaintext.decode()  # type: ignore[union-attr]
            except (JoseError, ValueError, AttributeError) as exc:
                raise OAuthError(
                    "invalid_token",
                    f"the encrypted ID token cannot be decrypted ({exc.__class__.__name__})",
                ) from None
        try:
            parts = jws.extract_compact(id_token.encode())
            header = parts.protected
            unverified = json.loads(parts.payload)
        except (JoseError, ValueError):
            raise OAuthError("invalid_token", "the ID token is not a compact JWS") from None
        alg = header.get("alg")
        if alg != "ES256":
            raise OAuthError(
                "invalid_token",
                f"ID token alg {alg!r} is refused: only signed ES256 tokens are accepted",
            )
        iss = str(unverified.get("iss", ""))
        config = self.trust.current()
        try:
            party = config.party(iss)
        except PilotError as exc:
            raise OAuthError("invalid_token", f"the ID token issuer {exc.message}") from None
        if iss != self.provider.issuer:
            raise OAuthError(
                "invalid_token",
                f"wrong issuer: the ID token comes from {iss}, expected {self.provider.issuer}",
            )
        if header.get("kid") not in party.kids():
            config = self.trust.refresh()
            party = config.parties.get(iss, party)
        if header.get("kid") not in party.kids():
            raise OAuthError(
                "invalid_token",
                f"key {header.get('kid')!r} is not in the trust configuration for {iss} (version {config.version})",
            )
        try:
            token = jwt.decode(id_token, party.keyset, algorithms=["ES256"])
        except BadSignatureError:
            raise OAuthError(
                "invalid_token", "the ID token signature is invalid (tampered token)"
            ) from None
        except (JoseError, ValueError) as exc:
            raise OAuthError(
                "invalid_token", f"the ID token cannot be verified ({exc.__class__.__name__})"
            ) from None
        try:
            JWTClaimsRegistry(
                leeway=30,
                iss={"essential": True, "value": self.provider.issuer},
                aud={"essential": True, "value": self.client_id},
                exp={"essential": True},
                iat={"essential": True},
                sub={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except ExpiredTokenError:
            raise OAuthError("invalid_token", "the ID token has expired") from None
        except InvalidClaimError as exc:
            what = getattr(exc, "claim", "")
            if what == "nonce":
                raise OAuthError(
                    "invalid_token", "nonce mismatch: the ID token answers another request"
                ) from None
            if what == "aud":
                raise OAuthError(
                    "invalid_token", f"wrong audience: the ID token is not for {self.client_id}"
                ) from None
            raise OAuthError("invalid_token", f"invalid ID token claim {what}") from None
        except MissingClaimError as exc:
            raise OAuthError(
                "invalid_token", f"the ID token lacks a required claim ({exc})"
            ) from None
        except JoseError as exc:
            raise OAuthError(
                "invalid_token", f"the ID token claims are not valid ({exc})"
            ) from None
        azp = token.claims.get("azp")
        if azp is not None and azp != self.client_id:
            raise OAuthError("invalid_token", "wrong audience: azp names another client")
        return dict(token.claims)


def _json(resp: BackChannelResponse) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
