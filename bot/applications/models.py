"""The seller journey's own tables: the status feed's cursor (with its lease) and later notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.dialogue.models import ConversationBase


class FeedCursorRecord(ConversationBase):
    """How far a consumer of a feed has got, and which process holds it right now.

    ``lease_owner`` holds the lease until ``lease_until``: only that process reads the feed and
    moves ``cursor``, so two processes never deliver the same change at the same time (and the
    deliveries' dedupe keys make a repeat after a crash harmless). The same row-lease guards
    the sweep of scheduled notices (``name`` "notices").
    """

    __tablename__ = "feed_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ScheduledNoticeRecord(ConversationBase):
    """A message due later (a renewal reminder, a missing-evidence reminder), sent once.

    ``key`` is also the delivery's dedupe key. ``done_at`` is set once it was delivered or found
    no longer relevant (``outcome`` says which).
    """

    __tablename__ = "scheduled_notices"

    key: Mapped[str] = mapped_column(String(191), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
