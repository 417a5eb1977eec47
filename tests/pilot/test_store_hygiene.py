"""Expired flow state does not pile up: it is purged with later writes and on demand."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_the_back_channel_opens_and_closes_with_the_service(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from eauth_toolkit.settings import Settings
    from eauth_toolkit.web.app import create_app
    from pilot_sandbox.oidc.backchannel import BackChannelError

    app = create_app(
        Settings(
            base_url="http://127.0.0.1:9",
            data_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}",
        )
    )
    channel = app.state.pilot.backchannel
    with pytest.raises(BackChannelError, match="closed"):  # nothing opened at start-up
        channel.post_form("http://127.0.0.1:9/token", {})
    with TestClient(app):
        assert channel.is_open
    assert not channel.is_open


def test_every_kind_of_flow_state_expires_and_is_purged(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}", lock_dir=tmp_path)
    kinds = ["authreq", "par", "code", "at", "jti", "dpop", "idpsession", "svcsession", "rp:my-x"]
    for kind in kinds:
        store.put(kind, "old", {}, ttl=-1)
    assert store.add_unique("jti", "client|replayed", ttl=-1)
    assert store.purge_expired(grace=0) == len(kinds) + 1 and _rows(store) == 0


def test_one_step_of_one_flow_and_a_thread_keeps_its_connection(tmp_path: Path) -> None:
    import threading

    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}", lock_dir=tmp_path)
    for flow in ("f1", "f2"):
        for step in ("a", "b", "a"):
            store.record(flow_id=flow, step=step, component="c", ams="sg", outcome="ok")
    got = store.events(flow_id="f1", step="a")
    assert [(e["flow_id"], e["step"]) for e in got] == [("f1", "a"), ("f1", "a")]
    assert got[0]["id"] < got[1]["id"] and len(store.events(flow_id="f1")) == 3

    # SQLite: one connection per thread, across transactions; a failed one is rolled back
    seen: list[object] = []

    def work() -> None:
        store.put("k", "x", {"n": 1}, ttl=60)
        seen.append(store._own.conn)  # type: ignore[union-attr]
        # the second marker collides with the first: nothing of the transaction is kept
        assert store.take_once("k", "x", unique=[("u", "1", 60), ("u", "1", 60)]) == (
            False,
            "missing",
            None,
        )
        assert store.add_unique("u", "1", ttl=60)
        assert store.get("k", "x") == {"n": 1}  # not consumed: the transaction rolled back
        seen.append(store._own.conn)  # type: ignore[union-attr]

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert len(seen) == 2 and seen[0] is seen[1] is not None


def test_closing_the_store_closes_every_threads_connection(tmp_path: Path) -> None:
    import threading

    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}", lock_dir=tmp_path)
    workers = [
        threading.Thread(target=store.put, args=("par", f"k{i}", {"i": i}), kwargs={"ttl": 60})
        for i in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    store.put("par", "main", {"i": -1}, ttl=60)
    owned = [c.dbapi_connection for c in store._owned]
    assert len(owned) == 5  # one per thread that used the store
    store.close()
    for conn in owned:
        with pytest.raises(Exception, match="closed database"):
            conn.cursor()
    # a store used after its service stopped opens a new connection and still answers
    assert store.get("par", "k2") == {"i": 2}
    store.close()
