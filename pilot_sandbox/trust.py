"""The signed trust configuration: which issuers (IdPs, gateways, services) take part in the pilot,
their keys (JWKS, by ``kid``), their registered redirect URIs and their repository entry ids.

It is a JWS (ES256) signed by the sandbox trust-anchor key. Gateways verify it at start-up and accept
tokens and client assertions only from issuers and keys listed in it. A new version is published when
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
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from eauth_toolkit.errors import PilotError
from pilot_sandbox.keys import key_ring
from pilot_sandbox.store import Store, trust

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
    "pinned_anchor",
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


def _anchor_public(store: Store) -> KeySet:
    ring = key_ring(store, TRUST_ANCHOR_OWNER)
    return KeySet.import_key_set({"keys": [k.as_dict(private=False) for k in ring.sig]})  # type: ignore[arg-type]


def _latest(store: Store) -> tuple[int, str, str] | None:
    with store.engine.connect() as conn:
        row = conn.execute(
            select(trust.c.version, trust.c.digest, trust.c.jws)
            .order_by(trust.c.version.desc())
            .limit(1)
        ).first()
    return (int(row.version), str(row.digest), str(row.jws)) if row else None


def publish_trust_configuration(store: Store, parties: list[dict[str, Any]]) -> TrustConfiguration:
    """Sign and store a new version when ``parties`` differ from the newest one; return the newest
    verified configuration. Safe when several workers start together."""
    parties = sorted(parties, key=lambda p: p["issuer"])
    digest = _digest(parties)
    for _ in range(5):
        latest = _latest(store)
        if latest is not None and latest[1] == digest:
            break
        version = (latest[0] if latest else 0) + 1
        anchor = key_ring(store, TRUST_ANCHOR_OWNER).signing_key
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
    return TrustCache(store).current()


def pinned_anchor(store: Store, path: Path) -> KeySet:
    """The trust anchor's public key, pinned in ``path`` outside the database it protects.

    On the first start the anchor's public key is written there; afterwards configurations verify
    only with the pinned key, and a store whose anchor key differs (replaced by someone with write
    access to the database) stops the start with an error."""
    current = _anchor_public(store)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current.as_dict(private=False), indent=2), encoding="utf-8")
        return current
    try:
        pinned = KeySet.import_key_set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, JoseError) as exc:
        raise PilotError(
            f"cannot read the pinned trust anchor key ({exc})", where=str(path)
        ) from None
    have = {str(k.thumbprint()) for k in current.keys}
    if not {str(k.thumbprint()) for k in pinned.keys} & have:
        raise PilotError(
            "the store's trust anchor key is not the pinned one, so its trust configuration "
            "cannot be trusted (if the store was reset on purpose, delete this file)",
            where=str(path),
            code="untrusted_configuration",
        )
    return pinned


class TrustCache:
    """The newest verified trust configuration, re-read when another version appears."""

    def __init__(
        self, store: Store, *, refresh_seconds: float = 1.0, anchor: KeySet | None = None
    ) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._anchor = anchor if anchor is not None else _anchor_public(store)
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
