"""Several real bot worker processes on PostgreSQL and Redis, the fake Bot API, Telegram users.

Used by the tests in this folder and by ``benchmarks/workers_bench.py``. Nothing is patched:
the workers are ``cets-bot run --workers N`` (or separate ``cets-bot run`` processes, as N
containers would be), configured only through their environment, talking to the test fake of
the Bot API over loopback HTTP and sharing one PostgreSQL database and one Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.database import open_engine, prepare_database
from bot.dialogue.models import InboundEventRecord
from tests.telegram.conftest import as_user, load_update, next_update_id
from tests.telegram.fake_bot_api import BOT_TOKEN, ApiCall, FakeBotApi

REPO = Path(__file__).resolve().parents[2]
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_SECRET = "workers-Test_secret"
Json = dict[str, Any]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def fresh_database(server_url: str, name: str) -> str:
    """An empty database ``name`` on the test server (created if needed), migrated; its URL.

    A database of its own, so wiping it never touches another suite's data.
    """
    target = await empty_database(server_url, name)
    await prepare_database(target)  # the release step, once
    return target


async def empty_database(server_url: str, name: str) -> str:
    """The database ``name`` on the test server, created if needed and emptied; its URL."""
    url = make_url(server_url)
    admin = open_engine(url.render_as_string(hide_password=False))
    try:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    target = url.set(database=name).render_as_string(hide_password=False)
    engine = open_engine(target)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
    return target


def worker_environment(
    *,
    fake: FakeBotApi,
    database_url: str,
    redis_url: str | None,
    port: int,
    data_dir: Path,
    cache_dir: Path,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a bot worker: webhook mode on the fake Bot API."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "MESSENGER_", "CETS_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        TELEGRAM_API_BASE_FILE_URL=fake.base_file_url,
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        CETS_DATABASE_URL=database_url,
        CETS_HTTP_HOST="127.0.0.1",
        CETS_HTTP_PORT=str(port),
        CETS_DATA_DIR=str(data_dir),
        CETS_CACHE_DIR=str(cache_dir),
        CETS_LOCALES_DIR=os.environ.get("CETS_LOCALES_DIR", str(REPO / "locales")),
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["CETS_REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


@dataclass
class WorkerProcesses:
    """Bot processes started for a test: one supervisor, or several single workers."""

    processes: list[subprocess.Popen[bytes]]
    ports: list[int]
    logs: list[Path]
    supervised: bool

    def urls(self) -> list[str]:
        """The webhook URLs to spread requests over."""
        return [f"http://127.0.0.1:{port}{WEBHOOK_PATH}" for port in self.ports]

    def worker_pids(self) -> list[int]:
        """The pids of the processes doing bot work (a supervisor's children)."""
        if not self.supervised:
            return [p.pid for p in self.processes if p.poll() is None]
        children = Path(f"/proc/{self.processes[0].pid}/task/{self.processes[0].pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def kill(self, pid: int) -> None:
        """SIGKILL one worker: no clean-up of any kind."""
        os.kill(pid, signal.SIGKILL)

    def output(self) -> str:
        """What the processes wrote (for failure messages)."""
        return "\n".join(log.read_text(errors="replace")[-6000:] for log in self.logs)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL whatever is still running after 20 s."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pid in self.worker_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def start_workers(
    env: dict[str, str], *, count: int, supervised: bool, log_dir: Path, verbose: bool = False
) -> WorkerProcesses:
    """``cets-bot run --workers N`` on one port, or N ``cets-bot run`` on ports of their own."""
    command = [sys.executable, "-m", "bot.cli", *(["-v"] if verbose else []), "run"]
    processes: list[subprocess.Popen[bytes]] = []
    ports: list[int] = []
    logs: list[Path] = []
    runs = [([*command, "--workers", str(count)], int(env["CETS_HTTP_PORT"]))]
    if not supervised:
        runs = [
            (command, int(env["CETS_HTTP_PORT"]) if i == 0 else free_port()) for i in range(count)
        ]
    for number, (argv, port) in enumerate(runs):
        log = log_dir / f"worker-{number}.log"
        handle = log.open("wb")
        process_env = dict(env, CETS_HTTP_PORT=str(port))
        if not supervised:
            process_env.setdefault("CETS_INBOX_CLAIMS", "on")
        processes.append(
            subprocess.Popen(
                argv, env=process_env, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT
            )
        )
        handle.close()
        ports.append(port)
        logs.append(log)
    return WorkerProcesses(processes, ports, logs, supervised)


async def wait_ready(workers: WorkerProcesses, fake: FakeBotApi, count: int, limit: float) -> None:
    """Until every worker has logged in (getMe) and one has registered the webhook."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for process in workers.processes:
            if process.poll() is not None:
                raise AssertionError(f"a bot process exited:\n{workers.output()}")
        ready = len(fake.of("getMe")) >= count and fake.of("setWebhook")
        if ready and await _answers(workers):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the workers did not start in {limit:.0f}s:\n{workers.output()}")


async def _answers(workers: WorkerProcesses) -> bool:
    async with aiohttp.ClientSession() as http:
        for port in workers.ports:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status != 200:
                        return False
            except aiohttp.ClientError:
                return False
    return True


@dataclass
class Sender:
    """Posts users' updates to the webhooks, each user's in order, as Telegram does.

    Telegram sends a user's next update once the previous one was answered with 200, and
    sends an update again when the answer was an error or the connection failed: so does
    this (same update_id), which is how a worker killed mid-request is survived.
    """

    urls: Sequence[str]
    http: aiohttp.ClientSession
    redeliveries: int = 0
    posted: int = 0

    async def post(self, body: Json, url_index: int) -> None:
        """Deliver one update until a worker answers 200."""
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        for attempt in range(200):
            url = self.urls[(url_index + attempt) % len(self.urls)]
            try:
                async with self.http.post(url, json=body, headers=headers) as response:
                    if response.status == 200:
                        self.posted += 1
                        return
            except (aiohttp.ClientError, OSError):
                pass
            self.redeliveries += 1
            await asyncio.sleep(0.05 * min(attempt + 1, 10))
        raise AssertionError("an update was never accepted")

    async def conversation(self, user_id: int, texts: Sequence[str], offset: int) -> None:
        """One user's messages, in order; spread over the URLs (the next URL each time)."""
        for number, message in enumerate(texts):
            await self.post(text_update(user_id, message), offset + number)


def text_update(user_id: int, message: str) -> Json:
    """A private-chat text message from ``user_id`` (commands carry their entity)."""
    body = as_user(
        load_update("message_command" if message.startswith("/") else "message_text"),
        user_id,
        "en",
    )
    body["update_id"] = next_update_id()
    body["message"]["text"] = message
    body["message"]["message_id"] = body["update_id"]
    if message.startswith("/"):
        body["message"]["entities"][0]["length"] = len(message.split()[0])
    return body


@dataclass
class Inbox:
    """Reads the shared inbox the workers use."""

    engine: AsyncEngine
    sessions: Any = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = async_sessionmaker(self.engine)

    async def events(self) -> list[InboundEventRecord]:
        """Every Telegram event, oldest first."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(InboundEventRecord)
                .where(InboundEventRecord.channel == "telegram")
                .order_by(InboundEventRecord.id)
            )
            return list(rows)

    async def wait_done(self, count: int, limit: float) -> list[InboundEventRecord]:
        """Until ``count`` events are stored and none is unfinished; the events."""
        deadline = time.monotonic() + limit
        events: list[InboundEventRecord] = []
        while time.monotonic() < deadline:
            events = await self.events()
            if len(events) >= count and all(e.status in ("done", "failed") for e in events):
                return events
            await asyncio.sleep(0.2)
        unfinished = [
            (e.id, e.user_id, e.status, e.lease_owner)
            for e in events
            if e.status not in ("done", "failed")
        ]
        raise AssertionError(
            f"{len(events)} events stored, unfinished after {limit:.0f}s: {unfinished[:10]}"
        )

    async def lease_epoch(self, name: str) -> int:
        """How many times the named lease was taken by a new holder."""
        async with self.sessions() as session:
            epoch = await session.scalar(
                text("SELECT epoch FROM leases WHERE name = :name"), {"name": name}
            )
            return int(epoch or 0)

    async def in_doubt(self, pid: int, fake: FakeBotApi) -> Doubt:
        """The events this pid holds, and for each of their users how many messages the inbox
        records as gone out and how many the fake received."""
        events = await self.events()
        held = [e for e in events if _held_by(e, pid)]
        counts = {}
        for user in {int(e.user_id) for e in held}:
            recorded = sum(e.sent or 0 for e in events if e.user_id == str(user))
            counts[user] = (recorded, len(fake.sent_to(user)))
        return Doubt(held, counts)

    async def leased_by(self, pid: int) -> list[InboundEventRecord]:
        """Unfinished events whose lease a process of this pid holds now."""
        return [e for e in await self.events() if _held_by(e, pid)]


def _held_by(event: InboundEventRecord, pid: int) -> bool:
    return (
        event.status in ("pending", "replying")
        and event.lease_until is not None
        and (event.lease_owner or "").split(":")[1:2] == [str(pid)]
    )


@dataclass(frozen=True)
class Doubt:
    """A frozen worker's events and, per user of theirs, (recorded as sent, received)."""

    held: list[InboundEventRecord]
    counts: dict[int, tuple[int, int]]

    @property
    def users_in_doubt(self) -> set[int]:
        """Users with a message recorded as going out that the platform did not receive."""
        return {user for user, (recorded, received) in self.counts.items() if recorded != received}

    def same_as(self, other: Doubt) -> bool:
        """The same events held and the same counts (nothing was still on its way)."""
        return [e.id for e in self.held] == [e.id for e in other.held] and (
            self.counts == other.counts
        )


async def stop_and_look(
    pid: int, inbox: Inbox, fake: FakeBotApi, *, want_doubt: bool, tries: int = 400
) -> tuple[Doubt, int, int]:
    """Freeze a worker (SIGSTOP) at a moment it holds events and has (``want_doubt``) or has
    not a message in doubt, and leave it frozen; the state then, how many looks it took and in
    how many of them a message was in doubt.

    A message is in doubt from the moment the worker records it as going out until its request
    has left the process; a process killed in between loses that message (and never sends a
    message twice). Each look waits until nothing the frozen worker had already written to the
    database or the platform is still on its way (three equal snapshots over 0.7 s).
    """
    doubtful_looks = 0
    for look in range(1, tries + 1):
        os.kill(pid, signal.SIGSTOP)
        snapshots = []
        for pause in (0.1, 0.3, 0.3):
            await asyncio.sleep(pause)
            snapshots.append(await inbox.in_doubt(pid, fake))
        last = snapshots[-1]
        if last.held and all(last.same_as(other) for other in snapshots):
            doubtful_looks += bool(last.users_in_doubt)
            if bool(last.users_in_doubt) == want_doubt:
                return last, look, doubtful_looks
        os.kill(pid, signal.SIGCONT)
        # Long enough for its lease heartbeat to run: the looks should not cost it its leases.
        await asyncio.sleep(0.4 + 0.05 * (look % 5))
    raise AssertionError(f"no moment with want_doubt={want_doubt} in {tries} looks")


def sent_texts(fake: FakeBotApi, user_id: int) -> list[ApiCall]:
    """The messages the fake received for one chat, in order."""
    return fake.sent_to(user_id)
