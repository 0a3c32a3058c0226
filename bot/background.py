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
