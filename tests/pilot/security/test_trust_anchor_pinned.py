"""The trust anchor's public key is pinned in the data folder, outside the store it protects: a
store whose anchor was replaced (by someone able to write to the database) is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from eauth_toolkit.errors import PilotError
from eauth_toolkit.settings import Settings
from pilot_sandbox.keys import key_ring
from pilot_sandbox.sandbox import ANCHOR_FILE, Pilot
from pilot_sandbox.store import keys, trust
from pilot_sandbox.trust import TRUST_ANCHOR_OWNER


def test_a_replaced_trust_anchor_stops_the_start(tmp_path: Path) -> None:
    settings = Settings(
        base_url="http://127.0.0.1:9",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}",
    )
    pilot = Pilot(settings)
    pinned = tmp_path / ANCHOR_FILE
    assert pinned.exists() and '"d"' not in pinned.read_text(encoding="utf-8")
    assert Pilot(settings).trust.current().version == pilot.trust.current().version
    # an attacker with write access to the store swaps the anchor key and re-signs the parties
    with pilot.store.engine.begin() as conn:
        conn.execute(delete(keys).where(keys.c.owner == TRUST_ANCHOR_OWNER))
        conn.execute(delete(trust))
    key_ring(pilot.store, TRUST_ANCHOR_OWNER)
    with pytest.raises(PilotError, match="not the pinned one"):
        Pilot(settings)
