"""The pilot's store: flow state (pending requests, codes, sessions, consent), keys, the signed
trust configuration and the events. Nothing about a flow is kept in process memory, so several
workers or instances can serve one pilot over one database.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from eauth_toolkit.db import make_engine, migrate

__all__ = ["metadata", "state", "keys", "trust", "events", "Store", "MIGRATIONS", "VERSION_TABLE"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "pilot_alembic_version"
_LOCK_KEY = 7_429_117

metadata = MetaData()

state = Table(
    "pilot_state",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("kind", String(60), nullable=False),
    Column("data", Text, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

keys = Table(
    "pilot_keys",
    metadata,
    Column("owner", String(200), primary_key=True),
    Column("use", String(8), primary_key=True),
    Column("generation", Integer, primary_key=True),
    Column("jwk", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

trust = Table(
    "pilot_trust",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("digest", String(64), nullable=False),
    Column("jws", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

events = Table(
    "pilot_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("flow_id", String(40), nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("step", String(40), nullable=False),
    Column("component", String(40), nullable=False),
    Column("ams", String(2), nullable=False),
    Column("outcome", String(8), nullable=False),
    Column("error", String(60)),
    Column("description", Text),
    Column("duration_ms", Float),
    Column("worker", Integer),
    Column("data", Text),
)


# statements built once (their compiled form is cached; only the parameters change per call)
_INSERT_STATE = insert(state)
_GET_STATE = select(state.c.data, state.c.expires_at, state.c.used).where(
    state.c.id == bindparam("rid")
)
_TAKE_STATE = (
    update(state)
    .where(
        and_(
            state.c.id == bindparam("rid"),
            state.c.used.is_(False),
            state.c.expires_at >= bindparam("now"),
        )
    )
    .values(used=True)
)
_INSERT_EVENT = insert(events)


class Store:
    """Thin keyword-only access to the pilot tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, lock_dir: Path | None = None) -> Store:
        """Open the store and apply the migrations, one process at a time (several workers may
        start together: PostgreSQL advisory lock, or a file lock next to a SQLite database)."""
        engine = (
            make_engine(url, pool_size=20, max_overflow=20)
            if not url.startswith("sqlite")
            else make_engine(url)
        )
        if engine.dialect.name == "sqlite":

            @event.listens_for(engine, "connect")
            def _no_fsync_per_commit(dbapi_conn, _record):  # type: ignore[no-untyped-def]
                # WAL with synchronous=NORMAL: commits are atomic and survive a crash of the
                # service; only a power cut can lose the last transactions (sandbox store)
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
                try:
                    migrate(engine, MIGRATIONS, VERSION_TABLE)
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                    conn.commit()
        else:
            path = Path(lock_dir or ".") / ".pilot-migrate.lock"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                try:
                    migrate(engine, MIGRATIONS, VERSION_TABLE)
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)
        return cls(engine)

    # ------------------------------------------------------------------ flow state
    def put(self, kind: str, key: str, data: dict[str, Any], *, ttl: float) -> None:
        row = {
            "id": f"{kind}:{key}",
            "kind": kind,
            "data": json.dumps(data),
            "expires_at": time.time() + ttl,
            "used": False,
        }
        with self.engine.begin() as conn:
            conn.execute(_INSERT_STATE, row)

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The live (unexpired, unused) record, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(_GET_STATE, {"rid": f"{kind}:{key}"}).first()
        if row is None or row.used or row.expires_at < time.time():
            return None
        return dict(json.loads(row.data))

    def take(self, kind: str, key: str) -> tuple[str, dict[str, Any] | None]:
        """Consume a one-time record atomically (safe across workers).

        Returns ``("ok", data)``, ``("used", data)`` for a replay, ``("expired", data)`` or
        ``("missing", None)``."""
        rid = f"{kind}:{key}"
        now = time.time()
        with self.engine.begin() as conn:
            res = conn.execute(_TAKE_STATE, {"rid": rid, "now": now})
            row = conn.execute(_GET_STATE, {"rid": rid}).first()
        if row is None:
            return "missing", None
        data = dict(json.loads(row.data))
        if res.rowcount == 1:
            return "ok", data
        if row.expires_at < now and not row.used:
            return "expired", data
        return "used", data

    def add_unique(self, kind: str, key: str, *, ttl: float) -> bool:
        """Remember ``key`` once (e.g. a client assertion's jti); False when it was seen before."""
        try:
            self.put(kind, key, {}, ttl=ttl)
            return True
        except IntegrityError:
            return False

    # ------------------------------------------------------------------ events
    def record(
        self,
        *,
        flow_id: str,
        step: str,
        component: str,
        ams: str,
        outcome: str,
        error: str | None = None,
        description: str | None = None,
        duration_ms: float | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        row = {
            "flow_id": flow_id or "-",
            "at": time.time(),
            "step": step,
            "component": component,
            "ams": ams.upper(),
            "outcome": outcome,
            "error": error,
            "description": description,
            "duration_ms": duration_ms,
            "worker": os.getpid(),
            "data": json.dumps(data or {}),
        }
        with self.engine.begin() as conn:
            conn.execute(_INSERT_EVENT, row)

    def events(self, *, flow_id: str | None = None) -> list[dict[str, Any]]:
        q = select(events).order_by(events.c.id)
        if flow_id is not None:
            q = q.where(events.c.flow_id == flow_id)
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        out = []
        for r in rows:
            d = dict(r)
            d["data"] = json.loads(d["data"] or "{}")
            out.append(d)
        return out
