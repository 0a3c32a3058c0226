"""Fixtures of the multi-worker tests: PostgreSQL and Redis (skipped locally without them,
failing under CI=true), a database of their own, the fake Bot API."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import open_engine
from tests.backend.conftest import postgres_url_or_skip
from tests.telegram.fake_bot_api import FakeBotApi
from tests.workers.harness import fresh_database

REDIS_ENV = "CETS_TEST_REDIS_URL"


def redis_url_or_skip() -> str:
    """The test Redis URL; without it: fail under CI=true, skip elsewhere."""
    url = os.environ.get(REDIS_ENV)
    if url:
        return url
    message = (
        f'{REDIS_ENV} is not set: run `eval "$(scripts/redis-start.sh)"` to start a '
        "throwaway Redis and export it"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    """The test Redis."""
    return redis_url_or_skip()


@pytest.fixture
async def workers_database() -> str:
    """An empty, migrated PostgreSQL database for the workers (``<test db>_workers``)."""
    server = postgres_url_or_skip()
    name = f"{make_url(server).database}_workers"
    return await fresh_database(server, name)


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API, serving on loopback."""
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture(scope="session")
def unit_database_url() -> str:
    """A migrated PostgreSQL database shared by the in-process tests (``<test db>_units``)."""
    server = postgres_url_or_skip()
    name = f"{make_url(server).database}_units"
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, fresh_database(server, name)).result()


@pytest.fixture
async def pg_engine(unit_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the shared unit database, its inbox, deliveries and leases emptied."""
    engine = open_engine(unit_database_url)
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE inbound_events, deliveries, leases"))
    yield engine
    await engine.dispose()
