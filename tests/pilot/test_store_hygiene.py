"""Expired flow state does not pile up: it is purged with later writes and on demand."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from pilot_sandbox import store as store_module
from pilot_sandbox.store import Store, state


def _rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(state)).scalar() or 0)


def test_expired_state_is_purged(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}", lock_dir=tmp_path)
    store.put("code", "old", {"x": 1}, ttl=-60)  # expired, still within the grace period
    store.put("code", "live", {"x": 2}, ttl=60)
    assert _rows(store) == 2
    assert store.purge_expired(grace=0) == 1
    assert store.get("code", "live") == {"x": 2} and _rows(store) == 1
    # and by itself with a later write, once the interval has passed
    store.put("code", "old2", {"x": 3}, ttl=-3600)
    assert _rows(store) == 2
    store._purged_at -= store_module.PURGE_EVERY + 1
    store.put("code", "new", {"x": 4}, ttl=60)
    assert _rows(store) == 2 and store.get("code", "old2") is None
