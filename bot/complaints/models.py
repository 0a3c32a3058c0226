"""The bot's own record of complaints submitted in the chat (the registry keeps the complaints)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.dialogue.models import ConversationBase


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
