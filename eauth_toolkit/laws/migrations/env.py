"""Alembic environment of the Laws Reporting Scheme (its own version table)."""

from eauth_toolkit.db import run_alembic_env
from eauth_toolkit.laws.tables import metadata

run_alembic_env(metadata)
