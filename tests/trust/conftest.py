"""The service over the committed SANDBOX repository data (authority keys, agreements, policy)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eauth_toolkit.repository.keys import load_key
from eauth_toolkit.repository.samples import load_trust_samples
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.store import RepositoryStore
from eauth_toolkit.repository.trustdocs import (
    AGREEMENT_SUBMISSION_TYP,
    TRUSTLIST_TYP,
    sign_document,
)
from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app
from eauth_toolkit.web.routes.repository import STORE_STATE_KEY

ROOT = Path(__file__).resolve().parents[2]
REPO = ROOT / "repository_list"
KEYS = REPO / "sandbox-authority-keys"
PILOT_ENTRIES = ROOT / "pilot_sandbox" / "entries"


def key_path(ams: str) -> Path:
    return KEYS / f"{ams}.private.jwk.json"


def pilot_entry(name: str, base_url: str = "http://127.0.0.1:8000") -> dict[str, Any]:
    """A pilot entry file as an ordinary entry of the service at ``base_url``."""
    text = (PILOT_ENTRIES / f"{name}.json").read_text(encoding="utf-8")
    entry = dict(json.loads(text.replace("{base_url}", base_url)))
    # SANDBOX facts have no public source: they are marked unconfirmed, as the sourcing rules ask
    entry["unconfirmed"] = [
        "/name",
        "/operator",
        "/technology_type",
        "/description",
        "/claimed_level",
        "/oidc",
        "/status_history",
    ]
    return entry


def submission(
    ams: str, entries: list[dict[str, Any]], withdrawals: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "ams": ams,
        "authority": f"SANDBOX authority of {ams}",
        "entries": entries,
        "withdrawals": withdrawals or [],
    }


@dataclass
class Service:
    client: TestClient
    store: RepositoryStore
    settings: Settings
    tokens: dict[str, str]

    def submit(self, ams: str, document: dict[str, Any]) -> Any:
        jws = sign_submission(
            document, load_key(key_path(ams)), sequence=self.store.next_sequence(ams)
        )
        return self.client.post(
            "/api/repository/submissions",
            json={"jws": jws},
            headers={"Authorization": f"Bearer {self.tokens[ams]}"},
        )

    def post_signed(self, path: str, token_ams: str, jws: str) -> Any:
        return self.client.post(
            f"/api/repository/{path}",
            json={"jws": jws},
            headers={"Authorization": f"Bearer {self.tokens[token_ams]}"},
        )

    def submit_agreement(
        self, ams: str, body: dict[str, Any], *, key_ams: str | None = None
    ) -> Any:
        """``body`` is ``{"agreement": DOCUMENT}`` or ``{"withdrawal": {...}}``: ``ams``'s
        submission signed with the key of ``key_ams`` (default ``ams``), sent with ``ams``'s token."""
        jws = sign_document(
            {"ams": ams, **body},
            load_key(key_path(key_ams or ams)),
            typ=AGREEMENT_SUBMISSION_TYP,
            sequence=self.store.next_sequence(ams),
        )
        return self.post_signed("agreements", ams, jws)

    def submit_trust_list(
        self, ams: str, pointer: dict[str, Any], *, key_ams: str | None = None
    ) -> Any:
        jws = sign_document(
            {"ams": ams, "trust_list": pointer},
            load_key(key_path(key_ams or ams)),
            typ=TRUSTLIST_TYP,
            sequence=self.store.next_sequence(ams),
        )
        return self.post_signed("trust-lists", ams, jws)

    def post_review(self, token_ams: str, jws: str) -> Any:
        return self.client.post(
            "/api/repository/reviews",
            json={"jws": jws},
            headers={"Authorization": f"Bearer {self.tokens[token_ams]}"},
        )


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'repo.sqlite'}",
        data_dir=tmp_path,
        load_samples=False,
        repository_dir=REPO,
    )
    app = create_app(settings)
    store: RepositoryStore = getattr(app.state, STORE_STATE_KEY)
    tokens = {ams: store.create_token(ams, f"{ams} desk") for ams in ("SG", "MY", "TH", "ID")}
    load_trust_samples(store, REPO)  # the SANDBOX trust lists and SG-MY agreement, as submissions
    with TestClient(app) as client:
        yield Service(client, store, settings, tokens)
    store.close()


PUBLISHER_KEY = REPO / "sandbox-publisher-key" / "publisher.private.jwk.json"
PUBLISHER_CERT = REPO / "sandbox-publisher-key" / "publisher.cert.pem"


def publish_list(service: Service, out: Path, **kwargs: Any) -> Any:
    """Publish the service's next list (with its trust picture) to ``out``."""
    from eauth_toolkit.repository.publication import publish
    from eauth_toolkit.repository.trust import trust_picture

    return publish(
        service.store,
        load_key(PUBLISHER_KEY),
        out,
        trust=trust_picture(service.store, REPO),
        **kwargs,
    )
