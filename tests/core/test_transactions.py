"""Units of work on SQLite run on the event loop when they need not wait, and never stall it.

A write while another process holds the file's write lock goes to a worker thread, which
waits with the busy timeout; the event loop keeps serving meanwhile, and the write lands when
the lock is freed. The WAL, which the event loop's connections never checkpoint themselves,
stays bounded.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.database import Transactions, open_engine, prepare_database
from bot.inbox import Inbox
from bot.settings import Settings


def _database_file(settings: Settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


def _busy_timeout(session: Session) -> int:
    return int(session.execute(text("PRAGMA busy_timeout")).scalar_one())


async def test_a_write_behind_another_processes_lock_waits_in_a_thread_not_on_the_loop(
    settings: Settings,
) -> None:
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    inbox = Inbox(engine)
    units = Transactions(engine)
    other = sqlite3.connect(_database_file(settings), isolation_level=None)
    try:
        assert await units.write(_busy_timeout) == 0  # nothing in the way: on the loop
        other.execute("BEGIN IMMEDIATE")  # another process is writing
        write = asyncio.create_task(inbox.accept("telegram", "e-1", "42", {"text": "hi"}))
        ticks: list[float] = []
        started = time.monotonic()
        while time.monotonic() - started < 1.0:  # the loop goes on while the write waits
            before = time.monotonic()
            await asyncio.sleep(0.01)
            ticks.append(time.monotonic() - before)
        assert not write.done()
        assert max(ticks) < 0.2
        other.execute("COMMIT")
        event = await asyncio.wait_for(write, 10)
        assert event is not None
        stored = await inbox.get(event.id)
        assert stored is not None and stored.body == {"text": "hi"}
        # The write behind the lock ran in a thread, on a connection that waits.
        other.execute("BEGIN IMMEDIATE")
        waited = asyncio.create_task(units.write(_busy_timeout))
        await asyncio.sleep(0.2)
        other.execute("COMMIT")
        assert await asyncio.wait_for(waited, 10) == 30000
    finally:
        other.close()
        await units.close()
        await inbox.close()
        await engine.dispose()


async def test_the_wal_is_checkpointed_and_stays_bounded(settings: Settings) -> None:
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    inbox = Inbox(engine)
    wal = _database_file(settings).with_name(_database_file(settings).name + "-wal")
    sizes: list[int] = []
    try:
        for number in range(1500):
            event = await inbox.accept("telegram", f"e-{number}", "42", {"text": "x" * 2000})
            assert event is not None
            await inbox.finish(event, sent=1)
            if number % 250 == 249:
                sizes.append(wal.stat().st_size)
    finally:
        await inbox.close()
        await engine.dispose()
    # Without checkpoints the WAL grows by about 10 MB per 250 events, to some 64 MB here.
    assert max(sizes) < 8 * 1024 * 1024, sizes


async def test_a_failing_unit_of_work_leaves_the_next_one_free_to_run(settings: Settings) -> None:
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    units = Transactions(engine)

    def fails(session: Session) -> None:
        session.execute(text("SELECT 1"))
        raise ValueError("the work failed")

    try:
        for _ in range(3):
            with pytest.raises(ValueError, match="the work failed"):
                await units.write(fails)
        # Nothing is left holding this process's writer lock: the next write runs at once,
        # on the event loop.
        assert await asyncio.wait_for(units.write(_busy_timeout), 5) == 0
    finally:
        await units.close()
        await engine.dispose()
