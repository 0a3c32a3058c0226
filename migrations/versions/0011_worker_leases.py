"""several worker processes: inbox and delivery leases, named leases for singleton duties

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00

``inbound_events`` gain ``lease_owner``/``lease_until`` (a worker claims a user's oldest
unfinished event with ``FOR UPDATE SKIP LOCKED``) and a partial index over the unfinished
events the claim looks at; ``deliveries`` gain ``claimed_by``/``claimed_until`` (a delivery left
"sending" by a worker that died is taken over once the claim runs out); ``leases`` holds named
leases (the Telegram webhook or polling, the status feed) that one process at a time holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNFINISHED = "status IN ('pending', 'replying')"


def upgrade() -> None:
    """Add the lease columns, the unfinished-events index and the leases table."""
    with op.batch_alter_table("inbound_events") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_inbound_events_unfinished",
        "inbound_events",
        ["channel", "user_id", "id"],
        unique=False,
        postgresql_where=sa.text(_UNFINISHED),
        sqlite_where=sa.text(_UNFINISHED),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    """Drop the leases table, the lease columns and the index."""
    op.drop_table("leases")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
    op.drop_index("ix_inbound_events_unfinished", table_name="inbound_events")
    with op.batch_alter_table("inbound_events") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
