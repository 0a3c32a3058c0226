"""The shared inbox on PostgreSQL: claims, one event in flight per user, order, takeover of a
dead worker's events, fencing of a worker that lost its lease, the heartbeat, wake-ups."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.channels.base import Channel, Purpose, SendProgress, SendResult, Sent
from bot.database import writer
from bot.dialogue.models import InboundEventRecord
from bot.inbox import EventAlreadyHandled, InboundEvent, LeaseLost, TurnCommit
from bot.messages import Reply, TextReply
from bot.retry import RetryPolicy, utc_now
from bot.workers.leased_inbox import NOTIFY_CHANNEL, LeasedInbox
from bot.workers.leased_worker import ClaimingInboxWorker
from bot.workers.wakeups import PgWakeups

pytestmark = pytest.mark.postgres

LEASE = timedelta(seconds=30)


def inbox(engine: AsyncEngine, owner: str, lease: timedelta = LEASE, **kw: Any) -> LeasedInbox:
    return LeasedInbox(engine, owner=owner, lease=lease, **kw)


async def accept(box: LeasedInbox, user: str, n: int, channel: str = "test") -> InboundEvent:
    event = await box.accept(channel, f"{user}-{n}", user, {"n": n})
    assert event is not None
    return event


async def stored(engine: AsyncEngine) -> list[InboundEventRecord]:
    async with async_sessionmaker(engine)() as session:
        return list(
            await session.scalars(select(InboundEventRecord).order_by(InboundEventRecord.id))
        )


async def commit_turn(engine: AsyncEngine, box: LeasedInbox, event: InboundEvent) -> None:
    """Commit a turn the way the core does: the commit hook inside a write transaction."""
    async with async_sessionmaker(writer(engine)).begin() as session:
        commit = TurnCommit(box, event)
        await session.run_sync(lambda sync: commit(sync, [TextReply(f"answer {event.body['n']}")]))


async def test_only_each_users_oldest_unfinished_event_is_claimed(pg_engine: AsyncEngine) -> None:
    a, b = inbox(pg_engine, "a"), inbox(pg_engine, "b")
    u1 = [await accept(a, "u1", n) for n in range(3)]
    u2 = [await accept(a, "u2", n) for n in range(2)]

    first = await a.claim(["test"], 10)
    assert [e.id for e in first] == [u1[0].id, u2[0].id]
    assert await b.claim(["test"], 10) == []  # both users have an event in flight

    await a.finish(first[0], sent=1)
    second = await b.claim(["test"], 10)
    assert [e.id for e in second] == [u1[1].id]  # u1's next, in order, by any worker
    assert second[0].lease_owner == "b"


async def test_two_workers_claiming_at_once_never_share_an_event(pg_engine: AsyncEngine) -> None:
    a, b = inbox(pg_engine, "a"), inbox(pg_engine, "b")
    for user in range(60):
        await accept(a, f"u{user}", 0)

    claimed: dict[str, list[int]] = {"a": [], "b": []}

    async def keep_claiming(box: LeasedInbox) -> None:
        while True:
            events = await box.claim(["test"], 7)
            if not events:
                return
            claimed[box.owner] += [e.id for e in events]

    await asyncio.gather(keep_claiming(a), keep_claiming(b))
    assert not set(claimed["a"]) & set(claimed["b"])
    assert len(claimed["a"]) + len(claimed["b"]) == 60
    assert {r.lease_owner for r in await stored(pg_engine)} <= {"a", "b"}


async def test_a_dead_workers_event_is_taken_over_and_the_old_holder_is_fenced(
    pg_engine: AsyncEngine,
) -> None:
    dead = inbox(pg_engine, "dead", lease=timedelta(milliseconds=300))
    alive = inbox(pg_engine, "alive")
    event = await accept(dead, "u1", 0)
    (held,) = await dead.claim(["test"], 1)
    assert await alive.claim(["test"], 1) == []  # still leased

    await asyncio.sleep(0.4)  # its worker stopped renewing: the lease ran out
    (taken,) = await alive.claim(["test"], 1)
    assert taken.id == event.id and alive.taken_over == 1

    # The former holder, alive after all, can neither commit the turn nor send nor finish.
    with pytest.raises(EventAlreadyHandled):
        await commit_turn(pg_engine, dead, held)
    await commit_turn(pg_engine, alive, taken)
    with pytest.raises(LeaseLost):
        await dead.sending(held, 1)
    await dead.finish(held, sent=1)
    (record,) = await stored(pg_engine)
    assert (record.status, record.lease_owner, record.sent) == ("replying", "alive", 0)
    await alive.sending(taken, 1)
    await alive.finish(taken, sent=1)
    (record,) = await stored(pg_engine)
    assert (record.status, record.sent, record.lease_until) == ("done", 1, None)


async def test_a_failed_attempt_gives_the_lease_back_until_its_retry_is_due(
    pg_engine: AsyncEngine,
) -> None:
    a, b = inbox(pg_engine, "a"), inbox(pg_engine, "b")
    first = await accept(a, "u1", 0)
    await accept(a, "u1", 1)
    (held,) = await a.claim(["test"], 5)
    await a.fail(held, "registry down", sent=0, retry_at=utc_now() + timedelta(seconds=0.4))

    assert await b.claim(["test"], 5) == []  # not due yet, and it holds back u1's next
    await asyncio.sleep(0.5)
    (again,) = await b.claim(["test"], 5)
    assert again.id == first.id and again.attempts == 1


async def test_a_stopping_worker_gives_its_leases_back(pg_engine: AsyncEngine) -> None:
    a, b = inbox(pg_engine, "a"), inbox(pg_engine, "b")
    await accept(a, "u1", 0)
    await accept(a, "u2", 0, channel="other")
    await a.claim(["test", "other"], 5)
    assert await a.release_all("test") == 1
    assert [e.user_id for e in await b.claim(["test", "other"], 5)] == ["u1"]


async def test_the_heartbeat_renews_while_the_loop_ticks_and_stops_when_it_stalls(
    pg_engine: AsyncEngine,
) -> None:
    a = inbox(pg_engine, "a", lease=timedelta(milliseconds=600))
    b = inbox(pg_engine, "b")
    await accept(a, "u1", 0)
    await a.claim(["test"], 1)
    a.heartbeat.max_stall = 1.0
    a.heartbeat.start()
    try:
        for _ in range(8):  # 1.6 s, well past the 0.6 s lease
            a.heartbeat.tick()
            await asyncio.sleep(0.2)
            assert await b.claim(["test"], 1) == []
        await asyncio.sleep(2.0)  # no tick for longer than max_stall: leases run out
        assert [e.user_id for e in await b.claim(["test"], 1)] == ["u1"]
    finally:
        await a.close()
    assert a.heartbeat.renewals >= 3


async def test_a_stored_event_wakes_the_other_workers(
    pg_engine: AsyncEngine, unit_database_url: str
) -> None:
    wakeups = PgWakeups(unit_database_url, NOTIFY_CHANNEL)
    heard: list[str] = []
    woken = asyncio.Event()

    def listener(payload: str) -> None:
        if payload:
            heard.append(payload)
            woken.set()

    wakeups.subscribe(listener)
    wakeups.start()
    try:
        async with asyncio.timeout(30):
            await wakeups.connected.wait()
        await accept(inbox(pg_engine, "a", notify=True), "u1", 0, channel="telegram")
        async with asyncio.timeout(30):
            await woken.wait()
    finally:
        await wakeups.stop()
    assert heard == ["telegram"]


class RecordingChannel(Channel):
    """Answers each event with two messages and records what it sent, and by which worker."""

    name: ClassVar[str] = "test"

    def __init__(
        self,
        engine: AsyncEngine,
        worker: str,
        sent: list[tuple[str, str, str]],
        changed: asyncio.Event,
    ) -> None:
        self._sessions = async_sessionmaker(writer(engine))
        self.worker = worker
        self.sent = sent
        self.changed = changed

    async def start(self) -> None:
        """Nothing to connect to."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def accept(self, body: Any) -> int:
        raise NotImplementedError

    async def handle_event(self, event: InboundEvent, commit: TurnCommit) -> list[Reply]:
        await asyncio.sleep(0.005)  # the turn takes a moment: the other worker gets a chance
        replies: list[Reply] = [
            TextReply(f"{event.body['n']}a"),
            TextReply(f"{event.body['n']}b"),
        ]
        async with self._sessions.begin() as session:
            await session.run_sync(lambda sync: commit(sync, replies))
        return replies

    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        purpose: Purpose = Purpose.REPLY,
        progress: SendProgress | None = None,
    ) -> SendResult:
        for number in range(skip, len(replies)):
            if progress is not None:
                await progress(number + 1)
            reply = replies[number]
            assert isinstance(reply, TextReply)
            self.sent.append((user_id, reply.text, self.worker))
            self.changed.set()
        return SendResult(Sent.SENT, len(replies))

    async def wait_idle(self) -> None:
        """Not used."""


async def test_two_claiming_workers_answer_each_users_events_once_and_in_order(
    pg_engine: AsyncEngine,
) -> None:
    sent: list[tuple[str, str, str]] = []
    changed = asyncio.Event()
    boxes = [inbox(pg_engine, name) for name in ("a", "b")]
    workers = [
        ClaimingInboxWorker(
            box,
            RecordingChannel(pg_engine, box.owner, sent, changed),
            policy=RetryPolicy(attempts=3, base_seconds=0.01),
            concurrency=4,
            poll_seconds=0.05,
        )
        for box in boxes
    ]
    for worker in workers:
        await worker.start()
    try:
        for n in range(10):
            for user in range(8):
                # Accepted by one worker's webhook; either worker may process it.
                event = await accept(boxes[user % 2], f"u{user}", n)
                workers[user % 2].submit(event)
        async with asyncio.timeout(60):
            while len(sent) < 8 * 10 * 2:
                changed.clear()
                await changed.wait()
            for worker in workers:
                await worker.wait_idle()
    finally:
        for worker in workers:
            await worker.stop()
        for box in boxes:
            await box.close()
    for user in range(8):
        texts = [text for who, text, _ in sent if who == f"u{user}"]
        assert texts == [f"{n}{part}" for n in range(10) for part in "ab"]
    assert {worker for _, _, worker in sent} == {"a", "b"}
    assert {r.status for r in await stored(pg_engine)} == {"done"}
