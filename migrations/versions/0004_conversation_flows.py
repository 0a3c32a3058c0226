"""conversation state as open flows (drafts), offered buttons and the last contact time

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:45:00

A conversation used to hold one step, its answers as strings and a back stack; it now holds
every open flow of the form engine as JSON (several drafts may be open), the active one, the
buttons last offered (so a typed number still picks one after a restart), the last submission
per form (a repeated "submit" answers with its reference) and when the user last wrote (for
Messenger's 24-hour window). Old one-step states are dropped: they were short eligibility checks.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("step")
        batch.drop_column("slots")
        batch.drop_column("back_stack")
        batch.add_column(sa.Column("flows", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("active_flow", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("offered", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("submitted", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("flows", server_default=None)
        batch.alter_column("offered", server_default=None)
        batch.alter_column("submitted", server_default=None)


def downgrade() -> None:
    """Revert this migration (open flows are lost)."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("last_seen_at")
        batch.drop_column("submitted")
        batch.drop_column("offered")
        batch.drop_column("active_flow")
        batch.drop_column("flows")
        batch.add_column(
            sa.Column("step", sa.String(length=64), nullable=False, server_default="idle")
        )
        batch.add_column(sa.Column("slots", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("back_stack", sa.JSON(), nullable=False, server_default="[]"))
