"""Alembic migrations of the repository part."""
