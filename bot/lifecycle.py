"""The process's lifecycle: serving, then draining on SIGTERM, with a count of work in flight.

On SIGTERM the server marks the process as draining: ``/readyz`` answers 503 (the load
balancer stops sending traffic), no new inbox event starts processing (it stays pending in the
database, for the next start or another worker), and the events already being processed are
allowed to finish before the channels stop. The inbox worker wraps the processing of each event
in :meth:`Lifecycle.event`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.metrics import EVENTS_IN_FLIGHT


class Lifecycle:
    """Whether the process is draining, and how many events are being processed."""

    def __init__(self) -> None:
        self._draining = False
        self._in_flight = 0
        self._idle: asyncio.Event | None = None
        self._resume: asyncio.Event | None = None

    @property
    def draining(self) -> bool:
        """True once shutdown has begun."""
        return self._draining

    @property
    def in_flight(self) -> int:
        """Events being processed right now."""
        return self._in_flight

    def start_draining(self) -> None:
        """Begin the shutdown: no new event starts from now on."""
        self._draining = True

    def reset(self) -> None:
        """Serve again (a new server in the same process, e.g. in tests)."""
        self._draining = False
        if self._resume is not None:
            self._resume.set()
            self._resume = None

    @asynccontextmanager
    async def event(self) -> AsyncIterator[None]:
        """Hold while one event is processed; while draining, wait instead of starting.

        A waiting event is cancelled when the channels stop, and stays pending.
        """
        while self._draining:
            if self._resume is None:
                self._resume = asyncio.Event()
            await self._resume.wait()
        self._in_flight += 1
        EVENTS_IN_FLIGHT.inc()
        try:
            yield
        finally:
            self._in_flight -= 1
            EVENTS_IN_FLIGHT.dec()
            if self._in_flight == 0 and self._idle is not None:
                self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until no event is in flight (bound the wait with ``asyncio.timeout``)."""
        while self._in_flight:
            self._idle = asyncio.Event()
            await self._idle.wait()


# One per process: SIGTERM is for the whole process.
LIFECYCLE = Lifecycle()
