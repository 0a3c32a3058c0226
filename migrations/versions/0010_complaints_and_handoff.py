"""complaint details, complaint submissions per user, officer handoffs and recent transcripts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:30:00

Complaints gain what the chat's complaint wizard asks: when it happened, the bank or wallet
paid through, links given as evidence, whether an officer may contact the complainant and the
name the complainant agreed to show the seller (none for an anonymous complaint). The bot
keeps its own short record of complaints submitted per user (the daily limit, a repeated
complaint answered with the first reference), the handoffs of conversations to officers, and
the last few turns of each conversation, redacted, to brief the officer who takes it over.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("incident_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("payment_provider", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("links", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(
            sa.Column("contact_allowed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("complainant_name", sa.String(length=200), nullable=True))
    with op.batch_alter_table("complaints") as batch:
        batch.alter_column("links", server_default=None)
        batch.alter_column("contact_allowed", server_default=None)

    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("open_key", sa.String(length=191), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("officer_chat_id", sa.String(length=32), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_officer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_reason", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key", name="uq_handoff_open_key"),
    )
    op.create_index("ix_handoffs_user", "handoffs", ["channel", "user_id"])
    op.create_index("ix_handoffs_topic", "handoffs", ["officer_chat_id", "topic_id"])

    op.create_table(
        "transcript_turns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_text", sa.Text(), nullable=False),
        sa.Column("bot_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transcript_turns_user", "transcript_turns", ["channel", "user_id", "id"])

    op.create_table(
        "complaint_submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("flow_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("flow_key", name="uq_complaint_submission_flow"),
    )
    op.create_index(
        "ix_complaint_submissions_user",
        "complaint_submissions",
        ["channel", "user_id", "submitted_at"],
    )


def downgrade() -> None:
    """Revert this migration (submissions, handoffs, transcripts and the new details are lost)."""
    op.drop_index("ix_complaint_submissions_user", table_name="complaint_submissions")
    op.drop_table("complaint_submissions")
    op.drop_index("ix_transcript_turns_user", table_name="transcript_turns")
    op.drop_table("transcript_turns")
    op.drop_index("ix_handoffs_topic", table_name="handoffs")
    op.drop_index("ix_handoffs_user", table_name="handoffs")
    op.drop_table("handoffs")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("complainant_name")
        batch.drop_column("contact_allowed")
        batch.drop_column("links")
        batch.drop_column("payment_provider")
        batch.drop_column("incident_date")
