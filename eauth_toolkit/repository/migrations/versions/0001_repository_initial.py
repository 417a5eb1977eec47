"""Repository: entries, versions, audited submissions, per-AMS sequence, publications, API tokens.

Revision ID: 0001_repository_initial
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_repository_initial"
down_revision = None
branch_labels = None
depends_on = None

AMS_CODES = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "repo_submission",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("jti", sa.String(200), nullable=False),
        sa.Column("issued_at", TZ, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("authority_kid", sa.String(200), nullable=False),
        sa.Column("submitter", sa.String(500), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("jws", sa.Text, nullable=False),
        sa.Column("diff", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_repo_submission"),
        sa.UniqueConstraint("jti", name="uq_repo_submission_jti"),
        sa.UniqueConstraint("ams", "sequence", name="uq_repo_submission_ams_sequence"),
    )
    op.create_index("ix_repo_submission_ams", "repo_submission", ["ams"])
    op.create_table(
        "repo_ams_state",
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("last_sequence", sa.Integer, nullable=False),
        sa.Column("last_submission_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("ams", name="pk_repo_ams_state"),
        sa.ForeignKeyConstraint(
            ["last_submission_id"],
            ["repo_submission.id"],
            name="fk_repo_ams_state_last_submission_id_repo_submission",
        ),
    )
    op.bulk_insert(
        sa.table(
            "repo_ams_state",
            sa.column("ams", sa.String),
            sa.column("last_sequence", sa.Integer),
        ),
        [{"ams": code, "last_sequence": 0} for code in AMS_CODES],
    )
    op.create_table(
        "repo_entry",
        sa.Column("id", sa.String(120), nullable=False),
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("technology_type", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assessed_level", sa.Integer, nullable=True),
        sa.Column("claimed_level", sa.Integer, nullable=True),
        sa.Column("level_mismatch", sa.Boolean, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("assessment", sa.JSON, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_repo_entry"),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["repo_submission.id"],
            name="fk_repo_entry_submission_id_repo_submission",
        ),
    )
    op.create_index("ix_repo_entry_ams_id", "repo_entry", ["ams", "id"])
    op.create_index("ix_repo_entry_type_id", "repo_entry", ["technology_type", "id"])
    op.create_index("ix_repo_entry_level_id", "repo_entry", ["assessed_level", "id"])
    op.create_index("ix_repo_entry_status_id", "repo_entry", ["status", "id"])
    op.create_table(
        "repo_entry_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(120), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("assessed_level", sa.Integer, nullable=True),
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_repo_entry_version"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["repo_entry.id"], name="fk_repo_entry_version_entry_id_repo_entry"
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["repo_submission.id"],
            name="fk_repo_entry_version_submission_id_repo_submission",
        ),
        sa.UniqueConstraint("entry_id", "version", name="uq_repo_entry_version_entry_version"),
    )
    op.create_index("ix_repo_entry_version_entry_id", "repo_entry_version", ["entry_id"])
    op.create_table(
        "repo_publication",
        sa.Column("sequence_number", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("issued_at", TZ, nullable=False),
        sa.Column("next_update", TZ, nullable=False),
        sa.Column("entry_count", sa.Integer, nullable=False),
        sa.Column("key_id", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("sequence_number", name="pk_repo_publication"),
    )
    op.create_table(
        "repo_api_token",
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("token_sha256", name="pk_repo_api_token"),
    )


def downgrade() -> None:
    for name in (
        "repo_api_token",
        "repo_publication",
        "repo_entry_version",
        "repo_entry",
        "repo_ams_state",
        "repo_submission",
    ):
        op.drop_table(name)
