"""The pilot's store: flow state (pending requests, codes, sessions, consent), keys, the signed
trust configuration and the events. Nothing about a flow is kept in process memory, so several
workers or instances can serve one pilot over one database.

Within one HTTP request (see :func:`deferred_writes`), new flow state and events are collected and
written in one transaction just before the response starts, so a request costs one commit instead
of one per row. Everything a response points to (a redirect carrying a code or a state, a page
naming a request) is committed before the client can see it; one-time records are still consumed
at once, and a read first writes what the request has collected.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
    delete,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from eauth_toolkit.db import make_engine, migrate

__all__ = [
    "metadata",
    "state",
    "keys",
    "trust",
    "events",
    "Store",
    "WriteBatch",
    "deferred_writes",
    "flush_pending",
    "MIGRATIONS",
    "VERSION_TABLE",
]

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


# the hot statements, compiled once per store for its database (see Store._sql)
_STATE_COLUMNS = ("id", "kind", "data", "expires_at", "used")
_EVENT_COLUMNS = tuple(c.name for c in events.columns if c.name != "id")
_INSERT_STATE = insert(state).values({c: bindparam(c) for c in _STATE_COLUMNS})
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
    .returning(state.c.data)
)
_INSERT_EVENT = insert(events).values({c: bindparam(c) for c in _EVENT_COLUMNS})
_FLOW_EVENTS = (
    select(*(events.c[c] for c in ("id", *_EVENT_COLUMNS)))
    .where(events.c.flow_id == bindparam("flow"))
    .order_by(events.c.id)
)
_STEP_EVENTS = _FLOW_EVENTS.where(events.c.step == bindparam("step"))
_PURGE_STATE = delete(state).where(state.c.expires_at < bindparam("before"))
#: expired flow state is deleted at most this often (seconds), with the next write
PURGE_EVERY = 300.0
#: and kept this long after it expired, so a late replay is still told apart from an unknown value
PURGE_GRACE = 600.0


class _Sql:
    """One statement compiled for one database, run on the driver's cursor directly: the flow
    state and event statements run a few dozen times per sign-in, and the driver call is a small
    part of what a full Core execution costs. Parameters are passed by name."""

    def __init__(self, engine: Engine, statement: Any) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.text = str(compiled)
        self.fixed = {k: v for k, v in compiled.params.items() if v is not None}  # e.g. used=True
        self.names: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if engine.dialect.positional else None
        )

    def params(self, values: dict[str, Any]) -> Any:
        if self.fixed:
            values = {**self.fixed, **values}
        return values if self.names is None else tuple(values[n] for n in self.names)


class WriteBatch:
    """Rows written during one request, per store, committed together by :meth:`flush`."""

    def __init__(self) -> None:
        self._rows: dict[int, tuple[Store, list[dict[str, Any]], list[dict[str, Any]]]] = {}

    def __bool__(self) -> bool:
        return bool(self._rows)

    def add(
        self,
        store: Store,
        *,
        state_row: dict[str, Any] | None = None,
        event_row: dict[str, Any] | None = None,
    ) -> None:
        entry = self._rows.setdefault(id(store), (store, [], []))
        if state_row is not None:
            entry[1].append(state_row)
        if event_row is not None:
            entry[2].append(event_row)

    def flush(self, store: Store | None = None) -> None:
        """Commit the collected rows (of one store, or of all); one transaction per store."""
        keys = [id(store)] if store is not None else list(self._rows)
        for k in keys:
            entry = self._rows.pop(k, None)
            if entry is not None:
                entry[0]._write(entry[1], entry[2])


_BATCH: ContextVar[WriteBatch | None] = ContextVar("pilot_write_batch", default=None)


@contextmanager
def deferred_writes() -> Iterator[WriteBatch]:
    """Collect the store writes of the current task (one HTTP request) instead of committing each
    at once. The caller must :meth:`WriteBatch.flush` before the response starts; leaving the block
    flushes whatever is left (also after an error, so failure events are kept)."""
    batch = WriteBatch()
    token = _BATCH.set(batch)
    try:
        yield batch
    finally:
        try:
            batch.flush()
        finally:
            _BATCH.reset(token)


def flush_pending() -> None:
    """Commit what the current request has collected so far (every store); nothing to do outside
    a request. Handlers call it before they answer, in their worker thread."""
    batch = _BATCH.get()
    if batch is not None:
        batch.flush()


class Store:
    """Thin keyword-only access to the pilot tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert_state = _Sql(engine, _INSERT_STATE)
        self._insert_event = _Sql(engine, _INSERT_EVENT)
        self._get_state = _Sql(engine, _GET_STATE)
        self._take_state = _Sql(engine, _TAKE_STATE)
        self._purge_state = _Sql(engine, _PURGE_STATE)
        self._flow_events = _Sql(engine, _FLOW_EVENTS)
        self._step_events = _Sql(engine, _STEP_EVENTS)
        self._purged_at = 0.0
        self._integrity_error: type[Exception] = engine.dialect.loaded_dbapi.IntegrityError
        # SQLite: each thread keeps one connection of its own (opened by the engine, with its
        # pragmas, then detached from the pool), instead of a pool check-out and check-in per
        # transaction; a sign-in runs some 37 short transactions. PostgreSQL: the pool.
        self._own = threading.local() if engine.dialect.name == "sqlite" else None
        #: every thread's own connection, so that :meth:`close` closes them all
        self._owned: list[Any] = []
        self._owned_lock = threading.Lock()

    def _connection(self) -> tuple[Any, bool]:
        """A connection for one transaction, and whether it is this thread's own (kept open)."""
        own = self._own
        if own is not None and not getattr(own, "busy", False):
            conn = getattr(own, "conn", None)
            if conn is None:
                conn = self.engine.raw_connection()
                conn.detach()  # outside the pool from now on: this thread's, until it ends
                own.conn = conn
                with self._owned_lock:
                    self._owned.append(conn)
            own.busy = True
            return conn, True
        return self.engine.raw_connection(), False

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A driver cursor: committed when the block ends, rolled back on any error."""
        conn, kept = self._connection()
        try:
            cur = conn.cursor()
            try:
                yield cur
            finally:
                cur.close()
            conn.commit()
        except BaseException:
            try:
                conn.rollback()
            except Exception:
                if kept:  # a connection that cannot roll back is not used again
                    self._own.conn = None  # type: ignore[union-attr]
                raise
            raise
        finally:
            if kept:
                self._own.busy = False  # type: ignore[union-attr]
            else:
                conn.close()

    def close(self) -> None:
        """Close every thread's own connection and the pool (the service's shutdown). A thread
        that uses the store afterwards opens a new connection."""
        with self._owned_lock:
            owned, self._owned = self._owned, []
        for conn in owned:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - already closed or broken: nothing left to free
                pass
        self._own = threading.local() if self._own is not None else None
        self.engine.dispose()

    def _run(self, cur: Any, sql: _Sql, values: dict[str, Any]) -> None:
        cur.execute(sql.text, sql.params(values))

    def _run_many(self, cur: Any, sql: _Sql, rows: list[dict[str, Any]]) -> None:
        if len(rows) == 1:
            cur.execute(sql.text, sql.params(rows[0]))
        else:
            cur.executemany(sql.text, [sql.params(r) for r in rows])

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
        batch = _BATCH.get()
        if batch is not None:
            batch.add(self, state_row=row)
            return
        self._write([row], [])

    def _write(self, state_rows: list[dict[str, Any]], event_rows: list[dict[str, Any]]) -> None:
        now = time.time()
        with self._cursor() as cur:
            if state_rows:
                self._run_many(cur, self._insert_state, state_rows)
            if event_rows:
                self._run_many(cur, self._insert_event, event_rows)
            if now - self._purged_at > PURGE_EVERY:
                self._purged_at = now
                self._run(cur, self._purge_state, {"before": now - PURGE_GRACE})

    def purge_expired(self, *, grace: float = PURGE_GRACE) -> int:
        """Delete flow state (requests, codes, sessions, replay markers) that expired more than
        ``grace`` seconds ago; returns how many rows went. Runs by itself every few minutes."""
        with self._cursor() as cur:
            self._run(cur, self._purge_state, {"before": time.time() - grace})
            count = int(cur.rowcount or 0)
        self._purged_at = time.time()
        return count

    def flush(self) -> None:
        """Commit what the current request has collected for this store (see
        :func:`deferred_writes`); nothing to do outside a request."""
        batch = _BATCH.get()
        if batch is not None:
            batch.flush(self)

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The live (unexpired, unused) record, or None."""
        self.flush()
        with self._cursor() as cur:
            self._run(cur, self._get_state, {"rid": f"{kind}:{key}"})
            row = cur.fetchone()
        if row is None:
            return None
        data, expires_at, used = row
        if used or expires_at < time.time():
            return None
        return dict(json.loads(data))

    def take(self, kind: str, key: str) -> tuple[str, dict[str, Any] | None]:
        """Consume a one-time record atomically (safe across workers).

        Returns ``("ok", data)``, ``("used", data)`` for a replay, ``("expired", data)`` or
        ``("missing", None)``."""
        return self.take_once(kind, key)[1:]

    def take_once(
        self,
        kind: str,
        key: str,
        *,
        unique: tuple[str, str, float] | list[tuple[str, str, float]] | None = None,
    ) -> tuple[bool, str, dict[str, Any] | None]:
        """:meth:`take`, and in the same transaction remember ``unique`` = (kind, key, ttl) once
        (as :meth:`add_unique`). Returns ``(fresh, status, data)``; when ``unique`` was seen
        before, ``fresh`` is False and nothing is consumed (``("missing", None)``)."""
        self.flush()
        rid = f"{kind}:{key}"
        now = time.time()
        row = None
        try:
            with self._cursor() as cur:
                uniques = [unique] if isinstance(unique, tuple) else (unique or [])
                for u_kind, u_key, u_ttl in uniques:
                    self._run(
                        cur,
                        self._insert_state,
                        {
                            "id": f"{u_kind}:{u_key}",
                            "kind": u_kind,
                            "data": "{}",
                            "expires_at": now + u_ttl,
                            "used": False,
                        },
                    )
                self._run(cur, self._take_state, {"rid": rid, "now": now})
                taken = cur.fetchone()
                if taken is None:
                    self._run(cur, self._get_state, {"rid": rid})
                    row = cur.fetchone()
        except self._integrity_error:
            if unique is None:
                raise
            return False, "missing", None
        result = self._classify(taken, row, now)
        return True, result[0], result[1]

    @staticmethod
    def _classify(taken: Any, row: Any, now: float) -> tuple[str, dict[str, Any] | None]:
        if taken is not None:
            return "ok", dict(json.loads(taken[0]))
        if row is None:
            return "missing", None
        data = dict(json.loads(row[0]))
        if row[1] < now and not row[2]:
            return "expired", data
        return "used", data

    def add_unique(self, kind: str, key: str, *, ttl: float) -> bool:
        """Remember ``key`` once (e.g. a client assertion's jti); False when it was seen before.
        Written at once (never deferred): the answer depends on the database."""
        self.flush()
        row = {
            "id": f"{kind}:{key}",
            "kind": kind,
            "data": "{}",
            "expires_at": time.time() + ttl,
            "used": False,
        }
        try:
            self._write([row], [])
            return True
        except (IntegrityError, self._integrity_error):
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
        batch = _BATCH.get()
        if batch is not None:
            batch.add(self, event_row=row)
            return
        self._write([], [row])

    def events(
        self, *, flow_id: str | None = None, step: str | None = None
    ) -> list[dict[str, Any]]:
        """The events in the order they were written: all, or one flow's (and of them, only
        those of one ``step``)."""
        self.flush()
        if flow_id is not None:  # one flow (during a sign-in): a compiled statement
            with self._cursor() as cur:
                if step is None:
                    self._run(cur, self._flow_events, {"flow": flow_id})
                else:
                    self._run(cur, self._step_events, {"flow": flow_id, "step": step})
                found = [dict(zip(("id", *_EVENT_COLUMNS), row, strict=True)) for row in cur]
        else:
            with self.engine.connect() as conn:
                found = [
                    dict(r) for r in conn.execute(select(events).order_by(events.c.id)).mappings()
                ]
        for d in found:
            d["data"] = json.loads(d["data"] or "{}")
        return found
