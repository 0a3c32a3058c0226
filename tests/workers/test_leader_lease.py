"""The leader lease (bot/leases.py): one holder at a time, taken over when the holder dies or
lets go, duties run only on the holder, a new epoch for each new holder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import open_engine, prepare_database
from bot.leases import LeaderLease, leader
from bot.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def lease_engine(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[AsyncEngine]:
    """The leases table on SQLite (one file) or PostgreSQL (emptied)."""
    if request.param == "postgres":
        engine = open_engine(request.getfixturevalue("unit_database_url"))
        async with engine.begin() as connection:
            await connection.execute(text("TRUNCATE leases"))
    else:
        await prepare_database(settings.database_url)
        engine = open_engine(settings.database_url)
    yield engine
    await engine.dispose()


async def test_one_holder_at_a_time_and_the_next_takes_over_when_it_lets_go(
    lease_engine: AsyncEngine,
) -> None:
    first = LeaderLease(lease_engine, "platform", holder="first", ttl=1.0)
    second = LeaderLease(lease_engine, "platform", holder="second", ttl=1.0)
    await first.start()
    await second.start()
    try:
        assert first.held() and not second.held()
        assert (await first.state()).holder == "first"
        await first.stop()  # released: no need to wait for it to run out
        async with asyncio.timeout(10):
            await second.wait_held()
        state = await second.state()
        assert (state.holder, state.epoch) == ("second", 2)
        assert second.epoch == 2 and first.epoch is None
    finally:
        await first.stop()
        await second.stop()


async def test_a_dead_holders_lease_is_taken_once_it_runs_out(lease_engine: AsyncEngine) -> None:
    dead = LeaderLease(lease_engine, "platform", holder="dead", ttl=0.6)
    assert await dead.acquire()  # and then never renewed: the process died
    alive = LeaderLease(lease_engine, "platform", holder="alive", ttl=0.6)
    assert not await alive.acquire()
    await asyncio.sleep(0.7)
    assert await alive.acquire() and alive.held()
    assert not await dead.acquire()  # the former holder cannot take it back while it is held


async def test_duties_run_on_the_holder_only_and_stop_with_the_lease(
    lease_engine: AsyncEngine,
) -> None:
    registered: list[str] = []
    polling: dict[str, bool] = {}
    changed = asyncio.Event()

    def duties(lease: LeaderLease) -> None:
        async def register() -> None:
            registered.append(lease.holder)

        async def poll() -> None:
            polling[lease.holder] = True
            changed.set()
            try:
                await asyncio.Event().wait()
            finally:
                polling[lease.holder] = False

        lease.on_duty("register", register)
        lease.on_duty("poll", poll)

    first = LeaderLease(lease_engine, "platform", holder="first", ttl=0.9)
    second = LeaderLease(lease_engine, "platform", holder="second", ttl=0.9)
    duties(first)
    duties(second)
    await first.start()
    await second.start()
    try:
        await asyncio.sleep(1.0)  # several renewals: a done duty is not run again
        assert registered == ["first"] and polling == {"first": True}
        await first.stop()
        async with asyncio.timeout(10):
            await second.wait_held()
            while not polling.get("second"):
                changed.clear()
                await changed.wait()
        assert registered == ["first", "second"]
        assert polling == {"first": False, "second": True}
    finally:
        await first.stop()
        await second.stop()


async def test_the_context_manager_holds_for_the_block(lease_engine: AsyncEngine) -> None:
    async with leader(lease_engine, "status-feed", ttl=1.0) as lease:
        assert lease.held()
        other = LeaderLease(lease_engine, "status-feed", ttl=1.0)
        assert not await other.acquire()
    assert await other.acquire()
