"""Laws Reporting Scheme: audited submissions, per-AMS sequence, plans, measures, reports.

Revision ID: 0001_laws_initial
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_laws_initial"
down_revision = None
branch_labels = None
depends_on = None

AMS_CODES = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "laws_submission",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_laws_submission"),
        sa.UniqueConstraint("jti", name="uq_laws_submission_jti"),
        sa.UniqueConstraint("ams", "sequence", name="uq_laws_submission_ams_sequence"),
    )
    state = op.create_table(
        "laws_ams_state",
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("last_sequence", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("ams", name="pk_laws_ams_state"),
    )
    op.bulk_insert(state, [{"ams": a, "last_sequence": 0} for a in AMS_CODES])
    op.create_table(
        "laws_plan",
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("plan_id", sa.String(80), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("ams", "plan_id", name="pk_laws_plan"),
    )
    op.create_table(
        "laws_measure",
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("plan_id", sa.String(80), nullable=False),
        sa.Column("measure_id", sa.String(80), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("target_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("ams", "plan_id", "measure_id", name="pk_laws_measure"),
    )
    op.create_table(
        "laws_report",
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("plan_id", sa.String(80), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("ams", "plan_id", "year", name="pk_laws_report"),
    )
    op.create_table(
        "laws_measure_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("plan_id", sa.String(80), nullable=False),
        sa.Column("measure_id", sa.String(80), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_laws_measure_event"),
    )


def downgrade() -> None:
    for name in (
        "laws_measure_event",
        "laws_report",
        "laws_measure",
        "laws_plan",
        "laws_ams_state",
        "laws_submission",
    ):
        op.drop_table(name)
