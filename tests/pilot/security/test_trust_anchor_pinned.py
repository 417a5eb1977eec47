"""The trust anchor's key is pinned in configuration (``[trust] anchor_thumbprint`` in pilot.toml),
outside the store and the data folder it protects: nothing about the anchor is kept in the store,
a configuration re-signed by someone with write access to the database is refused, and an anchor
key that is not the pinned one stops the start."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from joserfc.jwk import ECKey
from pilot_helpers import pilot_variant
from sqlalchemy import func, insert, select

from eauth_toolkit.errors import PilotError
from eauth_toolkit.settings import Settings
from pilot_sandbox.sandbox import Pilot
from pilot_sandbox.store import keys, trust
from pilot_sandbox.trust import TRUST_ANCHOR_OWNER, sign_trust_document


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(
        base_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}",
        **kw,  # type: ignore[arg-type]
    )


def test_the_anchor_is_not_kept_in_the_store_or_the_data_folder(tmp_path: Path) -> None:
    pilot = Pilot(_settings(tmp_path))
    with pilot.store.engine.connect() as conn:
        owners = set(conn.execute(select(keys.c.owner)).scalars())
    assert TRUST_ANCHOR_OWNER not in owners
    assert not [p for p in tmp_path.rglob("*anchor*")]
    assert pilot.trust.current().version == 1


def test_a_configuration_re_signed_through_the_database_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    pilot = Pilot(settings)
    doc = dict(pilot.trust.current().document)
    attacker = ECKey.generate_key("P-256", private=True, auto_kid=True)
    rogue = {
        "issuer": "https://rogue.example",
        "role": "connector",
        "ams": "MY",
        "jwks": {"keys": []},
    }
    doc.update(version=2, parties=[*doc["parties"], rogue])
    with pilot.store.engine.begin() as conn:
        conn.execute(
            insert(trust).values(
                version=2,
                digest="0" * 64,
                jws=sign_trust_document(doc, attacker),
                created_at=time.time(),
            )
        )
    with pytest.raises(PilotError, match="does not verify with the trust anchor key"):
        pilot.trust.refresh()
    # even with the attacker's key planted as an anchor of the store, a restart signs the pilot's
    # own parties again with the pinned anchor: the rogue party is never trusted
    with pilot.store.engine.begin() as conn:
        conn.execute(
            insert(keys).values(
                owner=TRUST_ANCHOR_OWNER,
                use="sig",
                generation=1,
                jwk=json.dumps(attacker.as_dict(private=True)),
                created_at=time.time(),
            )
        )
    restarted = Pilot(settings)
    config = restarted.trust.current()
    assert config.version == 3 and "https://rogue.example" not in config.parties
    with restarted.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(trust)).scalar() == 3


def test_an_anchor_key_that_is_not_the_pinned_one_stops_the_start(tmp_path: Path) -> None:
    other = ECKey.generate_key("P-256", private=True, auto_kid=True)
    (tmp_path / "anchor.jwk.json").write_text(json.dumps(other.as_dict(private=True)))
    config = pilot_variant(
        tmp_path,
        replace=[(r'# anchor_key = "[^"]*"', 'anchor_key = "anchor.jwk.json"')],
    )
    with pytest.raises(PilotError, match="not the pinned one"):
        Pilot(_settings(tmp_path, pilot_config=config))
