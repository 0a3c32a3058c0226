"""The bot's own tables: conversation state per (channel, user) and the webhook inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ConversationBase(DeclarativeBase):
    """Declarative base for the bot's own tables (not the registry's)."""


class ConversationRecord(ConversationBase):
    """One row per conversation: language, open flows (drafts), offered buttons, last contact.

    ``version`` is a compare-and-swap counter: a save only succeeds on the version it read.
    """

    __tablename__ = "conversations"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    locale_source: Mapped[str] = mapped_column(String(16), default="none")
    # Serialised from typed dataclasses and replaced whole on every save, never mutated in place.
    flows: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active_flow: Mapped[str | None] = mapped_column(String(64), nullable=True)
    offered: Mapped[list[Any]] = mapped_column(JSON, default=list)
    submitted: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Facts kept across flows (e.g. the certificate checked last, to tell a copied badge).
    context: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class InboundEventRecord(ConversationBase):
    """One accepted webhook event, its processing state and, once its turn ran, its replies.

    ``status``: pending (turn not run), replying (turn committed, ``replies`` stored, ``sent``
    platform messages of them delivered), done, failed (``last_error`` says why).

    With several worker processes an event is claimed with a lease: ``lease_owner`` is the
    worker that holds (or last held) it, ``lease_until`` when the lease runs out (NULL: free).
    """

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("channel", "event_id", name="uq_inbound_event"),
        Index("ix_inbound_events_user", "channel", "user_id", "id"),
        # The claim looks for each user's oldest unfinished event: only those rows.
        Index(
            "ix_inbound_events_unfinished",
            "channel",
            "user_id",
            "id",
            postgresql_where=text("status IN ('pending', 'replying')"),
            sqlite_where=text("status IN ('pending', 'replying')"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(191))
    user_id: Mapped[str] = mapped_column(String(128))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The turn's replies (bot.reply_codec), stored in the transaction that saved the turn.
    replies: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Events handled as one (a Telegram album's media_group_id).
    group_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeliveryRecord(ConversationBase):
    """A message no turn asked for (a notification, an officer's reply, an apology).

    ``status``: queued, sending, held (Messenger, outside the 24 hours with no utility
    template: sent with the user's next message), sent, failed. A delivery being sent is
    claimed by one worker (``claimed_by``) until ``claimed_until``; after that (the worker
    died) another worker may take it over.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_delivery_dedupe_key"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_user", "channel", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    dedupe_key: Mapped[str | None] = mapped_column(String(191), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="notice")
    replies: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


conversation_metadata = ConversationBase.metadata
