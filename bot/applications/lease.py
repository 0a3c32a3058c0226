"""A named lease in the database, so that one process at a time reads a feed or sweeps notices.

A lease is a compare-and-swap on a ``feed_cursors`` row: a process takes it when nobody holds
it, when it already holds it, or when the holder let it run out (a crashed process). The
cursor moves only under the lease, so a process that lost it can never move it back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.applications.models import FeedCursorRecord
from registry.database import WRITE_OPTION


class Lease:
    """The lease called ``name``, taken on behalf of ``owner`` (one id per process)."""

    def __init__(self, engine: AsyncEngine, name: str, owner: str, duration: timedelta) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.name = name
        self.owner = owner
        self.duration = duration

    async def _ensure_row(self) -> None:
        async with self._sessions() as session:
            if await session.get(FeedCursorRecord, self.name) is not None:
                return
        try:
            async with self._sessions.begin() as session:
                await session.connection(execution_options={WRITE_OPTION: True})
                session.add(FeedCursorRecord(name=self.name, cursor=0))
        except IntegrityError:
            pass  # another process created it first

    async def acquire(self, now: datetime) -> bool:
        """Take (or extend) the lease until ``now`` + its duration; False if another holds it."""
        await self._ensure_row()
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            result = await session.execute(
                update(FeedCursorRecord)
                .where(
                    FeedCursorRecord.name == self.name,
                    or_(
                        FeedCursorRecord.lease_owner.is_(None),
                        FeedCursorRecord.lease_owner == self.owner,
                        FeedCursorRecord.lease_until < now,
                    ),
                )
                .values(lease_owner=self.owner, lease_until=now + self.duration, updated_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self) -> None:
        """Let another process take the lease at once (on shutdown)."""
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            await session.execute(
                update(FeedCursorRecord)
                .where(
                    FeedCursorRecord.name == self.name, FeedCursorRecord.lease_owner == self.owner
                )
                .values(lease_owner=None, lease_until=None)
            )

    async def cursor(self) -> int:
        """Where the feed was read up to."""
        async with self._sessions() as session:
            value = await session.scalar(
                select(FeedCursorRecord.cursor).where(FeedCursorRecord.name == self.name)
            )
            return int(value or 0)

    async def move(self, cursor: int, now: datetime) -> bool:
        """Save the cursor, only while holding the lease; False when it was lost."""
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            result = await session.execute(
                update(FeedCursorRecord)
                .where(
                    FeedCursorRecord.name == self.name,
                    FeedCursorRecord.lease_owner == self.owner,
                    FeedCursorRecord.cursor <= cursor,
                )
                .values(cursor=cursor, updated_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
