"""The durable inbox: duplicates dropped, per-user order, nothing lost across a restart, a turn
committed once and its stored replies re-sent from where sending stopped, a failing event
never holding up the user's later ones."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.channels.base import Channel, Purpose, SendFailed, SendResult, Sent
from bot.database import Transactions, open_engine, prepare_database
from bot.delivery import Deliveries, DeliveryStore
from bot.dialogue.models import DeliveryRecord, InboundEventRecord
from bot.inbox import MAX_ATTEMPTS, InboundEvent, Inbox, InboxWorker, TurnCommit
from bot.messages import Reply, TextReply
from bot.retry import RetryPolicy
from bot.settings import Settings

FAST = RetryPolicy(attempts=MAX_ATTEMPTS, base_seconds=0.01, max_seconds=0.05)


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A migrated database for the inbox."""
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    yield engine
    await engine.dispose()


Turn = Callable[[InboundEvent], Awaitable[list[Reply] | None]]


class ScriptedChannel(Channel):
    """A channel whose turns and sends are scripted by the test; it records what it did.

    A turn is committed the way the core commits one: the event's commit hook run in a write
    transaction (the one that would save the dialogue state).
    """

    name: ClassVar[str] = "test"

    def __init__(self, engine: AsyncEngine, turn: Turn) -> None:
        self._tx = Transactions(engine)
        self._turn = turn
        self.turns: list[int] = []
        self.sent: list[tuple[str, str]] = []
        # A reply's text -> the failures its send meets first, in order.
        self.failures: dict[str, list[SendFailed]] = {}

    async def start(self) -> None:
        """Nothing to connect to."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def accept(self, body: Any) -> int:
        """Not used: the tests store events themselves."""
        raise NotImplementedError

    async def handle_event(self, event: InboundEvent, commit: TurnCommit) -> list[Reply] | None:
        self.turns.append(event.body["n"])
        replies = await self._turn(event)
        if replies is not None:
            await self._tx.write(lambda session: commit(session, replies))
        return replies

    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        purpose: Purpose = Purpose.REPLY,
    ) -> SendResult:
        for number in range(skip, len(replies)):
            reply = replies[number]
            assert isinstance(reply, TextReply)
            waiting = self.failures.get(reply.text)
            if waiting:
                failure = waiting.pop(0)
                raise SendFailed(
                    failure.reason,
                    sent=number,
                    retryable=failure.retryable,
                    reachable=failure.reachable,
                )
            self.sent.append((user_id, reply.text))
        return SendResult(Sent.SENT, len(replies))

    async def wait_idle(self) -> None:
        """Not used."""


async def answer(event: InboundEvent) -> list[Reply]:
    return [TextReply(f"{event.user_id}-{event.body['n']}")]


async def stored(engine: AsyncEngine) -> list[InboundEventRecord]:
    async with async_sessionmaker(engine)() as session:
        return list(
            await session.scalars(select(InboundEventRecord).order_by(InboundEventRecord.id))
        )


async def test_a_redelivered_event_is_accepted_once(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    first = await inbox.accept("telegram", "1001", "u1", {"text": "hi"})
    again = await inbox.accept("telegram", "1001", "u1", {"text": "hi"})
    other_channel = await inbox.accept("messenger", "1001", "u1", {"text": "hi"})
    assert first is not None and again is None and other_channel is not None


async def test_events_are_processed_in_order_per_user(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)

    async def slow_then_fast(event: InboundEvent) -> list[Reply]:
        # Later events of a user finish faster; order must still hold.
        await asyncio.sleep(0.01 * (5 - event.body["n"] % 5))
        return await answer(event)

    channel = ScriptedChannel(engine, slow_then_fast)
    worker = InboxWorker(inbox, channel, policy=FAST)
    for n in range(10):
        for user in ("a", "b"):
            event = await inbox.accept("test", f"{user}-{n}", user, {"n": n})
            assert event is not None
            worker.submit(event)
    await worker.wait_idle()
    for user in ("a", "b"):
        assert [text for u, text in channel.sent if u == user] == [f"{user}-{n}" for n in range(10)]
    assert await inbox.unfinished("test") == []
    assert {row.status for row in await stored(engine)} == {"done"}


async def test_unfinished_events_survive_a_restart(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    started = asyncio.Event()

    async def stuck(event: InboundEvent) -> list[Reply]:
        started.set()
        await asyncio.Event().wait()  # the process "dies" while handling this event
        raise AssertionError("unreachable")

    worker = InboxWorker(inbox, ScriptedChannel(engine, stuck), policy=FAST)
    for n in range(3):
        event = await inbox.accept("test", f"m{n}", "psid", {"n": n})
        assert event is not None
        worker.submit(event)
    await started.wait()
    await worker.stop()

    restarted = ScriptedChannel(engine, answer)
    again = InboxWorker(Inbox(engine), restarted, policy=FAST)
    await again.start()
    await again.wait_idle()
    assert restarted.turns == [0, 1, 2]
    assert [text for _user, text in restarted.sent] == ["psid-0", "psid-1", "psid-2"]


async def test_a_failed_send_resends_the_stored_replies_from_where_it_stopped(
    engine: AsyncEngine,
) -> None:
    inbox = Inbox(engine)

    async def three_replies(event: InboundEvent) -> list[Reply]:
        return [TextReply("one"), TextReply("two"), TextReply("three")]

    channel = ScriptedChannel(engine, three_replies)
    # "two" fails twice (the platform is down for a moment), then everything goes.
    outage = SendFailed("Bad Gateway", sent=0, retryable=True)
    channel.failures = {"two": [outage, outage]}
    worker = InboxWorker(inbox, channel, policy=FAST)
    event = await inbox.accept("test", "e1", "u", {"n": 1})
    assert event is not None
    worker.submit(event)
    await worker.wait_idle()

    assert channel.turns == [1]  # the turn ran once
    assert [text for _user, text in channel.sent] == ["one", "two", "three"]  # each once
    [row] = await stored(engine)
    assert row.status == "done" and row.sent == 3 and row.attempts == 3
    assert row.last_error == "Bad Gateway"


async def test_a_failing_event_is_retried_then_given_up_and_the_users_next_event_goes_on(
    engine: AsyncEngine,
) -> None:
    inbox = Inbox(engine)
    deliveries = Deliveries(DeliveryStore(engine), locale_of=lambda _c, _u: _no_locale())

    async def broken_first(event: InboundEvent) -> list[Reply]:
        if event.body["n"] == 0:
            raise RuntimeError("registry down")
        return await answer(event)

    channel = ScriptedChannel(engine, broken_first)
    worker = InboxWorker(inbox, channel, policy=FAST, on_failure=deliveries.apologise)
    for n in range(3):
        event = await inbox.accept("test", f"e{n}", "u", {"n": n})
        assert event is not None
        worker.submit(event)
    await worker.wait_idle()

    assert channel.turns == [0] * MAX_ATTEMPTS + [1, 2]
    assert [text for _user, text in channel.sent] == ["u-1", "u-2"]
    failed, *done = await stored(engine)
    assert failed.status == "failed" and failed.attempts == MAX_ATTEMPTS
    assert failed.last_error == "RuntimeError: registry down"
    assert [row.status for row in done] == ["done", "done"]
    # The user is told, once, when the platform can be reached (the deliveries' job).
    async with async_sessionmaker(engine)() as session:
        [apology] = list(await session.scalars(select(DeliveryRecord)))
    assert (apology.channel, apology.user_id, apology.status) == ("test", "u", "queued")
    assert apology.dedupe_key == f"apology:test:{failed.id}"
    assert "technical problem" in apology.replies[0]["text"]


async def _no_locale() -> str | None:
    return "en"


async def test_an_unreachable_user_ends_the_event_without_retries(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    channel = ScriptedChannel(engine, answer)
    blocked = SendFailed("Forbidden: bot was blocked", sent=0, retryable=False, reachable=False)
    channel.failures = {"u-1": [blocked]}
    worker = InboxWorker(inbox, channel, policy=FAST)
    event = await inbox.accept("test", "e1", "u", {"n": 1})
    assert event is not None
    worker.submit(event)
    await worker.wait_idle()
    [row] = await stored(engine)
    assert row.status == "done" and row.attempts == 1 and row.sent == 0
    assert row.last_error == "Forbidden: bot was blocked"
    assert channel.turns == [1] and channel.sent == []


async def test_a_turn_cannot_be_committed_twice(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    event = await inbox.accept("test", "e1", "u", {"n": 1})
    assert event is not None
    await inbox.store_replies(event, [TextReply("first")])
    # A second worker that ran the same turn cannot store its outcome over the first.
    with pytest.raises(RuntimeError, match="handled already"):
        await inbox.store_replies(event, [TextReply("second")])
    [row] = await stored(engine)
    assert row.status == "replying" and row.replies == [
        {"$type": "TextReply", "text": "first", "buttons": []}
    ]


async def test_retries_back_off_doubling_the_wait(engine: AsyncEngine) -> None:
    inbox = Inbox(engine)
    attempts: list[float] = []

    class TimedChannel(ScriptedChannel):
        async def send(
            self,
            user_id: str,
            replies: Sequence[Reply],
            *,
            skip: int = 0,
            purpose: Purpose = Purpose.REPLY,
            progress: Callable[[int], Awaitable[None]] | None = None,
        ) -> SendResult:
            del progress
            attempts.append(time.monotonic())
            return await super().send(user_id, replies, skip=skip, purpose=purpose)

    channel = TimedChannel(engine, answer)
    outage = SendFailed("Bad Gateway", sent=0, retryable=True)
    channel.failures = {"u-1": [outage, outage]}
    worker = InboxWorker(inbox, channel, policy=RetryPolicy(attempts=3, base_seconds=0.2))
    event = await inbox.accept("test", "e1", "u", {"n": 1})
    assert event is not None
    worker.submit(event)
    await worker.wait_idle()

    assert channel.turns == [1] and channel.sent == [("u", "u-1")]
    first, second, third = attempts
    assert second - first >= 0.2  # the first wait
    assert third - second >= 0.4  # doubled
    [row] = await stored(engine)
    assert (row.status, row.attempts, row.next_attempt_at) == ("done", 3, None)
