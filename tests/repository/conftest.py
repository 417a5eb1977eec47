"""Fixtures of the repository tests: test authority keys for the ten AMS, entries, stores."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import ECKey, Key

from eauth_toolkit.repository.keys import AuthorityRegistry
from eauth_toolkit.repository.models import AMS_CODES
from eauth_toolkit.repository.signing import sign_submission
from eauth_toolkit.repository.store import RepositoryStore

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]
REPOSITORY_DIR = ROOT / "repository_list"


@dataclass
class Authorities:
    """Test authority keys (private) and the registry of their public halves."""

    keys: dict[str, Key]
    registry: AuthorityRegistry
    registry_path: Path
    key_paths: dict[str, Path]


@pytest.fixture(scope="session")
def authorities(tmp_path_factory: pytest.TempPathFactory) -> Authorities:
    folder = tmp_path_factory.mktemp("authorities")
    keys: dict[str, Key] = {}
    paths: dict[str, Path] = {}
    reg: dict[str, Any] = {"label": "test", "authorities": {}}
    for ams in AMS_CODES:
        key = ECKey.generate_key("P-256", private=True)
        key = ECKey.import_key(key.as_dict(private=True) | {"kid": f"test-{ams.lower()}"})
        keys[ams] = key
        paths[ams] = folder / f"{ams}.jwk.json"
        paths[ams].write_text(json.dumps(key.as_dict(private=True)))
        reg["authorities"][ams] = {
            "name": f"Test authority of {ams}",
            "label": "test",
            "jwk": key.as_dict(private=False),
        }
    registry_path = folder / "authorities.json"
    registry_path.write_text(json.dumps(reg))
    return Authorities(keys, AuthorityRegistry.load(registry_path), registry_path, paths)


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def make_entry(ams: str, slug: str = "eid", **changes: Any) -> dict[str, Any]:
    """A valid entry of ``ams`` built from the fixture template."""
    entry = copy.deepcopy(load_fixture("entry_template.json"))
    entry["id"] = f"{ams.lower()}-{slug}"
    entry["ams"] = ams
    entry["name"] = f"{ams} {slug} test technology"
    entry.update(changes)
    return entry


def make_document(
    ams: str, entries: list[dict[str, Any]] | None = None, **changes: Any
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "ams": ams,
        "authority": f"Test authority of {ams}",
        "entries": entries if entries is not None else [make_entry(ams)],
        "withdrawals": [],
    }
    doc.update(changes)
    return doc


@pytest.fixture
def store(database_url: str, authorities: Authorities) -> Iterator[RepositoryStore]:
    s = RepositoryStore.open(database_url, authorities.registry)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path, authorities: Authorities) -> Iterator[RepositoryStore]:
    s = RepositoryStore.open(f"sqlite:///{tmp_path / 'repo.sqlite3'}", authorities.registry)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def submit_as(authorities: Authorities) -> Callable[..., Any]:
    """submit_as(store, ams, document, key_ams=None, sequence=None): sign with an authority key
    (that of ``key_ams``, default ``ams``) and submit."""

    def go(
        store: RepositoryStore,
        ams: str,
        document: dict[str, Any],
        *,
        key_ams: str | None = None,
        sequence: int | None = None,
    ) -> Any:
        key = authorities.keys[key_ams or ams]
        seq = sequence if sequence is not None else store.next_sequence(ams)
        return store.submit(sign_submission(document, key, sequence=seq))

    return go
