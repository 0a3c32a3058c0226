"""Renewing a worker's inbox leases from a thread of its own, so a busy event loop keeps them.

A lease must outlive the worst pause of a *live* worker and no more. Renewing from the event
loop ties the two together: a process whose loop lags by seconds (many turns at once on a
starved CPU, a long garbage collection) would lose its leases while alive, and another worker
would take over events mid-turn. The heartbeat thread runs its own event loop and database
connection and renews every ``lease / 3``; Python hands it the GIL within milliseconds, however
busy the main thread is.

A process whose main loop has stopped making progress must not keep its events forever, so the
heartbeat only renews while the claim loop has ticked within ``max_stall`` (a watchdog); past
that, the leases run out and other workers take the events over, as if the process had died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from datetime import timedelta
from typing import Final

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import writer
from bot.dialogue.models import InboundEventRecord
from bot.inbox import UNFINISHED, Clock
from bot.retry import utc_now
from registry.database import create_engine

log = logging.getLogger(__name__)

DEFAULT_MAX_STALL: Final = 60.0


class LeaseHeartbeat:
    """Renews every unfinished inbox lease of ``owner`` while the worker's loop is alive."""

    def __init__(
        self,
        database_url: str,
        owner: str,
        lease: timedelta,
        *,
        max_stall: float | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._url = database_url
        self._clock = clock
        self.owner = owner
        self.lease = lease
        seconds = lease.total_seconds()
        self.every = max(seconds / 3, 0.05)
        self.max_stall = max_stall if max_stall is not None else max(DEFAULT_MAX_STALL, 4 * seconds)
        self._last_tick = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.renewals = 0

    def tick(self) -> None:
        """The worker's loop is alive (called by the claim loop at least every poll)."""
        self._last_tick = time.monotonic()

    def start(self) -> None:
        """Start the thread (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._main, name="inbox-lease-heartbeat", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop renewing (the thread ends within a moment)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        engine = create_engine(self._url, pool_size=1, max_overflow=0)
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                stalled = started - self._last_tick
                if stalled < self.max_stall:
                    try:
                        await self._renew(engine)
                    except Exception:
                        log.exception("inbox lease heartbeat: renewal failed")
                else:
                    log.error(
                        "inbox lease heartbeat: the worker's loop has not ticked for %.0fs; "
                        "leases left to run out",
                        stalled,
                    )
                wait = max(self.every - (time.monotonic() - started), 0.01)
                await asyncio.to_thread(self._stop.wait, wait)
        finally:
            with contextlib.suppress(Exception):
                await engine.dispose()

    async def _renew(self, engine: AsyncEngine) -> None:
        async with writer(engine).begin() as connection:
            await connection.execute(
                update(InboundEventRecord)
                .where(
                    InboundEventRecord.lease_owner == self.owner,
                    InboundEventRecord.lease_until.is_not(None),
                    InboundEventRecord.status.in_(UNFINISHED),
                )
                .values(lease_until=self._clock() + self.lease)
            )
        self.renewals += 1
