"""Being told at once that another process stored an inbox event: PostgreSQL LISTEN/NOTIFY.

The webhook of any worker may accept an event that another worker processes. The accepting
transaction sends ``NOTIFY cets_inbox, '<channel>'`` (delivered on commit); every worker LISTENs
on one dedicated connection and wakes its claim loop. If the connection drops, it reconnects
with a growing wait; meanwhile (and always) the claim loop also polls every
``CETS_INBOX_POLL_SECONDS``, so a lost notification costs at most that long.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any, Final

from sqlalchemy.engine import make_url

from bot.background import cancel_and_wait

log = logging.getLogger(__name__)

MAX_RECONNECT_SECONDS: Final = 30.0

Listener = Callable[[str], None]


def _set(event: asyncio.Event, _connection: Any) -> None:
    event.set()


def asyncpg_dsn(database_url: str) -> str:
    """A plain ``postgresql://`` DSN for asyncpg from the SQLAlchemy URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class PgWakeups:
    """One LISTEN connection per process, calling every subscriber with the payload."""

    def __init__(self, database_url: str, channel: str) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._channel = channel
        self._listeners: list[Listener] = []
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(payload)`` on every notification (on the event loop)."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Connect and listen in the background (reconnecting until :meth:`stop`)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="inbox-listen")

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        await cancel_and_wait(self._task)
        self._task = None

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        for listener in self._listeners:
            try:
                listener(payload)
            except Exception:
                log.exception("an inbox wake-up listener failed")

    async def _run(self) -> None:
        import asyncpg

        delay = 0.5
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self._dsn, timeout=10)
                lost = asyncio.Event()
                connection.add_termination_listener(functools.partial(_set, lost))
                await connection.add_listener(self._channel, self._notified)
                self.connected.set()
                delay = 0.5
                # Events stored while not listening are found by the next poll; wake now too.
                self._notified(connection, 0, self._channel, "")
                await lost.wait()
                log.warning("inbox wake-ups: the LISTEN connection was lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("inbox wake-ups: cannot LISTEN (%s); again in %.1fs", exc, delay)
            finally:
                self.connected.clear()
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(connection.close(), 2)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RECONNECT_SECONDS)
