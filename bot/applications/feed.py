"""The one consumer of the registry's status feed: every change reaches its owner once.

``backend.status_changes_since(cursor)`` gives the changes of applications, certificates and
complaints in order. One process at a time reads it (a lease on the ``feed_cursors`` row); each
change is handed to the handlers registered for its subject type, which deliver with the dedupe
key ``status:<change id>``; only then does the saved cursor move past it. A crash between the
delivery and the cursor repeats the change, and its dedupe key makes the repeat harmless.

Changes older than ``stale_after`` (a first start on a registry with history, a long outage)
are not delivered, but still keep the bookkeeping right (renewal reminders are scheduled for
certificates found that way). Other streams register handlers for their subjects
(:data:`FEED_HANDLERS`), e.g. complaints.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from backend_client import (
    BackendError,
    BackendUnavailable,
    RegistryBackend,
    StatusChange,
    SubjectType,
)
from bot.applications.lease import Lease
from bot.applications.schedule import NoticeSchedule
from bot.backend_outbox import Deliver
from bot.background import cancel_and_wait
from bot.clock import Clock, SystemClock

log = logging.getLogger(__name__)

PAGE: Final = 100
STALE_AFTER: Final = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What a feed handler may use to tell the owner about a change."""

    backend: RegistryBackend
    deliver: Deliver
    schedule: NoticeSchedule
    now: datetime
    fresh: bool
    """False for a change too old to announce: do the bookkeeping, deliver nothing."""

    def dedupe_key(self, change: StatusChange) -> str:
        """The delivery key of a change: one message per status change, ever."""
        return f"status:{change.change_id}"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


FeedHandler = Callable[[FeedContext, StatusChange], Awaitable[None]]


class FeedHandlers:
    """Handlers by subject type; handler modules register theirs at import."""

    def __init__(self) -> None:
        self._handlers: dict[SubjectType, list[FeedHandler]] = {}

    def register(self, subject: SubjectType, handler: FeedHandler) -> FeedHandler:
        """Call ``handler`` for each change of ``subject`` records (once per handler)."""
        handlers = self._handlers.setdefault(subject, [])
        if handler not in handlers:
            handlers.append(handler)
        return handler

    def of(self, subject: SubjectType) -> tuple[FeedHandler, ...]:
        """The handlers of a subject type."""
        return tuple(self._handlers.get(subject, ()))


FEED_HANDLERS = FeedHandlers()


class StatusFeedConsumer:
    """Reads the registry's status feed and hands each change to its handlers, once."""

    def __init__(
        self,
        schedule: NoticeSchedule,
        backend: RegistryBackend,
        deliver: Deliver,
        *,
        clock: Clock | None = None,
        channels: Collection[str] | None = None,
        name: str = "registry",
        poll_seconds: float = 10.0,
        lease: timedelta = timedelta(minutes=1),
        stale_after: timedelta = STALE_AFTER,
        handlers: FeedHandlers | None = None,
    ) -> None:
        self._schedule = schedule
        self._backend = backend
        self._deliver = deliver
        self._clock = clock or SystemClock()
        self._channels = None if channels is None else frozenset(channels)
        self._lease = Lease(schedule.engine, name, f"feed-{uuid.uuid4().hex[:12]}", lease)
        self._poll_seconds = poll_seconds
        self._stale_after = stale_after
        self._handlers = handlers or FEED_HANDLERS
        self._task: asyncio.Task[None] | None = None
        self._running = asyncio.Lock()  # one round at a time within this process, too

    async def run_once(self) -> int:
        """Handle every change there is now; how many were handled (0 without the lease)."""
        async with self._running:
            return await self._round()

    async def _round(self) -> int:
        handled = 0
        while True:
            now = self._clock.now()
            if not await self._lease.acquire(now):
                return handled
            cursor = await self._lease.cursor()
            page = await self._backend.status_changes_since(cursor, limit=PAGE)
            if not page.changes:
                return handled
            for change in page.changes:
                await self._handle(change, now)
                if not await self._lease.move(change.change_id, self._clock.now()):
                    log.warning("the status feed lease was lost; another process goes on")
                    return handled
                handled += 1

    async def _handle(self, change: StatusChange, now: datetime) -> None:
        owner = change.owner
        if owner is None or (self._channels is not None and owner.channel not in self._channels):
            return
        context = FeedContext(
            backend=self._backend,
            deliver=self._deliver,
            schedule=self._schedule,
            now=now,
            fresh=now - _utc(change.at) <= self._stale_after,
        )
        for handler in self._handlers.of(change.subject_type):
            await handler(context, change)

    def start(self) -> None:
        """Follow the feed in the background until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="status-feed")

    async def stop(self) -> None:
        """Stop following; another process may take over at once."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
            with contextlib.suppress(Exception):
                await self._lease.release()

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except BackendUnavailable:
                log.info("the registry's status feed is not reachable; trying again")
            except BackendError:
                log.exception("reading the status feed failed; trying again")
            except Exception:
                log.exception("handling the status feed failed; trying again")
            await asyncio.sleep(self._poll_seconds)
