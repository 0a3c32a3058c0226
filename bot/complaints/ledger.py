"""The bot's own record of complaints submitted per user: the daily limit, repeated complaints.

Kept by the bot (not asked of the registry) so both work while the registry is down: a
complaint waiting in the backend outbox counts, and a second identical one is recognised.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.complaints.models import ComplaintSubmissionRecord
from nlu.normalise import normalise
from registry.database import WRITE_OPTION

_LINK_NOISE: Final = re.compile(r"^(https?://)?((www|m|web|mbasic)\.)?|[/\s]+$")
_SPACES: Final = re.compile(r"\s+")


def fingerprint(shop_reference: str, category: str) -> str:
    """What makes two complaints "the same": the shop (as written, tidied) and the problem."""
    shop = _LINK_NOISE.sub("", normalise(shop_reference).text.strip())
    shop = _SPACES.sub(" ", shop).removeprefix("@")
    return hashlib.sha256(f"{shop}|{category}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Submission:
    """One complaint a user submitted in the chat."""

    flow_key: str
    fingerprint: str
    reference: str | None
    submitted_at: datetime


def _as_utc(value: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class ComplaintLedger:
    """Complaint submissions per (channel, user), in the bot's database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def since(self, owner: tuple[str, str], start: datetime) -> list[Submission]:
        """The user's submissions from ``start`` on, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ComplaintSubmissionRecord)
                .where(
                    ComplaintSubmissionRecord.channel == owner[0],
                    ComplaintSubmissionRecord.user_id == owner[1],
                    ComplaintSubmissionRecord.submitted_at >= start,
                )
                .order_by(ComplaintSubmissionRecord.submitted_at, ComplaintSubmissionRecord.id)
            )
            return [
                Submission(r.flow_key, r.fingerprint, r.reference, _as_utc(r.submitted_at))
                for r in rows
            ]

    async def add(self, owner: tuple[str, str], flow_key: str, print_: str, now: datetime) -> bool:
        """Record a submission; False when this flow was recorded before (a repeated submit)."""
        try:
            async with self._sessions.begin() as session:
                await session.connection(execution_options={WRITE_OPTION: True})
                session.add(
                    ComplaintSubmissionRecord(
                        channel=owner[0],
                        user_id=owner[1],
                        flow_key=flow_key,
                        fingerprint=print_,
                        submitted_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def set_reference(self, flow_key: str, reference: str) -> None:
        """Note the registry's reference of a submission."""
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            await session.execute(
                update(ComplaintSubmissionRecord)
                .where(ComplaintSubmissionRecord.flow_key == flow_key)
                .values(reference=reference)
            )

    async def forget(self, flow_key: str) -> None:
        """Drop a submission the registry refused (it does not count against the limit)."""
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            await session.execute(
                delete(ComplaintSubmissionRecord).where(
                    ComplaintSubmissionRecord.flow_key == flow_key
                )
            )
