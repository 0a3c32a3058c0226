"""The inbox shared by several worker processes: events claimed with leases.

A worker claims, in one transaction, each user's *oldest unfinished* event whose lease is free
(never taken, given back, or run out because its worker died) and whose retry time has come::

    SELECT id, lease_owner FROM inbound_events e
    WHERE status IN ('pending', 'replying') AND channel IN (...)
      AND (lease_until IS NULL OR lease_until < :now)
      AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
      AND NOT EXISTS (SELECT 1 FROM inbound_events o WHERE o.channel = e.channel
                      AND o.user_id = e.user_id AND o.status IN ('pending', 'replying')
                      AND o.id < e.id)
    ORDER BY id LIMIT :n FOR UPDATE OF e SKIP LOCKED

then sets ``lease_owner`` (this worker) and ``lease_until``. Because only a user's oldest
unfinished event can be claimed, and it stays unfinished while it is leased, at most one event
per user is in flight across all workers and each user's events go in arrival order. Taking
over an event whose lease ran out is the same claim: that is the sweeper.

Every change a worker makes to an event is fenced on ``lease_owner`` being itself: the turn's
commit (with the dialogue state), each platform message about to go out (:meth:`sending`,
which also renews the lease), the end of an attempt. A worker that lost its lease (it stalled
past the expiry and another worker took the event) can therefore neither commit a turn nor
record or send another message.

On PostgreSQL a new event also sends ``NOTIFY cets_inbox`` in the transaction that stores it,
so idle workers claim it at once (:mod:`bot.workers.wakeups`); SQLite (tests) relies on polling.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Table, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.orm import Session, aliased

from bot.database import writer
from bot.dialogue.models import InboundEventRecord
from bot.inbox import REPLYING, UNFINISHED, Clock, InboundEvent, Inbox, LeaseLost, _event
from bot.retry import utc_now
from bot.workers.heartbeat import LeaseHeartbeat

log = logging.getLogger(__name__)

NOTIFY_CHANNEL: Final = "cets_inbox"


class LeasedInbox(Inbox):
    """An :class:`Inbox` whose events are claimed by ``owner`` for ``lease`` at a time."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        owner: str,
        lease: timedelta,
        clock: Clock = utc_now,
        notify: bool = False,
        lease_engine: AsyncEngine | None = None,
    ) -> None:
        super().__init__(engine, clock=clock)
        # Claims on connections of their own (shared with the leader lease; disposed here).
        self._lease_engine = lease_engine
        self._leases = async_sessionmaker(writer(lease_engine or engine), expire_on_commit=False)
        # The record before each platform message is one statement, committed on its own (one
        # round trip on PostgreSQL): the shorter the time between it and the send, the
        # narrower the window a dying worker leaves a message in (docs/workers.md).
        postgres = engine.dialect.name == "postgresql"
        self._records = (
            engine.execution_options(isolation_level="AUTOCOMMIT") if postgres else writer(engine)
        )
        self.owner = owner
        self.lease = lease
        self._notify = notify
        self.taken_over = 0  # events claimed after another worker's lease ran out
        self.heartbeat = LeaseHeartbeat(
            engine.url.render_as_string(hide_password=False), owner, lease, clock=clock
        )

    def _owned(self) -> list[ColumnElement[bool]]:
        # On the table's column: the inbox's statements are Core statements, built once.
        return [cast(Table, InboundEventRecord.__table__).c.lease_owner == self.owner]

    def _released(self) -> dict[str, Any]:
        return {"lease_until": None}

    def _accepted(self, session: Session, channel: str) -> None:
        if self._notify:
            session.execute(select(func.pg_notify(NOTIFY_CHANNEL, channel)))

    async def claim(self, channels: Sequence[str], limit: int) -> list[InboundEvent]:
        """Claim up to ``limit`` events: each user's oldest unfinished one, when free and due."""
        if limit <= 0 or not channels:
            return []
        now = self.clock()
        event = InboundEventRecord
        earlier = aliased(InboundEventRecord)
        candidates = (
            select(event.id, event.lease_owner)
            .where(
                event.channel.in_(list(channels)),
                event.status.in_(UNFINISHED),
                or_(event.lease_until.is_(None), event.lease_until < now),
                or_(event.next_attempt_at.is_(None), event.next_attempt_at <= now),
                ~exists().where(
                    earlier.channel == event.channel,
                    earlier.user_id == event.user_id,
                    earlier.status.in_(UNFINISHED),
                    earlier.id < event.id,
                ),
            )
            .order_by(event.id)
            .limit(limit)
            .with_for_update(of=event, skip_locked=True)
        )
        async with self._leases.begin() as session:
            rows = (await session.execute(candidates)).all()
            if not rows:
                return []
            ids = [row.id for row in rows]
            records = await session.scalars(
                update(event)
                .where(event.id.in_(ids))
                .values(lease_owner=self.owner, lease_until=now + self.lease)
                .returning(event),
                execution_options={"synchronize_session": False},
            )
            claimed = sorted((_event(record) for record in records), key=lambda e: e.id)
        previous = {row.id: row.lease_owner for row in rows}
        taken = [e for e in claimed if previous[e.id] not in (None, self.owner)]
        if taken:
            self.taken_over += len(taken)
            log.warning(
                "took over %d inbox events whose worker's lease ran out (%s)",
                len(taken),
                ", ".join(sorted({str(previous[e.id]) for e in taken})),
            )
        return claimed

    async def sending(self, event: InboundEvent, count: int) -> None:
        """Record, before it goes out, that ``count`` platform messages will have been sent.

        Fenced on the lease (and renews it); raises :class:`LeaseLost` when another worker
        has the event now, so this one sends nothing more.
        """
        now = self.clock()
        async with self._records.begin() as connection:
            result = await connection.execute(
                update(InboundEventRecord)
                .where(
                    InboundEventRecord.id == event.id,
                    InboundEventRecord.lease_owner == self.owner,
                    InboundEventRecord.status == REPLYING,
                )
                .values(sent=count, lease_until=now + self.lease)
            )
        if result.rowcount != 1:
            raise LeaseLost(f"event {event.id} is not this worker's any more")

    async def release_all(self, channel: str) -> int:
        """Give back the channel's leases this worker holds (a clean stop): others take over."""
        async with self._leases.begin() as session:
            result = await session.execute(
                update(InboundEventRecord)
                .where(
                    InboundEventRecord.channel == channel,
                    InboundEventRecord.lease_owner == self.owner,
                    InboundEventRecord.lease_until.is_not(None),
                )
                .values(lease_until=None)
            )
            count: int = result.rowcount  # type: ignore[attr-defined]
            return count

    async def close(self) -> None:
        """Stop the heartbeat; release the lease connections and the inbox's own."""
        await asyncio.to_thread(self.heartbeat.stop)
        await super().close()
        if self._lease_engine is not None:
            await self._lease_engine.dispose()
