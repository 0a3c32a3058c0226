"""Benchmark: a burst of messages through the Telegram webhook, against the fake Bot API.

    PYTHONPATH=. .venv/bin/python benchmarks/telegram_burst.py [--users 100] [--messages 20]
        [--rate-limit 30] [--database-url ...] [--profile out.pstats]

Each user posts their messages one after the other (as Telegram delivers one chat's updates),
all users at once. Measured: the time from the first POST until every update is answered,
messages per second, the bot process's CPU time per message, peak RSS, and what went wrong
(failed or retried events, WARNING/ERROR log lines). ``--rate-limit`` is the bot's send limit
in messages per second (Telegram's is about 30; 0 means no limit, as the fake has none).
The fake Bot API runs in the same process, so the CPU figure includes it and the client.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.telegram.webhook import SECRET_HEADER, TELEGRAM_CHANNEL_KEY, WEBHOOK_PATH
from bot.database import open_engine
from bot.dialogue.models import InboundEventRecord
from bot.server import build_web_app
from bot.settings import Settings
from tests.telegram.fake_bot_api import BOT_TOKEN, FakeBotApi

SECRET = "benchmark-secret"
MESSAGES = (
    "hello",
    "what is the trustmark?",
    "how much does it cost?",
    "fee for an individual",
    "ថ្លៃសេវាសម្រាប់ក្រុមហ៊ុន",
    "fee for a sole proprietorship",
    "tlai sevea ponman?",
    "which documents do I need?",
    "តើលក្ខណៈវិនិច្ឆ័យមានអ្វីខ្លះ?",
    "am I eligible?",
    "cancel",
    "thanks",
    "goodbye",
    "/help",
    "menu",
    "how do I renew?",
    "I want to complain about a shop",
    "talk to an officer",
    "how do I apply?",
    "check a shop",
)


class Problems(logging.Handler):
    """Counts WARNING and ERROR records (what a run must not produce)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines[f"{record.levelname} {record.name}: {record.getMessage()[:120]}"] += 1


def update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    message: dict[str, object] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Bench"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Bench", "language_code": "en"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


async def run(args: argparse.Namespace) -> int:
    fake = FakeBotApi()
    await fake.start()
    data_dir = Path(tempfile.mkdtemp(prefix="cets-burst-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{data_dir / 'cets.sqlite3'}"
    os.environ.update(
        TELEGRAM_API_BASE_URL=fake.base_url,
        TELEGRAM_API_BASE_FILE_URL=fake.base_file_url,
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_MAX_SENDS_PER_SECOND=str(args.rate_limit or 1_000_000),
    )
    settings = Settings(data_dir=data_dir, database_url=database_url, telegram_bot_token=BOT_TOKEN)
    problems = Problems()
    logging.getLogger().addHandler(problems)
    app = build_web_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}{WEBHOOK_PATH}"
    channel = app[TELEGRAM_CHANNEL_KEY]
    users = [800_000_000 + n for n in range(args.users)]
    messages = [MESSAGES[n % len(MESSAGES)] for n in range(args.messages)]
    counter = iter(range(1, 10**9))
    statuses: Counter[int] = Counter()

    async def user_posts(session: aiohttp.ClientSession, user_id: int) -> None:
        for text in messages:
            body = update(next(counter), user_id, text)
            async with session.post(url, json=body, headers={SECRET_HEADER: SECRET}) as reply:
                statuses[reply.status] += 1

    profiler = cProfile.Profile() if args.profile else None
    cpu_before = time.process_time()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(user_posts(session, user_id) for user_id in users))
    accepted = time.perf_counter() - started
    await channel.wait_idle()
    elapsed = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    cpu = time.process_time() - cpu_before
    total = len(users) * len(messages)

    engine = open_engine(database_url)
    async with async_sessionmaker(engine)() as db:
        events = list(await db.scalars(select(InboundEventRecord)))
    await engine.dispose()
    sent = [c for c in fake.calls if c.method == "sendMessage" and not c.rejected]
    typing = [c for c in fake.calls if c.method == "sendChatAction"]
    await runner.cleanup()
    await fake.stop()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{total} messages from {len(users)} users, rate limit {args.rate_limit or 'off'}")
    print(f"  all accepted (200) after {accepted:.1f} s; all answered after {elapsed:.1f} s")
    print(f"  {total / elapsed:.1f} msg/s; {cpu * 1000 / total:.2f} ms CPU per message")
    print(f"  peak RSS {peak_mb:.0f} MB (bot, fake Bot API and client in one process)")
    print(f"  HTTP statuses {dict(statuses)}; {len(sent)} messages sent, {len(typing)} typing")
    print(f"  events by status {dict(Counter(e.status for e in events))}")
    print(f"  events with more than one attempt: {sum(e.attempts > 1 for e in events)}")
    for line, count in problems.lines.most_common(10):
        print(f"  {count} x {line}")
    ok = statuses == Counter({200: total}) and all(e.status == "done" for e in events)
    return 0 if ok and not problems.lines else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=20, help="per user")
    parser.add_argument("--rate-limit", type=float, default=0.0, help="sends per second; 0 = off")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", default=None, help="write cProfile stats here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
