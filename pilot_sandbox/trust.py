"""The signed trust configuration: which issuers (IdPs, gateways, services) take part in the pilot,
their keys (JWKS, by ``kid``), their registered redirect URIs and their repository entry ids.

It is a JWS (ES256) signed by the trust anchor's key, whose thumbprint is pinned in ``pilot.toml``
(:func:`load_anchor`): workers verify it with that key only, never with a key read from the store
it is kept in. Gateways verify it at start-up and accept tokens and client assertions only from
issuers and keys listed in it. A new version is published when
the participants or their keys change (e.g. a key rotation); every worker picks up the newest one.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, KeySet
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from eauth_toolkit.errors import PilotError
from pilot_sandbox.store import Store, keys, trust

__all__ = [
    "TRUST_ANCHOR_OWNER",
    "TRUST_TYPE",
    "TrustedParty",
    "TrustConfiguration",
    "sign_trust_document",
    "verify_trust_document",
    "publish_trust_configuration",
    "TrustCache",
    "published_base",
    "load_anchor",
]

TRUST_ANCHOR_OWNER = "sandbox-trust-anchor"
TRUST_TYPE = "eauth-pilot-trust+jws"


@dataclass(frozen=True)
class TrustedParty:
    issuer: str
    role: str
    ams: str
    entry_id: str | None
    jwks: dict[str, Any]
    redirect_uris: tuple[str, ...] = ()
    #: the client's registered ``id_token_signed_response_alg`` (ES256 unless it asks for RS256)
    id_token_alg: str = "ES256"
    #: the protocol profile the party speaks as a provider (``oidc`` or ``fapi2``)
    profile: str = "oidc"

    @cached_property
    def keyset(self) -> KeySet:
        return KeySet.import_key_set(self.jwks)  # type: ignore[arg-type]

    @cached_property
    def encryption_key(self) -> ECKey | None:
        """The party's registered key for encrypting ID tokens to it (EC, ``use`` enc)."""
        for k in self.jwks.get("keys", []):
            if k.get("use") == "enc" and k.get("kty") == "EC":
                return ECKey.import_key(k)
        return None

    @cached_property
    def _kids(self) -> frozenset[str]:
        return frozenset(str(k.get("kid")) for k in self.jwks.get("keys", []))

    def kids(self) -> frozenset[str]:
        return self._kids


@dataclass(frozen=True)
class TrustConfiguration:
    version: int
    issued_at: int
    parties: dict[str, TrustedParty] = field(default_factory=dict)
    document: dict[str, Any] = field(default_factory=dict)

    def party(self, issuer: str) -> TrustedParty:
        try:
            return self.parties[issuer]
        except KeyError:
            raise PilotError(
                f"issuer {issuer!r} is not in the trust configuration (version {self.version})",
                code="untrusted_issuer",
            ) from None


def _digest(parties: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(parties, sort_keys=True).encode()).hexdigest()


def sign_trust_document(document: dict[str, Any], anchor: ECKey) -> str:
    header = {"alg": "ES256", "kid": anchor.kid, "typ": TRUST_TYPE, "cty": "json"}
    payload = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return jws.serialize_compact(header, payload, anchor, algorithms=["ES256"])


def verify_trust_document(value: str, anchor_public: KeySet | ECKey) -> TrustConfiguration:
    """Verify the JWS with the trust anchor's public key; refuse anything else."""
    try:
        obj = jws.deserialize_compact(value, anchor_public, algorithms=["ES256"])
    except (JoseError, ValueError) as exc:
        raise PilotError(
            f"the trust configuration does not verify with the trust anchor key ({exc.__class__.__name__})",
            code="untrusted_configuration",
        ) from None
    if obj.protected.get("typ") != TRUST_TYPE:
        raise PilotError(
            "the trust configuration has the wrong typ header", code="untrusted_configuration"
        )
    doc = json.loads(obj.payload)
    parties = {
        p["issuer"]: TrustedParty(
            issuer=p["issuer"],
            role=p["role"],
            ams=p["ams"],
            entry_id=p.get("entry_id"),
            jwks=p["jwks"],
            redirect_uris=tuple(p.get("redirect_uris", [])),
            id_token_alg=p.get("id_token_alg", "ES256"),
            profile=p.get("profile", "oidc"),
        )
        for p in doc["parties"]
    }
    return TrustConfiguration(int(doc["version"]), int(doc["issued_at"]), parties, doc)


def published_base(store: Store) -> str | None:
    """The service address the store's newest trust configuration was published for (read,
    not verified: to tell which service a store belongs to), or None for a new store."""
    latest = _latest(store)
    if latest is None:
        return None
    parties = json.loads(jws.extract_compact(latest[2].encode()).payload).get("parties", [])
    return str(parties[0]["issuer"]).split("/ams/", 1)[0] if parties else ""


def load_anchor(path: Path, thumbprint: str) -> ECKey:
    """The trust anchor's signing key from ``path``, refused unless its RFC 7638 thumbprint is
    the pinned one (``[trust] anchor_thumbprint``)."""
    try:
        key = JWKRegistry.import_key(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, JoseError) as exc:
        raise PilotError(f"cannot read the trust anchor key ({exc})", where=str(path)) from None
    if not isinstance(key, ECKey) or key.private_key is None:
        raise PilotError("the trust anchor key must be a private EC key (ES256)", where=str(path))
    if str(key.thumbprint()) != thumbprint:
        raise PilotError(
            f"the trust anchor key is not the pinned one (thumbprint {key.thumbprint()}, "
            f"pinned {thumbprint} in [trust] anchor_thumbprint)",
            where=str(path),
            code="untrusted_configuration",
        )
    return key


def _public(anchor: ECKey) -> KeySet:
    return KeySet([ECKey.import_key(anchor.as_dict(private=False))])


def _signed_by_legacy_anchor(store: Store, value: str) -> bool:
    """Whether ``value`` verifies with an anchor key kept in the store by earlier versions of the
    pilot (such a configuration is signed again with the pinned anchor; nothing else is)."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(keys.c.jwk).where(keys.c.owner == TRUST_ANCHOR_OWNER)).all()
    for row in rows:
        public = ECKey.import_key(json.loads(row.jwk)).as_dict(private=False)
        try:
            verify_trust_document(value, ECKey.import_key(public))
            return True
        except PilotError:
            continue
    return False


def _latest(store: Store) -> tuple[int, str, str] | None:
    with store.engine.connect() as conn:
        row = conn.execute(
            select(trust.c.version, trust.c.digest, trust.c.jws)
            .order_by(trust.c.version.desc())
            .limit(1)
        ).first()
    return (int(row.version), str(row.digest), str(row.jws)) if row else None


def publish_trust_configuration(
    store: Store, parties: list[dict[str, Any]], anchor: ECKey
) -> TrustConfiguration:
    """Sign (with the trust anchor's key) and store a new version when ``parties`` differ from
    the newest one; return the newest verified configuration. Safe when several workers start
    together."""
    parties = sorted(parties, key=lambda p: p["issuer"])
    digest = _digest(parties)
    for _ in range(5):
        latest = _latest(store)
        if (
            latest is not None
            and latest[1] == digest
            and not _signed_by_legacy_anchor(store, latest[2])
        ):
            break
        version = (latest[0] if latest else 0) + 1
        doc = {
            "iss": "urn:eauth:pilot:sandbox-trust-anchor",
            "sandbox": True,
            "version": version,
            "issued_at": int(time.time()),
            "parties": parties,
        }
        try:
            with store.engine.begin() as conn:
                conn.execute(
                    insert(trust).values(
                        version=version,
                        digest=digest,
                        jws=sign_trust_document(doc, anchor),
                        created_at=time.time(),
                    )
                )
            break
        except IntegrityError:
            continue
    return TrustCache(store, anchor=_public(anchor)).current()


class TrustCache:
    """The newest verified trust configuration, re-read when another version appears."""

    def __init__(self, store: Store, *, anchor: KeySet, refresh_seconds: float = 1.0) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._anchor = anchor
        self._config: TrustConfiguration | None = None
        self._checked = 0.0

    def current(self) -> TrustConfiguration:
        now = time.monotonic()
        if self._config is not None and now - self._checked < self.refresh_seconds:
            return self._config
        with self.store.engine.connect() as conn:
            version = conn.execute(select(func.max(trust.c.version))).scalar()
        if version is None:
            raise PilotError(
                "no trust configuration has been published", code="untrusted_configuration"
            )
        if self._config is None or self._config.version != version:
            latest = _latest(self.store)
            assert latest is not None
            self._config = verify_trust_document(latest[2], self._anchor)
        self._checked = now
        return self._config

    def invalidate(self) -> None:
        self._checked = 0.0

    def refresh(self) -> TrustConfiguration:
        """The newest configuration, checked in the store now (e.g. for a key this worker has
        not seen yet: another worker may have published its rotation within the last second)."""
        self.invalidate()
        return self.current()
