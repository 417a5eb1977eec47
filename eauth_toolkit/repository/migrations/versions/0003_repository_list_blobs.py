"""Repository: published lists kept by reference; each entry text stored once (content addressed).

Revision ID: 0003_repository_list_blobs
Revises: 0002_repository_published_form
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_repository_list_blobs"
down_revision = "0002_repository_published_form"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "repo_list_blob",
        sa.Column("sha256", sa.LargeBinary(32), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_repo_list_blob"),
    )
    with op.batch_alter_table("repo_publication") as batch:
        batch.alter_column("content", existing_type=sa.LargeBinary, nullable=True)
        batch.add_column(sa.Column("head", sa.Text, nullable=True))
        batch.add_column(sa.Column("entry_digests", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("protected", sa.Text, nullable=True))
        batch.add_column(sa.Column("signature", sa.Text, nullable=True))
        batch.add_column(sa.Column("size", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("repo_publication") as batch:
        for name in ("size", "signature", "protected", "entry_digests", "head"):
            batch.drop_column(name)
    op.drop_table("repo_list_blob")
