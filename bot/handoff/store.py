"""Handoffs in the bot's database: open one per user, find it by user or forum topic, close it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.handoff.models import HandoffRecord
from registry.database import WRITE_OPTION


def _utc(value: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; they were stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True, slots=True)
class Handoff:
    """A conversation handed to an officer."""

    id: int
    channel: str
    user_id: str
    locale: str
    title: str
    officer_chat_id: str
    topic_id: int | None
    opened_at: datetime
    last_officer_at: datetime | None
    closed_at: datetime | None
    closed_reason: str | None

    @property
    def owner(self) -> tuple[str, str]:
        """The user, as (channel, user id)."""
        return (self.channel, self.user_id)

    @property
    def is_open(self) -> bool:
        """Still with the officers."""
        return self.closed_at is None

    def quiet_since(self) -> datetime:
        """When an officer last wrote (or when the handoff opened, if none has yet)."""
        return self.last_officer_at or self.opened_at


def _handoff(record: HandoffRecord) -> Handoff:
    opened = _utc(record.opened_at)
    assert opened is not None
    return Handoff(
        id=record.id,
        channel=record.channel,
        user_id=record.user_id,
        locale=record.locale,
        title=record.title,
        officer_chat_id=record.officer_chat_id,
        topic_id=record.topic_id,
        opened_at=opened,
        last_officer_at=_utc(record.last_officer_at),
        closed_at=_utc(record.closed_at),
        closed_reason=record.closed_reason,
    )


def _open_key(owner: tuple[str, str]) -> str:
    return f"{owner[0]}:{owner[1]}"


class HandoffStore:
    """Reads and writes the ``handoffs`` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def open(
        self,
        owner: tuple[str, str],
        *,
        locale: str,
        title: str,
        officer_chat_id: int,
        now: datetime,
    ) -> tuple[Handoff, bool]:
        """The user's open handoff, opened now if there was none; and whether it is new."""
        try:
            async with self._sessions.begin() as session:
                await session.connection(execution_options={WRITE_OPTION: True})
                record = HandoffRecord(
                    channel=owner[0],
                    user_id=owner[1],
                    open_key=_open_key(owner),
                    locale=locale,
                    title=title[:128],
                    officer_chat_id=str(officer_chat_id),
                    opened_at=now,
                )
                session.add(record)
            return _handoff(record), True
        except IntegrityError:
            existing = await self.open_for(owner)
            if existing is None:  # closed in between: try once more
                return await self.open(
                    owner, locale=locale, title=title, officer_chat_id=officer_chat_id, now=now
                )
            return existing, False

    async def open_for(self, owner: tuple[str, str]) -> Handoff | None:
        """The user's open handoff, if any."""
        async with self._sessions() as session:
            record = await session.scalar(
                select(HandoffRecord).where(HandoffRecord.open_key == _open_key(owner))
            )
            return _handoff(record) if record is not None else None

    async def get(self, handoff_id: int) -> Handoff | None:
        """A handoff by id, open or closed."""
        async with self._sessions() as session:
            record = await session.get(HandoffRecord, handoff_id)
            return _handoff(record) if record is not None else None

    async def by_topic(self, officer_chat_id: int, topic_id: int) -> Handoff | None:
        """The handoff a forum topic belongs to (the newest, if a topic was ever reused)."""
        async with self._sessions() as session:
            record = await session.scalar(
                select(HandoffRecord)
                .where(
                    HandoffRecord.officer_chat_id == str(officer_chat_id),
                    HandoffRecord.topic_id == topic_id,
                )
                .order_by(HandoffRecord.id.desc())
                .limit(1)
            )
            return _handoff(record) if record is not None else None

    async def set_topic(self, handoff_id: int, topic_id: int) -> None:
        """Remember the forum topic opened for a handoff."""
        await self._update(handoff_id, topic_id=topic_id)

    async def officer_wrote(self, handoff_id: int, now: datetime) -> None:
        """An officer answered: the timeout counts from now."""
        await self._update(handoff_id, last_officer_at=now)

    async def close(self, handoff_id: int, reason: str, now: datetime) -> Handoff | None:
        """Close an open handoff; None when it was closed already (nothing to tell anyone)."""
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            result = await session.execute(
                update(HandoffRecord)
                .where(HandoffRecord.id == handoff_id, HandoffRecord.closed_at.is_(None))
                .values(open_key=None, closed_at=now, closed_reason=reason[:16])
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            record = await session.get(HandoffRecord, handoff_id)
            assert record is not None
            await session.refresh(record)
            return _handoff(record)

    async def quiet_before(self, cutoff: datetime) -> list[Handoff]:
        """Open handoffs in which no officer has written since ``cutoff``."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(HandoffRecord).where(
                    HandoffRecord.closed_at.is_(None),
                    or_(
                        HandoffRecord.last_officer_at < cutoff,
                        (HandoffRecord.last_officer_at.is_(None))
                        & (HandoffRecord.opened_at < cutoff),
                    ),
                )
            )
            return [_handoff(r) for r in rows]

    async def _update(self, handoff_id: int, **values: object) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            await session.execute(
                update(HandoffRecord).where(HandoffRecord.id == handoff_id).values(**values)
            )
