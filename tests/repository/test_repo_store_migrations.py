"""The repository's Alembic migrations on SQLite and PostgreSQL: own version table, idempotent,
tables as the code declares them."""

from __future__ import annotations

from sqlalchemy import inspect, text

from eauth_toolkit.db import migrate
from eauth_toolkit.repository import tables as t
from eauth_toolkit.repository.store import MIGRATIONS_DIR, RepositoryStore
from tests.repository.conftest import Authorities


def test_migrations_create_the_declared_tables_once(
    database_url: str, authorities: Authorities
) -> None:
    store = RepositoryStore.open(database_url, authorities.registry)
    try:
        migrate(store.engine, MIGRATIONS_DIR, t.VERSION_TABLE)  # a second run changes nothing
        insp = inspect(store.engine)
        names = set(insp.get_table_names())
        assert {table.name for table in t.metadata.sorted_tables} <= names
        assert t.VERSION_TABLE in names
        for table in t.metadata.sorted_tables:
            columns = {c["name"] for c in insp.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
        with store.engine.connect() as conn:
            heads = conn.execute(text(f"SELECT version_num FROM {t.VERSION_TABLE}")).scalars().all()
            ams = conn.execute(text("SELECT ams FROM repo_ams_state ORDER BY ams")).scalars().all()
        assert heads == ["0005_repository_trust_docs"]
        assert len(ams) == 10
    finally:
        store.close()


def test_migrations_match_the_declared_tables(store: RepositoryStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": t.VERSION_TABLE})
        diff = compare_metadata(context, t.metadata)
    assert [d for d in diff if not (d[0] == "remove_table" and d[1].name == t.VERSION_TABLE)] == []
