"""Alembic environment of the repository part (its own version table)."""

from eauth_toolkit.db import run_alembic_env
from eauth_toolkit.repository.tables import metadata

run_alembic_env(metadata)
