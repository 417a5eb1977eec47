"""Alembic environment of the pilot tables (version table ``pilot_alembic_version``)."""

from eauth_toolkit.db import run_alembic_env
from pilot_sandbox.store import metadata

run_alembic_env(metadata)
