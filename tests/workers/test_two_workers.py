"""Two real worker processes on PostgreSQL and Redis behind the webhook: 20 users x 20
messages get every reply exactly once and in order; a worker killed with SIGKILL mid-run loses
and duplicates nothing (the survivor takes over its events when their leases run out); killed
inside the one window there is (a message recorded as going out, its request not yet written),
it loses that one message and the survivor repeats nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from bot.core import ConversationCore
from bot.database import open_engine
from bot.dialogue.models import InboundEventRecord
from bot.messages import CardReply, Reply, TextReply
from tests.conftest import open_chat
from tests.telegram.conftest import as_replies, assert_shows
from tests.telegram.fake_bot_api import ApiCall, FakeBotApi
from tests.telegram.test_order_and_duplicates import TWENTY_MESSAGES
from tests.workers.harness import (
    Doubt,
    Inbox,
    Sender,
    WorkerProcesses,
    free_port,
    start_workers,
    stop_and_look,
    wait_ready,
    worker_environment,
)

pytestmark = pytest.mark.postgres

USERS = 20
# Guards against a hang; the test asserts nothing about time.
LIMIT = 300.0
FIRST_USER = 800_000_001


async def expected_replies(core: ConversationCore) -> list[Reply]:
    """What one user sees for the twenty messages, from the same core in this process."""
    reference = await open_chat(core, "en", user_id="reference")
    expected: list[Reply] = []
    for message in TWENTY_MESSAGES:
        expected += await reference.say(message)
    return expected


async def launch(
    tmp_path: Path,
    fake: FakeBotApi,
    database_url: str,
    redis_url: str,
    nlu_cache_dir: Path,
    *,
    supervised: bool,
    lease_seconds: float = 5.0,
) -> WorkerProcesses:
    env = worker_environment(
        fake=fake,
        database_url=database_url,
        redis_url=redis_url,
        port=free_port(),
        data_dir=tmp_path / "data",
        cache_dir=nlu_cache_dir,
        extra={
            # Short leases where a worker is killed, so that its events are taken over
            # within seconds; else the default, so a starved machine never moves a lease.
            "CETS_INBOX_LEASE_SECONDS": str(lease_seconds),
            "CETS_LEADER_LEASE_SECONDS": str(lease_seconds),
            "CETS_INBOX_RETRY_SECONDS": "0.05",
            # The budget is still shared through Redis, at a rate that keeps the test short.
            "TELEGRAM_MAX_SENDS_PER_SECOND": "400",
        },
    )
    workers = start_workers(env, count=2, supervised=supervised, log_dir=tmp_path)
    try:
        await wait_ready(workers, fake, count=2, limit=LIMIT)
    except BaseException:
        workers.stop()
        raise
    return workers


async def converse(workers: WorkerProcesses, first_user: int) -> Sender:
    """20 users at once, each sending the twenty messages in order, spread over the URLs."""
    connector = aiohttp.TCPConnector(limit=2 * USERS, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as http:
        sender = Sender(workers.urls(), http)
        await asyncio.gather(
            *(sender.conversation(first_user + n, TWENTY_MESSAGES, offset=n) for n in range(USERS))
        )
    return sender


def _head(reply: Reply) -> str:
    """The first line of a reply: enough to tell the replies of the twenty messages apart."""
    if isinstance(reply, TextReply):
        return reply.text.split("\n")[0][:60]
    if isinstance(reply, CardReply):
        return reply.title[:60]
    return type(reply).__name__


def assert_each_reply_once_in_order(
    fake: FakeBotApi, first_user: int, expected: list[Reply]
) -> None:
    wanted = [_head(reply) for reply in expected]
    problems = []
    for n in range(USERS):
        seen = [_head(reply) for reply in as_replies(fake.sent_to(first_user + n))]
        if seen != wanted:
            at = next(
                (i for i, (a, b) in enumerate(zip(seen, wanted, strict=False)) if a != b), None
            )
            problems.append(
                f"user {n}: {len(seen)} messages, {len(wanted)} expected; first difference at "
                f"{at}: got {seen[at : at + 2] if at is not None else seen[len(wanted) :]}, "
                f"expected {wanted[at : at + 2] if at is not None else wanted[len(seen) :]}"
            )
    assert not problems, "\n".join(problems)
    for n in range(USERS):
        assert_shows(fake.sent_to(first_user + n), expected)


async def test_two_workers_answer_every_message_once_and_in_order(
    tmp_path: Path,
    fake_api: FakeBotApi,
    workers_database: str,
    redis_url: str,
    nlu_cache_dir: Path,
    core: ConversationCore,
) -> None:
    expected = await expected_replies(core)
    workers = await launch(
        tmp_path,
        fake_api,
        workers_database,
        redis_url,
        nlu_cache_dir,
        supervised=True,
        lease_seconds=15.0,
    )
    inbox = Inbox(open_engine(workers_database))
    try:
        async with asyncio.timeout(LIMIT):
            await converse(workers, FIRST_USER)
            events = await inbox.wait_done(USERS * len(TWENTY_MESSAGES), LIMIT)
        await asyncio.sleep(0.5)  # a late duplicate would arrive now
        assert_each_reply_once_in_order(fake_api, FIRST_USER, expected)
        assert len(events) == USERS * len(TWENTY_MESSAGES)
        assert {e.status for e in events} == {"done"}
        # Both workers processed events. The webhook was registered by the holder of the
        # leader lease, once per holding (once, unless the lease moved on a starved machine).
        assert len({e.lease_owner for e in events}) == 2
        assert len(fake_api.of("setWebhook")) == await inbox.lease_epoch("platform") >= 1
    finally:
        workers.stop()
        await inbox.engine.dispose()


async def _kill_mid_run(
    tmp_path: Path,
    fake: FakeBotApi,
    database: str,
    redis_url: str,
    nlu_cache_dir: Path,
    expected: list[Reply],
    *,
    in_doubt: bool,
) -> tuple[Doubt, list[InboundEventRecord], list[ApiCall]]:
    """Two separate worker processes (as two containers behind a load balancer would be); once
    a third of the replies are out, one worker holding events is frozen at a moment with (or
    without) a message in doubt and killed with SIGKILL. The state at the kill, the events at
    the end, every message sent."""
    workers = await launch(tmp_path, fake, database, redis_url, nlu_cache_dir, supervised=False)
    inbox = Inbox(open_engine(database))
    try:
        async with asyncio.timeout(LIMIT):
            conversations = asyncio.create_task(converse(workers, FIRST_USER))
            total = USERS * len(expected)
            await fake.wait_until(lambda: len(fake.of("sendMessage")) >= total // 3)
            victim = workers.worker_pids()[0]
            frozen, looks, doubtful = await stop_and_look(victim, inbox, fake, want_doubt=in_doubt)
            workers.kill(victim)
            print(f"killed after {looks} looks, {doubtful} of them with a message in doubt")
            await conversations
            events = await inbox.wait_done(USERS * len(TWENTY_MESSAGES), LIMIT)
        await asyncio.sleep(0.5)  # a late duplicate would arrive now
        # The events the dead worker held were finished by the other one.
        by_id = {e.id: e for e in events}
        dead = frozen.held[0].lease_owner
        assert {e.status for e in events} == {"done"}
        assert all(by_id[e.id].lease_owner not in (None, dead) for e in frozen.held)
        return frozen, events, list(fake.calls)
    finally:
        workers.stop()
        await inbox.engine.dispose()


async def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    tmp_path: Path,
    fake_api: FakeBotApi,
    workers_database: str,
    redis_url: str,
    nlu_cache_dir: Path,
    core: ConversationCore,
) -> None:
    expected = await expected_replies(core)
    frozen = await _kill_mid_run(
        tmp_path, fake_api, workers_database, redis_url, nlu_cache_dir, expected, in_doubt=False
    )
    doubt = frozen[0]
    # Killed mid-run: turns committed and replies half sent for some of its events.
    assert doubt.held and not doubt.users_in_doubt
    assert_each_reply_once_in_order(fake_api, FIRST_USER, expected)


async def test_a_worker_killed_with_a_message_in_doubt_loses_that_one_and_repeats_none(
    tmp_path: Path,
    fake_api: FakeBotApi,
    workers_database: str,
    redis_url: str,
    nlu_cache_dir: Path,
    core: ConversationCore,
) -> None:
    """The documented window (docs/workers.md): a message recorded as going out whose request
    had not left the process is not sent again by the worker that takes over."""
    expected = await expected_replies(core)
    doubt, _events, _calls = await _kill_mid_run(
        tmp_path, fake_api, workers_database, redis_url, nlu_cache_dir, expected, in_doubt=True
    )
    wanted = [_head(reply) for reply in expected]
    assert doubt.users_in_doubt
    for n in range(USERS):
        user = FIRST_USER + n
        seen = [_head(reply) for reply in as_replies(fake_api.sent_to(user))]
        if user in doubt.users_in_doubt:
            recorded, received = doubt.counts[user]
            assert recorded == received + 1  # one message at most is ever in doubt
            assert seen == wanted[:received] + wanted[received + 1 :]
        else:
            assert seen == wanted
