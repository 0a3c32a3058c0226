"""Throughput of the bot with 1, 2, ... worker processes sharing PostgreSQL and Redis.

    eval "$(scripts/postgres-start.sh)"; eval "$(scripts/redis-start.sh)"
    .venv/bin/python benchmarks/workers_bench.py --workers 1 2 --users 40 --messages 20

For each worker count: a fresh database (``<test db>_bench``), ``cets-bot run --workers N``
behind one port with the Telegram channel on the test suite's fake Bot API (loopback), then
``users`` Telegram users at once, each sending ``messages`` messages in order (Telegram's own
sequencing: the next update once the previous was answered 200). Reported: events per second
from the first webhook call to the last reply, replies per second, and whether every user got
exactly the expected replies in order (computed by the same core in this process). The send
budget is shared through Redis at ``--rate`` messages a second (default: effectively off,
to measure the bot rather than Telegram's limit).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend_client import open_backend
from bot.channels.collecting import CollectingChannel
from bot.complaints import guard as complaint_guard
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.messages import Reply
from bot.settings import Settings
from kb import load_knowledge_base
from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu
from tests.telegram.conftest import assert_shows
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.test_order_and_duplicates import TWENTY_MESSAGES
from tests.workers.harness import (
    Inbox,
    Sender,
    free_port,
    fresh_database,
    start_workers,
    wait_ready,
    worker_environment,
)


async def reference_replies(messages: tuple[str, ...], folder: Path) -> list[Reply]:
    """What one user sees for the messages, from the same core in this process (SQLite)."""
    url = f"sqlite+aiosqlite:///{folder / 'reference.sqlite3'}"
    await prepare_database(url)
    engine = open_engine(url)
    backend = await open_backend(backend_url=None, database_url=url, bot_token=None)
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=EmbeddedNlu.load(),
        kb=load_knowledge_base(),
        settings=Settings(data_dir=folder, database_url=url),
        backend=backend,
        clarify_threshold=CLARIFY_THRESHOLD,
    )
    complaint_guard.install(core.services, engine)  # as the runtime does
    channel = CollectingChannel(core, user_id="reference")
    await core.set_language(channel.channel, "reference", "en")
    replies: list[Reply] = []
    for message in messages:
        replies += await channel.say(message)
    await backend.close()
    await engine.dispose()
    return replies


def every_reply_once_in_order(fake: FakeBotApi, users: range, expected: list[Reply]) -> bool:
    """True when every user saw exactly the expected replies, in order."""
    try:
        for user in users:
            assert_shows(fake.sent_to(user), expected)
    except AssertionError:
        return False
    return True


async def run_once(args: argparse.Namespace, workers_count: int, folder: Path) -> dict[str, object]:
    server = os.environ.get("CETS_TEST_POSTGRES_URL")
    redis_url = os.environ.get("CETS_TEST_REDIS_URL")
    if not server or not redis_url:
        raise SystemExit("run scripts/postgres-start.sh and scripts/redis-start.sh first")
    database = await fresh_database(server, f"{server.rsplit('/', 1)[1]}_bench")
    fake = FakeBotApi()
    await fake.start()
    run_dir = folder / f"w{workers_count}"
    run_dir.mkdir()
    env = worker_environment(
        fake=fake,
        database_url=database,
        redis_url=redis_url,
        port=free_port(),
        data_dir=run_dir,
        cache_dir=Path(os.environ.get("CETS_CACHE_DIR", folder / "nlu-cache")),
        extra={"TELEGRAM_MAX_SENDS_PER_SECOND": str(args.rate)},
    )
    if args.claims_off:
        env["CETS_INBOX_CLAIMS"] = "off"
    workers = start_workers(
        env,
        count=workers_count,
        supervised=not args.claims_off,
        log_dir=run_dir,
        verbose=args.verbose,
    )
    inbox = Inbox(open_engine(database))
    try:
        await wait_ready(workers, fake, count=workers_count, limit=120)
        messages = (TWENTY_MESSAGES * ((args.messages // len(TWENTY_MESSAGES)) + 1))[
            : args.messages
        ]
        first_user = 900_000_001
        started = time.monotonic()
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=2 * args.users)
        ) as http:
            sender = Sender(workers.urls(), http)
            await asyncio.gather(
                *(sender.conversation(first_user + n, messages, n) for n in range(args.users))
            )
        accepted = time.monotonic() - started
        await inbox.wait_done(args.users * len(messages), 600)
        elapsed = time.monotonic() - started
        replies = sum(len(fake.sent_to(first_user + n)) for n in range(args.users))
        expected = await reference_replies(messages, run_dir)
        users = range(first_user, first_user + args.users)
        in_order = every_reply_once_in_order(fake, users, expected)
        return {
            "workers": workers_count,
            "events": args.users * len(messages),
            "seconds": round(elapsed, 2),
            "accept_seconds": round(accepted, 2),
            "events_per_s": round(args.users * len(messages) / elapsed, 1),
            "replies_per_s": round(replies / elapsed, 1),
            "every_reply_once_in_order": in_order,
        }
    finally:
        workers.stop()
        await inbox.engine.dispose()
        await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--rate", type=float, default=10000.0, help="send budget, msg/s")
    parser.add_argument("-v", "--verbose", action="store_true", help="workers log at INFO")
    parser.add_argument(
        "--claims-off",
        action="store_true",
        help="one process with in-memory per-user queues (the single-process path), for comparison",
    )
    parser.add_argument("--keep", type=Path, help="keep the workers' logs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cets-workers-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("CETS_CACHE_DIR", str(folder / "nlu-cache"))
        EmbeddedNlu.load()  # train (or load) once, shared by every worker
        for count in args.workers:
            result = await run_once(args, count, folder)
            print(" ".join(f"{k}={v}" for k, v in result.items()), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
