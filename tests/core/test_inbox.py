"""The durable inbox: duplicates dropped, per-user order, nothing lost across a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import open_engine, prepare_database
from bot.inbox import MAX_ATTEMPTS, InboundEvent, Inbox, InboxWorker
from bot.settings import Settings


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A migrated database for the inbox."""
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    yield engine
    await engine.dispose()


async def test_a_redelivered_event_is_accepted_once(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    first = await inbox.accept("telegram", "1001", "u1", {"text": "hi"})
    again = await inbox.accept("telegram", "1001", "u1", {"text": "hi"})
    other_channel = await inbox.accept("messenger", "1001", "u1", {"text": "hi"})
    assert first is not None and again is None and other_channel is not None


async def test_events_are_processed_in_order_per_user(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    handled: list[tuple[str, int]] = []

    async def process(event: InboundEvent) -> None:
        # Later events of a user finish faster; order must still hold.
        await asyncio.sleep(0.01 * (5 - event.body["n"] % 5))
        handled.append((event.user_id, event.body["n"]))

    worker = InboxWorker(inbox, "telegram", process)
    for n in range(10):
        for user in ("a", "b"):
            event = await inbox.accept("telegram", f"{user}-{n}", user, {"n": n})
            assert event is not None
            worker.submit(event)
    await worker.wait_idle()
    for user in ("a", "b"):
        assert [n for u, n in handled if u == user] == list(range(10))
    assert await inbox.pending("telegram") == []


async def test_pending_events_survive_a_restart(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    started = asyncio.Event()

    async def stuck(event: InboundEvent) -> None:
        started.set()
        await asyncio.Event().wait()  # the process "dies" while handling this event

    worker = InboxWorker(inbox, "messenger", stuck)
    for n in range(3):
        event = await inbox.accept("messenger", f"m{n}", "psid", {"n": n})
        assert event is not None
        worker.submit(event)
    await started.wait()
    await worker.stop()

    handled: list[int] = []

    async def process(event: InboundEvent) -> None:
        handled.append(event.body["n"])

    restarted = InboxWorker(Inbox(engine), "messenger", process)
    await restarted.start()
    await restarted.wait_idle()
    assert handled == [0, 1, 2]


async def test_a_failing_event_is_retried_then_given_up(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    attempts: list[int] = []

    async def broken(event: InboundEvent) -> None:
        attempts.append(event.attempts)
        raise RuntimeError("platform down")

    worker = InboxWorker(inbox, "telegram", broken)
    event = await inbox.accept("telegram", "9", "u", {})
    assert event is not None
    worker.submit(event)
    await worker.wait_idle()
    assert attempts == list(range(MAX_ATTEMPTS))
    assert await inbox.pending("telegram") == []
