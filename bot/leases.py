"""Named leases in the database: exactly one process at a time does a singleton duty.

Several worker processes share one database; some work must be done by one of them only:
registering the Telegram webhook (or long polling, which Telegram refuses to two callers at
once), reading the registry's status feed, sweeping scheduled notices. A :class:`LeaderLease`
is a row of the ``leases`` table that a process takes with a compare-and-swap when nobody
holds it, when it holds it already (a renewal) or when the holder let it run out (it died),
and renews every ``ttl / 3``:

```python
lease = LeaderLease(engine, "telegram")
lease.on_duty("webhook", register_webhook)     # run whenever this process becomes the holder
await lease.start()                            # first try now, then renewed in the background
...
if lease.held(): ...                           # checked before a step that must be the holder's
await lease.stop()                             # duties cancelled, lease released at once

async with leader(engine, "status-feed") as lease:   # the same, as a context manager
    while True:
        if lease.held():
            await consume_one_round()
        await asyncio.sleep(5)
```

``held()`` is judged on this process's monotonic clock from the moment the last successful
renewal was *sent*, less a safety margin, so a process never believes it holds a lease that the
database already considers expired (given clocks that agree to well under the margin). Each new
holder increments ``epoch``, a fencing token: work that must never be done by a former holder
can store the epoch it ran under and compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import DateTime, Integer, String, case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.background import cancel_and_wait, wait_for_event
from bot.database import writer
from bot.dialogue.models import ConversationBase
from bot.retry import as_utc, utc_now

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS: Final = 15.0
# A holder stops considering itself the holder this long before the lease's recorded expiry.
SAFETY_MARGIN: Final = 0.2  # of the ttl
DUTY_RETRY_SECONDS: Final = 5.0

Clock = Callable[[], datetime]
Duty = Callable[[], Awaitable[None]]


class LeaseRecord(ConversationBase):
    """One named lease: who holds it, until when, and how many times it changed hands."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    acquired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def process_identity() -> str:
    """A name for this process, unique across hosts and restarts: ``host:pid:random``."""
    host = socket.gethostname()[:32]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class LeaseState:
    """A lease as stored (for logs, tests and ``/readyz``-style reports)."""

    name: str
    holder: str | None
    until: datetime | None
    epoch: int


class LeaderLease:
    """The lease called ``name`` taken on behalf of ``holder`` (default: this process)."""

    def __init__(
        self,
        engine: AsyncEngine,
        name: str,
        *,
        holder: str | None = None,
        ttl: float = DEFAULT_TTL_SECONDS,
        renew_every: float | None = None,
        clock: Clock = utc_now,
    ) -> None:
        if ttl <= 0:
            raise ValueError("a lease needs a positive ttl")
        self._readers = async_sessionmaker(engine, expire_on_commit=False)
        self._writers = async_sessionmaker(writer(engine), expire_on_commit=False)
        self.name = name
        self.holder = holder or process_identity()
        self.ttl = ttl
        self.renew_every = renew_every if renew_every is not None else ttl / 3
        self._clock = clock
        self._valid_until: float | None = None  # monotonic
        self._epoch: int | None = None
        self._duties: dict[str, Duty] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._done: dict[str, int] = {}  # duty -> the epoch it completed under
        self._loop_task: asyncio.Task[None] | None = None
        self._duties_changed = asyncio.Event()
        self._state_changed = asyncio.Event()
        self._tried = asyncio.Event()

    # --- the lease itself ----------------------------------------------------------------

    def held(self) -> bool:
        """True while this process holds the lease (by its own, conservative, clock)."""
        return self._valid_until is not None and time.monotonic() < self._valid_until

    @property
    def epoch(self) -> int | None:
        """The fencing token of the current holding (None when not held)."""
        return self._epoch if self.held() else None

    async def acquire(self) -> bool:
        """One attempt to take or renew the lease; True when this process holds it now."""
        started = time.monotonic()
        now = self._clock()
        await self._ensure_row()
        async with self._writers.begin() as session:
            result = await session.execute(
                update(LeaseRecord)
                .where(
                    LeaseRecord.name == self.name,
                    or_(
                        LeaseRecord.holder.is_(None),
                        LeaseRecord.holder == self.holder,
                        LeaseRecord.until.is_(None),
                        LeaseRecord.until < now,
                    ),
                )
                .values(
                    holder=self.holder,
                    until=now + timedelta(seconds=self.ttl),
                    epoch=case(
                        (LeaseRecord.holder == self.holder, LeaseRecord.epoch),
                        else_=LeaseRecord.epoch + 1,
                    ),
                    acquired_at=case(
                        (LeaseRecord.holder == self.holder, LeaseRecord.acquired_at),
                        else_=now,
                    ),
                )
                .returning(LeaseRecord.epoch)
            )
            epoch = result.scalar_one_or_none()
        if epoch is None:
            self._lost()
            return False
        if not self.held():
            log.info("lease %s taken by this process (epoch %d)", self.name, epoch)
        self._epoch = int(epoch)
        self._valid_until = started + self.ttl * (1 - SAFETY_MARGIN)
        return True

    async def release(self) -> None:
        """Give the lease up at once, so another process need not wait for it to run out."""
        self._lost()
        async with self._writers.begin() as session:
            await session.execute(
                update(LeaseRecord)
                .where(LeaseRecord.name == self.name, LeaseRecord.holder == self.holder)
                .values(until=None)
            )

    async def state(self) -> LeaseState:
        """The lease as stored now."""
        async with self._readers() as session:
            record = await session.get(LeaseRecord, self.name)
            if record is None:
                return LeaseState(self.name, None, None, 0)
            return LeaseState(record.name, record.holder, as_utc(record.until), record.epoch)

    async def _ensure_row(self) -> None:
        async with self._readers() as session:
            if await session.scalar(select(LeaseRecord.name).where(LeaseRecord.name == self.name)):
                return
        try:
            async with self._writers.begin() as session:
                session.add(LeaseRecord(name=self.name, holder=None, until=None, epoch=0))
        except IntegrityError:
            pass  # another process created it first

    def _lost(self) -> None:
        if self._valid_until is not None:
            log.info("lease %s no longer held by this process", self.name)
        self._valid_until = None
        self._epoch = None

    # --- duties --------------------------------------------------------------------------

    def on_duty(self, name: str, duty: Duty) -> None:
        """Run ``duty`` whenever this process becomes the holder; cancelled when it stops.

        A duty that returns is done until the next time the lease is taken (e.g. setting the
        webhook); one that raises is started again after a few seconds while still held; a
        long-running one (polling) runs until the lease is lost.
        """
        self._duties[name] = duty
        self._duties_changed.set()

    async def drop_duty(self, name: str) -> None:
        """Stop running ``name`` (cancelled if running) and forget it."""
        self._duties.pop(name, None)
        self._done.pop(name, None)
        task = self._running.pop(name, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def launch(self) -> None:
        """Take (or try to take) the lease in the background, right away, then keep renewing."""
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._loop(), name=f"lease-{self.name}")

    async def start(self) -> None:
        """:meth:`launch`, and wait for the first attempt's outcome."""
        self.launch()
        await self._tried.wait()

    async def stop(self) -> None:
        """Cancel the duties, stop renewing and release the lease."""
        await cancel_and_wait(self._loop_task)
        self._loop_task = None
        await self._stop_duties()
        if self._valid_until is not None:
            try:
                await self.release()
            except Exception:
                log.exception("lease %s: could not release", self.name)
                self._lost()

    async def wait_held(self) -> None:
        """Wait until this process holds the lease (bound it with ``asyncio.timeout``)."""
        while not self.held():
            self._state_changed.clear()
            await wait_for_event(self._state_changed, self.renew_every)

    async def _loop(self) -> None:
        while True:
            wait = self.renew_every
            try:
                await self.acquire()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Still held until the local validity runs out; renewal is tried again sooner.
                log.exception("lease %s: renewal failed", self.name)
                wait = min(wait, 1.0)
            self._sync_duties()
            self._state_changed.set()
            self._tried.set()
            if self._valid_until is not None:
                wait = min(wait, max(self._valid_until - time.monotonic(), 0.05))
            deadline = time.monotonic() + wait
            while (remaining := deadline - time.monotonic()) > 0:
                # A duty registered meanwhile starts without waiting for the next renewal.
                self._duties_changed.clear()
                await wait_for_event(self._duties_changed, remaining)
                self._sync_duties()

    def _sync_duties(self) -> None:
        if not self.held():
            for task in self._running.values():
                task.cancel()
            self._running.clear()
            return
        for name, duty in self._duties.items():
            if name in self._running or self._done.get(name) == self._epoch:
                # Running, or done under this very holding (held all along, even if this
                # process stopped trusting its lease for a moment: the epoch did not change).
                continue
            self._running[name] = asyncio.create_task(
                self._perform(name, duty), name=f"lease-{self.name}-{name}"
            )

    async def _perform(self, name: str, duty: Duty) -> None:
        while self.held():
            try:
                await duty()
                log.info("lease %s: duty %s done", self.name, name)
                if self._epoch is not None:
                    self._done[name] = self._epoch
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "lease %s: duty %s failed; again in %.0fs", self.name, name, DUTY_RETRY_SECONDS
                )
                await asyncio.sleep(DUTY_RETRY_SECONDS)
        self._running.pop(name, None)

    async def _stop_duties(self) -> None:
        tasks = list(self._running.values())
        self._running.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def leader(
    engine: AsyncEngine, name: str, *, ttl: float = DEFAULT_TTL_SECONDS
) -> AsyncIterator[LeaderLease]:
    """A started :class:`LeaderLease` for the block; stopped (and released) after it."""
    lease = LeaderLease(engine, name, ttl=ttl)
    await lease.start()
    try:
        yield lease
    finally:
        await lease.stop()
