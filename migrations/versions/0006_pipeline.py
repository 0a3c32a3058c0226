"""retry-safe inbox (stored replies, sent count, backoff, album groups) and deliveries

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Give inbox events their outcome columns; create the deliveries table."""
    with op.batch_alter_table("inbound_events") as batch:
        batch.add_column(sa.Column("replies", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("sent", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("group_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_inbound_events_user", ["channel", "user_id", "id"], unique=False)
    with op.batch_alter_table("inbound_events") as batch:
        batch.alter_column("sent", server_default=None)
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("dedupe_key", sa.String(length=191), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key", name="uq_delivery_dedupe_key"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"], unique=False)
    op.create_index(
        "ix_deliveries_user", "deliveries", ["channel", "user_id", "status"], unique=False
    )


def downgrade() -> None:
    """Drop the deliveries table and the inbox's outcome columns."""
    op.drop_index("ix_deliveries_user", table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.drop_table("deliveries")
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_index("ix_inbound_events_user")
        batch.drop_column("group_key")
        batch.drop_column("next_attempt_at")
        batch.drop_column("sent")
        batch.drop_column("replies")
