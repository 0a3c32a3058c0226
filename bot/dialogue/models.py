"""The bot's own tables: conversation state per (channel, user) and the webhook inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint, func
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
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class InboundEventRecord(ConversationBase):
    """One accepted webhook event and whether it has been processed."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("channel", "event_id", name="uq_inbound_event"),)

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


class HandoffRecord(ConversationBase):
    """A user's conversation handed to an officer (a topic in the officers' Telegram forum).

    ``open_key`` is ``channel:user_id`` while the handoff is open and NULL once closed, so a
    user has at most one open handoff (NULLs never collide in a unique constraint).
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        UniqueConstraint("open_key", name="uq_handoff_open_key"),
        Index("ix_handoffs_user", "channel", "user_id"),
        Index("ix_handoffs_topic", "officer_chat_id", "topic_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    open_key: Mapped[str | None] = mapped_column(String(191), nullable=True)
    locale: Mapped[str] = mapped_column(String(8))
    officer_chat_id: Mapped[str] = mapped_column(String(32))
    topic_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_officer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)


class TranscriptTurnRecord(ConversationBase):
    """One recent turn of a conversation, redacted, kept only to brief an officer on handoff."""

    __tablename__ = "transcript_turns"
    __table_args__ = (Index("ix_transcript_turns_user", "channel", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_text: Mapped[str] = mapped_column(Text)
    bot_text: Mapped[str] = mapped_column(Text)


class ComplaintSubmissionRecord(ConversationBase):
    """A complaint a user submitted in the chat: for the daily limit and repeated complaints.

    ``fingerprint`` names the shop and the problem; ``reference`` is the registry's CMP-
    number once known (a complaint queued while the registry was down has none yet).
    """

    __tablename__ = "complaint_submissions"
    __table_args__ = (
        UniqueConstraint("flow_key", name="uq_complaint_submission_flow"),
        Index("ix_complaint_submissions_user", "channel", "user_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    flow_key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(32), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


conversation_metadata = ConversationBase.metadata
