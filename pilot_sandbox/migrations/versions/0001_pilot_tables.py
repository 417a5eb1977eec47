"""pilot tables: flow state, keys, trust configuration, events

Revision ID: pilot0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "pilot0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pilot_state",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "pilot_keys",
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("use", sa.String(8), primary_key=True),
        sa.Column("generation", sa.Integer, primary_key=True),
        sa.Column("jwk", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "pilot_trust",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("jws", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "pilot_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("flow_id", sa.String(40), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("component", sa.String(40), nullable=False),
        sa.Column("ams", sa.String(2), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("error", sa.String(60)),
        sa.Column("description", sa.Text),
        sa.Column("duration_ms", sa.Float),
        sa.Column("worker", sa.Integer),
        sa.Column("data", sa.Text),
    )
    op.create_index("ix_pilot_events_flow_id", "pilot_events", ["flow_id"])


def downgrade() -> None:
    op.drop_index("ix_pilot_events_flow_id", "pilot_events")
    op.drop_table("pilot_events")
    op.drop_table("pilot_trust")
    op.drop_table("pilot_keys")
    op.drop_table("pilot_state")
