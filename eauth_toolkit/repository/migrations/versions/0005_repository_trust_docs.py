"""Repository: trust-list pointers and agreements submitted by the AMS authorities.

Revision ID: 0005_repository_trust_docs
Revises: 0004_repository_reviews
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_repository_trust_docs"
down_revision = "0004_repository_reviews"
branch_labels = None
depends_on = None


def _submission() -> sa.Column:
    return sa.Column("submission_id", sa.Integer, nullable=False)


def upgrade() -> None:
    op.create_table(
        "repo_trust_list_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("pointer", sa.JSON, nullable=False),
        _submission(),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_repo_trust_list_version"),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["repo_submission.id"],
            name="fk_repo_trust_list_version_submission_id_repo_submission",
        ),
        sa.UniqueConstraint("ams", "version", name="uq_repo_trust_list_version_ams_version"),
    )
    op.create_index("ix_repo_trust_list_version_ams", "repo_trust_list_version", ["ams"])
    op.create_table(
        "repo_agreement_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("parties", sa.String(100), nullable=False),
        sa.Column("document", sa.JSON, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        _submission(),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_repo_agreement_version"),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["repo_submission.id"],
            name="fk_repo_agreement_version_submission_id_repo_submission",
        ),
        sa.UniqueConstraint(
            "agreement_id", "version", name="uq_repo_agreement_version_agreement_id_version"
        ),
    )
    op.create_index(
        "ix_repo_agreement_version_agreement_id", "repo_agreement_version", ["agreement_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_repo_agreement_version_agreement_id", "repo_agreement_version")
    op.drop_table("repo_agreement_version")
    op.drop_index("ix_repo_trust_list_version_ams", "repo_trust_list_version")
    op.drop_table("repo_trust_list_version")
