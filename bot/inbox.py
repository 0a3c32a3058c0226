"""A durable inbox for webhook deliveries: accept, acknowledge fast, process in order, lose nothing.

A channel's webhook stores each event here before answering 200. A repeated delivery of the
same event id is recognised and dropped. Events are then processed one at a time per user, in
arrival order; events still pending when the process stopped are processed on the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.dialogue.models import InboundEventRecord
from bot.lifecycle import LIFECYCLE

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """An accepted event as stored: its channel, the platform's event id, the user and body."""

    id: int
    channel: str
    event_id: str
    user_id: str
    body: dict[str, Any]
    attempts: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


class Inbox:
    """Stores accepted events and their processing state."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def accept(
        self, channel: str, event_id: str, user_id: str, body: dict[str, Any]
    ) -> InboundEvent | None:
        """Store a new event; None when this event id was accepted before (a redelivery)."""
        record = InboundEventRecord(
            channel=channel,
            event_id=event_id,
            user_id=user_id,
            body=body,
            status="pending",
            attempts=0,
            received_at=_now(),
        )
        try:
            async with self._sessions.begin() as session:
                session.add(record)
        except IntegrityError:
            log.info("duplicate %s event dropped", channel)
            return None
        return InboundEvent(record.id, channel, event_id, user_id, body)

    async def pending(self, channel: str) -> list[InboundEvent]:
        """Events accepted but not yet processed, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(InboundEventRecord)
                .where(
                    InboundEventRecord.channel == channel,
                    InboundEventRecord.status == "pending",
                )
                .order_by(InboundEventRecord.id)
            )
            return [
                InboundEvent(r.id, r.channel, r.event_id, r.user_id, dict(r.body), r.attempts)
                for r in rows
            ]

    async def finish(self, event: InboundEvent) -> None:
        """Record that the event was processed."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(InboundEventRecord)
                .where(InboundEventRecord.id == event.id)
                .values(status="done", processed_at=_now(), attempts=event.attempts + 1)
            )

    async def fail(self, event: InboundEvent, error: str) -> bool:
        """Record a failed attempt; True when the event will be retried."""
        attempts = event.attempts + 1
        status = "pending" if attempts < MAX_ATTEMPTS else "failed"
        async with self._sessions.begin() as session:
            await session.execute(
                update(InboundEventRecord)
                .where(InboundEventRecord.id == event.id)
                .values(status=status, attempts=attempts, last_error=error[:2000])
            )
        return status == "pending"


EventProcessor = Callable[[InboundEvent], Awaitable[None]]


class InboxWorker:
    """Processes a channel's accepted events: one at a time per user, in arrival order."""

    def __init__(self, inbox: Inbox, channel: str, process: EventProcessor) -> None:
        self._inbox = inbox
        self._channel = channel
        self._process = process
        self._queues: dict[str, asyncio.Queue[InboundEvent]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        """Resume the events left pending by a previous run."""
        for event in await self._inbox.pending(self._channel):
            self.submit(event)

    def submit(self, event: InboundEvent) -> None:
        """Queue an accepted event behind the same user's earlier events."""
        queue = self._queues.setdefault(event.user_id, asyncio.Queue())
        queue.put_nowait(event)
        self._idle.clear()
        if event.user_id not in self._tasks:
            self._tasks[event.user_id] = asyncio.create_task(
                self._drain(event.user_id, queue), name=f"inbox-{self._channel}"
            )

    async def _drain(self, user_id: str, queue: asyncio.Queue[InboundEvent]) -> None:
        try:
            while not queue.empty():
                event = queue.get_nowait()
                await self._run(event)
        finally:
            del self._tasks[user_id]
            del self._queues[user_id]
            if not self._tasks:
                self._idle.set()

    async def _run(self, event: InboundEvent) -> None:
        # Counted as in flight; while the process drains (SIGTERM) the event waits instead.
        async with LIFECYCLE.event():
            await self._attempts(event)

    async def _attempts(self, event: InboundEvent) -> None:
        current = event
        while True:
            try:
                await self._process(current)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad event must not stop the user's queue
                log.exception("processing %s event %s failed", self._channel, current.id)
                if not await self._inbox.fail(current, repr(exc)):
                    return
                current = InboundEvent(
                    current.id,
                    current.channel,
                    current.event_id,
                    current.user_id,
                    current.body,
                    current.attempts + 1,
                )
                continue
            await self._inbox.finish(current)
            return

    async def wait_idle(self) -> None:
        """Wait until every queued event has been processed (for tests and shutdown)."""
        await self._idle.wait()

    async def stop(self) -> None:
        """Stop processing; unfinished events stay pending for the next start."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
