"""The running pilot: configuration, store, keys, trust configuration, and one OpenID provider and
relying party object per IdP, Proxy, Connector and demo service. Built once per worker from
:class:`Settings`; holds no flow state (that is all in the store)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet

from eauth_toolkit.recognition import MINIMUM_DATA_SET, loa_urn
from eauth_toolkit.settings import Settings
from pilot_sandbox.config import Participant, PilotConfig, load_pilot_config
from pilot_sandbox.entries import TechnologyEntry, technology_entry
from pilot_sandbox.keys import KeyRing, key_ring, rotate
from pilot_sandbox.oidc.backchannel import BackChannel
from pilot_sandbox.oidc.client import RelyingParty, UpstreamProvider
from pilot_sandbox.oidc.errors import OAuthError
from pilot_sandbox.oidc.provider import Provider
from pilot_sandbox.store import Store
from pilot_sandbox.trust import (
    TrustCache,
    TrustConfiguration,
    TrustedParty,
    load_anchor,
    publish_trust_configuration,
)
from pilot_sandbox.trustlist import PilotTrust

__all__ = ["Pilot", "Ams", "pairwise", "is_country_code", "SANDBOX_ANCHOR_KEY"]

#: the SANDBOX trust anchor shipped with the pilot (its thumbprint is pinned in pilot.toml)
SANDBOX_ANCHOR_KEY = (
    Path(__file__).resolve().parent / "sandbox_keys" / "trust-anchor.private.jwk.json"
)


def is_country_code(value: str) -> bool:
    """Whether ``value`` is written as a country code: two capital ASCII letters (ISO 3166-1
    alpha-2, as AMS codes and eIDAS citizen country codes are)."""
    return len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()


def pairwise(*parts: str) -> str:
    """A persistent pairwise identifier: stable for one (sector, user), unlinkable across sectors."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _accepts(role: str, code: str, *, same_ams: bool) -> Callable[[TrustedParty], bool]:
    """Which trusted parties may be clients of a provider of AMS ``code``."""

    def check(party: TrustedParty) -> bool:
        return party.role == role and (party.ams == code) == same_ams

    return check


@dataclass
class Ams:
    """The parts of one participating AMS."""

    code: str  # upper case
    participant: Participant
    #: the technology of the national IdP, read from the verified list on each use
    lookup: Callable[[], TechnologyEntry]
    idp_issuer: str
    proxy_issuer: str
    connector_issuer: str
    idp: Provider | None  # None when the national IdP is external
    proxy: Provider
    proxy_rp: RelyingParty
    connector: Provider
    connector_rps: dict[str, RelyingParty]  # by the other AMS code
    service_rps: dict[str, RelyingParty]  # by service id

    @property
    def entry_id(self) -> str:
        return self.participant.idp.entry

    @property
    def entry(self) -> TechnologyEntry:
        return self.lookup()

    @property
    def slug(self) -> str:
        return self.code.lower()


def plain_http_warning(base_url: str) -> str | None:
    """Why the pilot's base URL is not fit beyond a local sandbox, or None: OAuth 2.0 and FAPI 2.0
    send codes and tokens over TLS only, plain http being tolerated on a loopback address."""
    import ipaddress
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return None
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return None
    return (
        f"the pilot is served at {base_url}, plain http on a non-loopback address: its codes and "
        "tokens travel unencrypted (acceptable for a sandbox on a private network only; put the "
        "service behind TLS and set EAUTH_BASE_URL to its https:// address otherwise)"
    )


class Pilot:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = settings.base_url.rstrip("/")
        self.config: PilotConfig = load_pilot_config(settings.pilot_config)
        self.store = Store.open(settings.database_url, lock_dir=settings.data_dir)
        self._rings: dict[str, KeyRing] = {}
        self._rings_version: int | None = None  # trust configuration version the rings match
        self._rings_follow_trust = False
        #: one keep-alive back channel per worker, for every token request of its relying parties
        self.backchannel = BackChannel()
        self.ams: dict[str, Ams] = {}
        #: the verified published Repository List (technologies, acr, agreed levels, agreements)
        self.trust_list = PilotTrust(settings, self.config)

        upstream: dict[str, tuple[UpstreamProvider, dict[str, Any]]] = {}
        for p in self.config.ams:
            c = p.code.lower()
            if p.idp.kind == "builtin":
                upstream[p.code] = (
                    UpstreamProvider.ours(self.url(c, "idp")),
                    self.keys(f"{c}/idp").public_jwks(),
                )
            else:
                assert p.idp.issuer
                upstream[p.code] = UpstreamProvider.discover(p.idp.issuer)
        #: the trust anchor's key, pinned by its thumbprint in pilot.toml (outside the store)
        trust_settings = self.config.trust
        anchor_path = (
            Path(settings.pilot_config).parent / trust_settings.anchor_key
            if trust_settings.anchor_key
            else SANDBOX_ANCHOR_KEY
        )
        self.anchor = load_anchor(anchor_path, trust_settings.anchor_thumbprint)
        self.trust = TrustCache(
            self.store,
            anchor=KeySet([ECKey.import_key(self.anchor.as_dict(private=False))]),
        )
        self._publish(upstream)
        self._rings_version = self.trust.current().version  # verify now: refuse to start on a
        self._rings_follow_trust = True  # configuration that does not verify

        for p in self.config.ams:
            self.ams[p.code] = self._build(p, upstream[p.code][0])

    # ------------------------------------------------------------------ helpers
    def url(self, code: str, *parts: str) -> str:
        return "/".join([self.base, "ams", code.lower(), *parts])

    def keys(self, owner: str) -> KeyRing:
        """The owner's key ring, read from the store once per trust configuration version: a key
        rotation publishes a new version, so a rotation by any worker reaches every worker."""
        if self._rings_follow_trust:  # not while the first configuration is being built
            version = self.trust.current().version
            if version != self._rings_version:
                self._rings.clear()
                self._rings_version = version
        ring = self._rings.get(owner)
        if ring is None:
            ring = key_ring(
                self.store,
                owner,
                encryption=owner.endswith("/proxy")
                or "/services/" in owner
                or owner.endswith("/connector"),
                rsa=owner.endswith(("/idp", "/proxy", "/connector")),
            )
            self._rings[owner] = ring
        return ring

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(18)

    def today(self) -> dt.date:
        return dt.date.today()

    def other(self, code: str) -> list[str]:
        return [c for c in self.ams if c != code]

    def _parties(
        self, upstream: dict[str, tuple[UpstreamProvider, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for p in self.config.ams:
            c = p.code.lower()
            up, jwks = upstream[p.code]
            out.append(
                {
                    "issuer": up.issuer,
                    "role": "idp",
                    "ams": p.code,
                    "entry_id": p.idp.entry,
                    "jwks": jwks,
                    "redirect_uris": [],
                }
            )
            out.append(
                {
                    "issuer": self.url(c, "proxy"),
                    "role": "proxy",
                    "ams": p.code,
                    "entry_id": p.idp.entry,
                    "jwks": self.keys(f"{c}/proxy").public_jwks(),
                    "redirect_uris": [self.url(c, "proxy", "callback")],
                }
            )
            out.append(
                {
                    "issuer": self.url(c, "connector"),
                    "role": "connector",
                    "ams": p.code,
                    "entry_id": None,
                    "jwks": self.keys(f"{c}/connector").public_jwks(),
                    "redirect_uris": [self.url(c, "connector", "callback")],
                }
            )
            for s in p.services:
                out.append(
                    {
                        "issuer": self.url(c, "services", s.id),
                        "role": "service",
                        "ams": p.code,
                        "entry_id": None,
                        "jwks": self.keys(f"{c}/services/{s.id}").public_jwks(),
                        "redirect_uris": [self.url(c, "services", s.id, "callback")],
                    }
                )
        return out

    def _publish(
        self, upstream: dict[str, tuple[UpstreamProvider, dict[str, Any]]]
    ) -> TrustConfiguration:
        self._upstream = upstream
        config = publish_trust_configuration(self.store, self._parties(upstream), self.anchor)
        self.trust.invalidate()
        return config

    def rotate_key(self, owner: str) -> str:
        """Rotate an owner's signing key and publish a new trust configuration; returns the new kid."""
        key = rotate(self.store, owner)
        self._rings.pop(owner, None)
        if owner.endswith("/idp"):
            code = owner.split("/")[0].upper()
            up = self._upstream[code][0]
            self._upstream[code] = (up, self.keys(owner).public_jwks())
        self._publish(self._upstream)
        return str(key.kid)

    # ------------------------------------------------------------------ building the parts
    def _build(self, p: Participant, idp_upstream: UpstreamProvider) -> Ams:
        c = p.code.lower()
        entry_id = p.idp.entry

        def lookup() -> TechnologyEntry:
            return technology_entry(self.trust_list.view(), entry_id)

        entry = lookup()
        code = p.code
        iso_urns = [loa_urn(n) for n in range(1, 5)]
        claims = list(MINIMUM_DATA_SET)

        def ring(owner: str) -> Callable[[], KeyRing]:
            return lambda: self.keys(owner)

        idp = None
        if p.idp.kind == "builtin":
            idp = Provider(
                issuer=self.url(c, "idp"),
                keys=ring(f"{c}/idp"),
                store=self.store,
                trust=self.trust,
                client_filter=_accepts("proxy", code, same_ams=True),
                claims_supported=["sub", "given_name", "family_name", "birthdate", "acr"],
                acr_values_supported=sorted(entry.acr_levels),
                profile=p.profile,
            )
        proxy = Provider(
            issuer=self.url(c, "proxy"),
            keys=ring(f"{c}/proxy"),
            store=self.store,
            trust=self.trust,
            client_filter=_accepts("connector", code, same_ams=False),
            claims_supported=claims + ["acr"],
            acr_values_supported=iso_urns,
            profile=p.profile,
        )
        proxy_rp = RelyingParty(
            client_id=p.idp.client_id or self.url(c, "proxy"),
            redirect_uri=self.url(c, "proxy", "callback"),
            provider=idp_upstream,
            keys=ring(f"{c}/proxy"),
            store=self.store,
            trust=self.trust,
            http=self.backchannel,
            name=f"{c}-proxy",
            scope=p.idp.scope,
            profile=p.profile,
        )
        connector = Provider(
            issuer=self.url(c, "connector"),
            keys=ring(f"{c}/connector"),
            store=self.store,
            trust=self.trust,
            client_filter=_accepts("service", code, same_ams=True),
            claims_supported=claims + ["acr"],
            acr_values_supported=iso_urns,
            profile=p.profile,
        )
        connector_rps = {
            str(other.code): RelyingParty(
                client_id=self.url(c, "connector"),
                redirect_uri=self.url(c, "connector", "callback"),
                provider=UpstreamProvider.ours(self.url(other.code.lower(), "proxy")),
                keys=ring(f"{c}/connector"),
                store=self.store,
                trust=self.trust,
                http=self.backchannel,
                name=f"{c}-connector",
                profile=other.profile,
            )
            for other in self.config.ams
            if other.code != code
        }
        service_rps = {
            s.id: RelyingParty(
                client_id=self.url(c, "services", s.id),
                redirect_uri=self.url(c, "services", s.id, "callback"),
                provider=UpstreamProvider.ours(self.url(c, "connector")),
                keys=ring(f"{c}/services/{s.id}"),
                store=self.store,
                trust=self.trust,
                http=self.backchannel,
                name=f"{c}-{s.id}",
                profile=p.profile,
            )
            for s in p.services
        }
        return Ams(
            code=code,
            participant=p,
            lookup=lookup,
            idp_issuer=idp_upstream.issuer,
            proxy_issuer=self.url(c, "proxy"),
            connector_issuer=self.url(c, "connector"),
            idp=idp,
            proxy=proxy,
            proxy_rp=proxy_rp,
            connector=connector,
            connector_rps=connector_rps,
            service_rps=service_rps,
        )

    def get(self, code: str) -> Ams:
        a = self.ams.get(code.upper())
        if a is None:
            raise OAuthError(
                "invalid_request",
                f"{code.upper()} is not a participant of this pilot",
                status=404,
                redirect=False,
            )
        return a

    def entry_of(self, party: TrustedParty) -> TechnologyEntry:
        for a in self.ams.values():
            if a.entry_id == party.entry_id:
                return a.entry
        raise KeyError(party.entry_id)
