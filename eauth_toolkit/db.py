"""Database plumbing shared by the parts that store things (repository, pilot events).

SQLite file as the embedded default, PostgreSQL by URL. Each part owns its tables and its own
Alembic migration folder with its own version table, so parts migrate independently.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["make_engine", "migrate", "session_scope"]


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create an engine; for SQLite files create the folder, enable WAL and foreign keys."""
    if url.startswith("sqlite"):
        sql_url = make_url(url)
        path = sql_url.database or ""
        read_only = False
        if path.startswith("file:"):  # an SQLite URI filename (`?uri=true`): strip the scheme
            path = path[len("file:") :]
            read_only = sql_url.query.get("mode") == "ro"
        if path and path != ":memory:" and not read_only:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)  # type: ignore[arg-type]

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)  # type: ignore[arg-type]


def migrate(engine: Engine, script_location: str | Path, version_table: str) -> None:
    """Upgrade the database to the newest revision of one part's Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("version_table", version_table)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def run_alembic_env(target_metadata: MetaData) -> None:
    """Body of each part's Alembic ``env.py``: migrate on the connection handed over by
    :func:`migrate`, or on ``sqlalchemy.url`` when Alembic is run from the command line."""
    from alembic import context

    cfg = context.config
    version_table = cfg.get_main_option("version_table") or "alembic_version"
    connection = cfg.attributes.get("connection")
    if connection is None:
        engine = make_engine(cfg.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.begin() as conn:
            context.configure(
                connection=conn, target_metadata=target_metadata, version_table=version_table
            )
            context.run_migrations()
        return
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=version_table,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
