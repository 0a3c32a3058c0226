"""The send budget of a bot token shared through Redis: two workers together stay within it;
without Redis each process keeps its own; a Redis outage falls back to the process's own."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.send_budget import (
    LocalSendBudget,
    RedisSendBudget,
    budget_key,
    is_prepaid,
    open_redis,
    prepaid,
    send_budget,
)
from tests.workers.conftest import redis_url_or_skip
from tests.workers.harness import free_port

RATE = 20.0  # a send every 50 ms
SENDS_EACH = 10


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = open_redis(redis_url_or_skip())
    await client.delete(budget_key("test", "token-1"))
    yield client
    await client.delete(budget_key("test", "token-1"))
    await client.aclose()


async def _spend(budgets: list[RedisSendBudget] | list[LocalSendBudget]) -> float:
    async def spend(budget: RedisSendBudget | LocalSendBudget) -> None:
        for _ in range(SENDS_EACH):
            await budget.acquire()

    started = time.monotonic()
    await asyncio.gather(*(spend(budget) for budget in budgets))
    return time.monotonic() - started


async def test_two_workers_share_one_budget_through_redis(redis: Redis) -> None:
    # Two processes' budgets for the same token (one key), no burst: 20 sends at 20 a second.
    shared = [RedisSendBudget(redis, budget_key("test", "token-1"), RATE, burst=1) for _ in "ab"]
    elapsed = await _spend(shared)
    # 19 intervals of 50 ms between the first send and the last: the two together obey it.
    assert elapsed >= (2 * SENDS_EACH - 1) / RATE * 0.95


async def test_a_redis_outage_falls_back_to_the_process_budget(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = open_redis(f"redis://127.0.0.1:{free_port()}/0")
    budget = send_budget(unreachable, "test", "token-2", RATE, burst=1)
    assert isinstance(budget, RedisSendBudget)
    with caplog.at_level(logging.WARNING, logger="bot.send_budget"):
        started = time.monotonic()
        for _ in range(5):
            await budget.acquire()
        elapsed = time.monotonic() - started
    await unreachable.aclose()
    assert elapsed >= 4 / RATE * 0.95  # still limited, by the process's own budget
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1  # said once, not for every message


def test_without_redis_the_budget_is_the_process_own() -> None:
    assert isinstance(send_budget(None, "telegram", "123:abc", 30.0), LocalSendBudget)
    key = budget_key("telegram", "123:secret-token")
    assert key.startswith("cets:send-budget:telegram:") and "secret" not in key


def test_prepaid_marks_only_the_block() -> None:
    assert not is_prepaid()
    with prepaid():
        assert is_prepaid()
    assert not is_prepaid()
