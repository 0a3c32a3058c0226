"""Deliveries shared by several workers: claimed by one, taken over once a dead worker's claim
runs out (and the former holder fenced), each user's in order, only expired ones released."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import Sent
from bot.delivery.store import SENDING, SENT, ClaimLost, DeliveryStore
from bot.messages import TextReply
from bot.retry import utc_now

pytestmark = pytest.mark.postgres


def store(engine: AsyncEngine, owner: str, claim_for: float = 60.0) -> DeliveryStore:
    return DeliveryStore(engine, owner=owner, claim_for=timedelta(seconds=claim_for))


async def add(box: DeliveryStore, user: str, text: str) -> int:
    return await box.add(
        "telegram", user, [TextReply(text)], kind="notice", dedupe_key=None, now=utc_now()
    )


async def test_one_worker_claims_a_delivery(pg_engine: AsyncEngine) -> None:
    a, b = store(pg_engine, "a"), store(pg_engine, "b")
    await add(a, "u1", "approved")
    (due,) = await a.due(["telegram"], utc_now())
    results = await asyncio.gather(a.claim(due), b.claim(due))
    assert sorted(results) == [False, True]
    assert await b.due(["telegram"], utc_now()) == []


async def test_a_dead_workers_delivery_is_taken_over_and_the_former_holder_fenced(
    pg_engine: AsyncEngine,
) -> None:
    dead, alive = store(pg_engine, "dead", claim_for=0.3), store(pg_engine, "alive")
    delivery_id = await add(dead, "u1", "approved")
    (due,) = await dead.due(["telegram"], utc_now())
    assert await dead.claim(due)
    await dead.sending(due, 1)
    assert await alive.due(["telegram"], utc_now()) == []  # being sent

    await asyncio.sleep(0.4)
    (again,) = await alive.due(["telegram"], utc_now())
    assert again.id == delivery_id and again.sent == 1  # resumes after what went out
    assert await alive.claim(again)
    with pytest.raises(ClaimLost):
        await dead.sending(due, 1)
    await dead.sent(due, Sent.SENT, 1, utc_now())  # fenced: no effect
    assert (await alive.get(delivery_id)).status == SENDING  # type: ignore[union-attr]
    await alive.sent(again, Sent.SENT, 1, utc_now())
    stored = await alive.get(delivery_id)
    assert stored is not None and (stored.status, stored.sent) == (SENT, 1)


async def test_each_users_deliveries_go_one_at_a_time_in_order(pg_engine: AsyncEngine) -> None:
    a, b = store(pg_engine, "a"), store(pg_engine, "b")
    first = await add(a, "u1", "first")
    second = await add(a, "u1", "second")
    other = await add(a, "u2", "other")
    assert [d.id for d in await a.due(["telegram"], utc_now())] == [first, other]
    (head, _) = await a.due(["telegram"], utc_now())
    assert await a.claim(head)
    assert [d.id for d in await b.due(["telegram"], utc_now())] == [other]  # u1's is being sent
    await a.sent(head, Sent.SENT, 1, utc_now())
    assert [d.id for d in await b.due(["telegram"], utc_now())] == [second, other]


async def test_a_starting_worker_releases_only_expired_claims(pg_engine: AsyncEngine) -> None:
    live, dead = store(pg_engine, "live"), store(pg_engine, "dead", claim_for=0.2)
    await add(live, "u1", "one")
    await add(live, "u2", "two")
    one, two = await live.due(["telegram"], utc_now())
    assert await live.claim(one) and await dead.claim(two)
    await asyncio.sleep(0.3)
    fresh = store(pg_engine, "fresh")
    assert await fresh.release_interrupted(utc_now()) == 1  # the dead worker's only
    assert (await fresh.get(one.id)).status == SENDING  # type: ignore[union-attr]
