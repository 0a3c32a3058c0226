"""Background tasks of long-lived services (the status feed, the notice sweeper, deliveries,
the leader lease, the inbox wake-ups): stopping one."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` (None: nothing to stop) and wait until it has ended.

    Its cancellation is not an error of the caller's; anything else it ended with is raised.
    """
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def wait_for_event(event: asyncio.Event, seconds: float) -> None:
    """Wait until ``event`` is set or ``seconds`` have passed, whichever comes first.

    A loop's wait for its wake-up: unlike ``asyncio.wait_for`` on Python 3.11, which returns
    normally when the cancellation and the event come together (so the loop went on and
    whoever stopped it waited for ever), a cancellation is always raised.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
