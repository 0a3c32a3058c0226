"""The table of registry operations that users submitted and the registry has yet to take."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.dialogue.models import ConversationBase


class BackendOperationRecord(ConversationBase):
    """One submitted operation (file a complaint, submit an application) and its progress.

    ``status`` is ``pending`` (to do, from ``next_attempt_at``), ``running`` (claimed by a worker
    until ``claimed_until``), ``done`` (``result`` holds what the registry answered) or
    ``failed`` (``last_error`` says why). ``idempotency_key`` is unique: submitting the same thing
    twice keeps one operation, and the registry sees the same key on every attempt.
    """

    __tablename__ = "backend_operations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(191), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
