"""Repository: signed peer reviews of proposed levels.

Revision ID: 0004_repository_reviews
Revises: 0003_repository_list_blobs
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_repository_reviews"
down_revision = "0003_repository_list_blobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "repo_review",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "entry_id",
            sa.String(120),
            sa.ForeignKey("repo_entry.id", name="fk_repo_review_entry_id_repo_entry"),
            nullable=False,
        ),
        sa.Column("reviewer_ams", sa.String(2), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "submission_id",
            sa.Integer,
            sa.ForeignKey(
                "repo_submission.id", name="fk_repo_review_submission_id_repo_submission"
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_repo_review"),
    )
    op.create_index("ix_repo_review_entry_id", "repo_review", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_repo_review_entry_id", "repo_review")
    op.drop_table("repo_review")
