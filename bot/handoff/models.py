"""The handoff tables: conversations handed to officers, and the recent turns that brief them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.dialogue.models import ConversationBase


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
    title: Mapped[str] = mapped_column(String(128))
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
