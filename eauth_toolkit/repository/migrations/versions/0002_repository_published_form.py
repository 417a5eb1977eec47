"""Repository: each entry keeps its assessed-level summary and its published JSON form.

Revision ID: 0002_repository_published_form
Revises: 0001_repository_initial
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_repository_published_form"
down_revision = "0001_repository_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("repo_entry", sa.Column("assessed", sa.JSON, nullable=True))
    op.add_column("repo_entry", sa.Column("published", sa.Text, nullable=True))
    op.create_index(
        "ix_repo_entry_status_level_id", "repo_entry", ["status", "assessed_level", "id"]
    )
    op.create_index("ix_repo_entry_ams_type_id", "repo_entry", ["ams", "technology_type", "id"])


def downgrade() -> None:
    op.drop_index("ix_repo_entry_ams_type_id", "repo_entry")
    op.drop_index("ix_repo_entry_status_level_id", "repo_entry")
    op.drop_column("repo_entry", "published")
    op.drop_column("repo_entry", "assessed")
