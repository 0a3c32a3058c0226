"""The inbox worker of one process among several: it claims events instead of queueing them.

A claim loop asks the :class:`~bot.workers.leased_inbox.LeasedInbox` for as many events as it
has free slots, whenever it is woken (its own webhook accepted an event, another process
notified one, one of its events finished so that user's next event may be claimed) and at
least every ``poll_seconds``. Each claimed event is processed exactly as by the single-process
:class:`~bot.inbox.InboxWorker` (turn committed with its replies, retries, apology), except that

- each platform message is recorded as going out *before* it is sent (fenced on the lease,
  which it renews), so a worker that takes the event over never sends a message again that
  may already have gone out; see ``docs/workers.md`` for the window this leaves;
- a heartbeat thread renews this process's leases every third of the lease, as long as this
  claim loop keeps ticking (:mod:`bot.workers.heartbeat`);
- an event whose attempt failed is given back, to be claimed again when its retry is due.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.background import wait_for_event
from bot.channels.base import SendResult
from bot.inbox import AfterEvent, FailureHandler, InboundEvent, InboxWorker
from bot.messages import Reply
from bot.retry import RetryPolicy
from bot.workers.leased_inbox import LeasedInbox

if TYPE_CHECKING:
    from bot.channels.base import Channel
    from bot.workers.wakeups import PgWakeups

log = logging.getLogger(__name__)


class ClaimingInboxWorker(InboxWorker):
    """Processes the events this process claims from the shared inbox."""

    def __init__(
        self,
        inbox: LeasedInbox,
        channel: Channel,
        *,
        policy: RetryPolicy | None = None,
        concurrency: int = 16,
        on_failure: FailureHandler | None = None,
        after_event: AfterEvent | None = None,
        poll_seconds: float = 1.0,
        wakeups: PgWakeups | None = None,
    ) -> None:
        super().__init__(
            inbox,
            channel,
            policy=policy,
            concurrency=concurrency,
            on_failure=on_failure,
            after_event=after_event,
        )
        self._leased = inbox
        self._capacity = concurrency
        self._poll_seconds = poll_seconds
        self._wakeups = wakeups
        self._running: dict[int, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._claiming: asyncio.Task[None] | None = None

    # --- what the channel calls ------------------------------------------------------------

    async def start(self) -> None:
        """Start claiming (unfinished events of stopped workers included) and renewing."""
        if self._wakeups is not None:
            self._wakeups.subscribe(self._notified)
        self._leased.heartbeat.start()
        self._claiming = asyncio.create_task(self._claim_loop(), name=f"claim-{self._channel.name}")

    def submit(self, event: InboundEvent) -> None:
        """An event was stored: claim it now, unless that user has an earlier one in flight."""
        del event
        self._idle.clear()
        self._wake.set()

    async def wait_idle(self) -> None:
        """Wait until nothing is in flight here and the last claim found nothing to do.

        Events another process holds are not waited for (tests wait for the database).
        """
        while True:
            await self._idle.wait()
            if not self._running:
                return
            self._idle.clear()

    async def stop(self) -> None:
        """Stop claiming and processing; give back the leases (others take over at once)."""
        tasks = [*self._running.values(), *([self._claiming] if self._claiming else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._claiming = None
        self._running.clear()
        try:
            released = await self._leased.release_all(self._channel.name)
            if released:
                log.info("%d inbox leases given back on stop", released)
        except Exception:
            log.exception("could not give back the inbox leases; they run out by themselves")

    # --- claiming ----------------------------------------------------------------------------

    def _notified(self, payload: str) -> None:
        if not payload or payload == self._channel.name:
            self._wake.set()

    async def _claim_loop(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            self._leased.heartbeat.tick()  # this loop is alive: the heartbeat may renew
            wait = self._poll_seconds
            try:
                free = self._capacity - len(self._running)
                claimed = await self._leased.claim([self._channel.name], free) if free else []
                failures = 0
                for event in claimed:
                    if event.id not in self._running:
                        self._start(event)
                if claimed and len(claimed) == free:
                    continue  # there may be more; claim again once slots free up
                if not claimed and not self._running:
                    self._idle.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                wait = self._policy.delay(failures)
                log.exception("inbox %s: claiming failed; again in %.1fs", self._channel.name, wait)
            await wait_for_event(self._wake, wait)

    def _start(self, event: InboundEvent) -> None:
        self._idle.clear()
        self._running[event.id] = asyncio.create_task(
            self._process(event), name=f"inbox-{self._channel.name}-{event.id}"
        )

    async def _process(self, event: InboundEvent) -> None:
        try:
            await self._run(event)
        finally:
            self._running.pop(event.id, None)
            # The user's next event may be claimable now, and a slot is free.
            self._wake.set()

    # --- hooks of the single-process worker -----------------------------------------------

    def _mine(self, event: InboundEvent) -> bool:
        return (
            not event.finished
            and event.lease_owner == self._leased.owner
            and event.lease_until is not None
        )

    async def _send(self, event: InboundEvent, replies: Sequence[Reply]) -> SendResult:
        async def progress(count: int) -> None:
            await self._leased.sending(event, count)

        return await self._channel.send(event.user_id, replies, skip=event.sent, progress=progress)
