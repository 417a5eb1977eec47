"""DPoP (RFC 9449): proofs of possession for sender-constrained access tokens.

The provider checks a proof (``typ`` ``dpop+jwt``, an allowed algorithm, a public ``jwk`` in the
header that verifies the signature, ``htm`` and ``htu`` of this request, a fresh ``iat``, a ``jti``,
the server's current nonce and, at a resource, ``ath`` of the access token) and binds the token to the
key's RFC 7638 thumbprint. Nonces change every few minutes and are derived from the provider's signing
key, so every worker gives and accepts the same nonce without shared state. JOSE is joserfc's.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, RSAKey
from joserfc.util import urlsafe_b64encode

from pilot_sandbox.oidc.errors import OAuthError

__all__ = [
    "ALGS",
    "Proof",
    "verify_proof",
    "make_proof",
    "nonces",
    "NONCE_WINDOW",
]

ALGS = ("ES256", "PS256")
NONCE_WINDOW = 300
_MAX_AGE = 120


@dataclass(frozen=True)
class Proof:
    jkt: str  # RFC 7638 thumbprint of the proof's key
    jti: str


_secrets: dict[str, bytes] = {}


def _nonce_secret(key: ECKey) -> bytes:
    """The nonce key of a provider: a hash of its private signing key, computed once per key."""
    kid = str(key.kid)
    secret = _secrets.get(kid)
    if secret is None:
        private = str(key.as_dict(private=True)["d"])
        secret = _secrets[kid] = hashlib.sha256(private.encode()).digest()
    return secret


@functools.lru_cache(maxsize=256)
def _nonce(secret: bytes, window: int) -> str:
    return urlsafe_b64encode(
        hmac.new(secret, str(window).encode(), hashlib.sha256).digest()[:18]
    ).decode()


def nonces(key: ECKey) -> list[str]:
    """The current and the previous DPoP nonce of a provider (the first is the one to give out)."""
    secret = _nonce_secret(key)
    window = int(time.time() // NONCE_WINDOW)
    return [_nonce(secret, window), _nonce(secret, window - 1)]


def _error(description: str) -> OAuthError:
    return OAuthError("invalid_dpop_proof", description)


def ath(access_token: str) -> str:
    return urlsafe_b64encode(hashlib.sha256(access_token.encode()).digest()).decode()


@functools.lru_cache(maxsize=1024)
def _public_key(jwk_json: str) -> tuple[ECKey | RSAKey, str]:
    """A proof's public key and its RFC 7638 thumbprint, by the key's JSON (sorted): a client
    keeps its DPoP key for many requests, and importing it is a good part of checking a proof."""
    key = JWKRegistry.import_key(json.loads(jwk_json))
    if not isinstance(key, (ECKey, RSAKey)) or key.is_private:
        raise _error("the DPoP key must be a public EC or RSA key")
    return key, str(key.thumbprint())


def verify_proof(
    value: str,
    method: str,
    url: str,
    expected_nonces: Callable[[], list[str]],
    *,
    access_token: str | None = None,
) -> Proof:
    if not value or len(value) > 4096 or "," in value:
        raise _error("exactly one DPoP proof is required")
    try:
        parts = jws.extract_compact(value.encode())
        header = parts.protected
        jwk = header.get("jwk")
        if header.get("typ") != "dpop+jwt" or header.get("alg") not in ALGS:
            raise _error(f"the DPoP proof needs typ dpop+jwt and one of {list(ALGS)}")
        if not isinstance(jwk, dict) or "d" in jwk or "p" in jwk:
            raise _error("the DPoP proof needs a public jwk in its header")
        key, jkt = _public_key(json.dumps(jwk, sort_keys=True))
        token = jwt.decode(value, key, algorithms=list(ALGS))
    except OAuthError:
        raise
    except (JoseError, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise _error(f"the DPoP proof does not verify ({exc.__class__.__name__})") from None
    claims: dict[str, Any] = dict(token.claims)
    if claims.get("htm") != method or claims.get("htu") != url:
        raise _error(f"the DPoP proof is for another request (htm/htu must be {method} {url})")
    iat, jti = claims.get("iat"), claims.get("jti")
    if not isinstance(iat, int) or abs(time.time() - iat) > _MAX_AGE:
        raise _error("the DPoP proof is not fresh (iat)")
    if not isinstance(jti, str) or not jti or len(jti) > 200:
        raise _error("the DPoP proof needs a jti")
    if access_token is not None and claims.get("ath") != ath(access_token):
        raise _error("the DPoP proof does not name this access token (ath)")
    current = expected_nonces()
    if claims.get("nonce") not in current:
        ask = OAuthError("use_dpop_nonce", "use the DPoP nonce of this server")
        ask.headers = {"DPoP-Nonce": current[0]}
        raise ask
    return Proof(jkt=jkt, jti=jti)


def make_proof(
    key: ECKey,
    method: str,
    url: str,
    *,
    nonce: str | None = None,
    access_token: str | None = None,
) -> str:
    """A DPoP proof for one request (client side)."""
    claims: dict[str, Any] = {
        "htm": method,
        "htu": url,
        "iat": int(time.time()),
        "jti": secrets.token_urlsafe(16),
    }
    if nonce:
        claims["nonce"] = nonce
    if access_token:
        claims["ath"] = ath(access_token)
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    return jwt.encode(header, claims, key, algorithms=["ES256"])
