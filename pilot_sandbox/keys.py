"""Signing and encryption keys of the sandbox IdPs, gateways and services.

Keys are generated once, labelled SANDBOX, and kept in the store so that every worker uses the same
keys: the first generation of a key is inserted under a primary key, so concurrent workers race
safely (the loser reads the winner's key). Rotation adds a generation; the JWKS keeps the previous
generation so tokens signed just before the rotation still verify (keys are told apart by ``kid``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import ECKey, JWKRegistry, KeySet, RSAKey
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from pilot_sandbox.store import Store, keys

__all__ = ["KeyRing", "key_ring", "rotate", "SIG_ALG", "ENC_ALG"]

SIG_ALG = "ES256"
ENC_ALG = "ECDH-ES+A256KW"
_KEEP = 2  # generations published in the JWKS


def _generate(owner: str, use: str, generation: int) -> ECKey | RSAKey:
    key: ECKey | RSAKey
    if use == "rsa":  # RS256 ID tokens for OpenID clients that ask for them (OIDC Discovery 3)
        key = RSAKey.generate_key(
            2048, parameters={"use": "sig", "alg": "RS256"}, private=True, auto_kid=True
        )
    else:
        alg = SIG_ALG if use == "sig" else ENC_ALG
        key = ECKey.generate_key(
            "P-256", parameters={"use": use, "alg": alg}, private=True, auto_kid=True
        )
    # a readable, sandbox-labelled kid (unique per key thanks to the thumbprint)
    label = owner.replace("/", "-")
    key_dict = key.as_dict(private=True)
    key_dict["kid"] = f"sandbox-{label}-{use}-{generation}-{str(key.kid)[:8]}"
    return JWKRegistry.import_key(key_dict)  # type: ignore[return-value]


@dataclass(frozen=True)
class KeyRing:
    """The keys of one owner: newest first."""

    owner: str
    sig: tuple[ECKey, ...]
    enc: tuple[ECKey, ...]
    rsa: tuple[RSAKey, ...] = ()

    @property
    def signing_key(self) -> ECKey:
        return self.sig[0]

    @property
    def rsa_key(self) -> RSAKey:
        return self.rsa[0]

    @property
    def encryption_keys(self) -> KeySet:
        return KeySet(list(self.enc))

    def public_jwks(self) -> dict[str, Any]:
        keys: tuple[ECKey | RSAKey, ...] = (*self.sig[:_KEEP], *self.enc[:_KEEP], *self.rsa[:1])
        out = [dict(k.as_dict(private=False)) for k in keys]
        return {"keys": out}


def _load(store: Store, owner: str, use: str) -> list[Any]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(keys.c.jwk)
            .where(keys.c.owner == owner, keys.c.use == use)
            .order_by(keys.c.generation.desc())
        ).all()
    return [JWKRegistry.import_key(json.loads(r.jwk)) for r in rows]


def _insert(store: Store, owner: str, use: str, generation: int) -> None:
    key = _generate(owner, use, generation)
    try:
        with store.engine.begin() as conn:
            conn.execute(
                insert(keys).values(
                    owner=owner,
                    use=use,
                    generation=generation,
                    jwk=json.dumps(key.as_dict(private=True)),
                    created_at=time.time(),
                )
            )
    except IntegrityError:
        pass  # another worker generated this generation first: use theirs


def key_ring(store: Store, owner: str, *, encryption: bool = False, rsa: bool = False) -> KeyRing:
    """The owner's keys, generating the first generation when there is none."""
    uses = ("sig", "enc") if encryption else ("sig",)
    if rsa:
        uses = (*uses, "rsa")
    found: dict[str, list[Any]] = {}
    for use in uses:
        ks = _load(store, owner, use)
        if not ks:
            _insert(store, owner, use, 1)
            ks = _load(store, owner, use)
        found[use] = ks
    return KeyRing(
        owner, tuple(found["sig"]), tuple(found.get("enc", ())), tuple(found.get("rsa", ()))
    )


def rotate(store: Store, owner: str, use: str = "sig") -> Any:
    """Add a new generation of the owner's ``use`` key and return it."""
    current = _load(store, owner, use)
    with store.engine.connect() as conn:
        gens = (
            conn.execute(select(keys.c.generation).where(keys.c.owner == owner, keys.c.use == use))
            .scalars()
            .all()
        )
    _insert(store, owner, use, (max(gens) if gens else 0) + 1)
    new = _load(store, owner, use)
    assert len(new) > len(current)
    return new[0]
