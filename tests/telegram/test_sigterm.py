"""SIGTERM: the bot stops accepting, finishes the turn in flight, and exits within 10 s.

The bot runs as ``cets-bot run`` in its own process (webhook mode), against the fake Bot API
of this test; sending a reply is made slow so that a turn is in flight when the signal comes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.database import open_engine
from bot.dialogue.models import InboundEventRecord
from tests.telegram.conftest import WEBHOOK_SECRET, as_user, load_update, next_update_id
from tests.telegram.fake_bot_api import BOT_TOKEN, FakeBotApi

USER = 700_555_001


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def text_update(text: str) -> dict[str, object]:
    body = as_user(load_update("message_text"), USER, "en")
    body["update_id"] = next_update_id()
    message = body["message"]
    assert isinstance(message, dict)
    message["text"] = text
    message["message_id"] = body["update_id"]
    return body


async def post(port: int, body: dict[str, object]) -> int:
    connector = aiohttp.TCPConnector(force_close=True)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        http.post(
            f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
            json=body,
            headers={SECRET_HEADER: WEBHOOK_SECRET},
        ) as response,
    ):
        return response.status


async def wait_healthy(port: int, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if process.returncode is not None:
                raise AssertionError("the bot exited at start")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the bot did not start")


async def test_sigterm_finishes_the_turn_in_flight_and_exits_within_10_s(
    fake_api: FakeBotApi, nlu_cache_root: Path, tmp_path: Path
) -> None:
    port = free_port()
    database = tmp_path / "bot.sqlite3"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_BASE_URL": fake_api.base_url,
        "TELEGRAM_API_BASE_FILE_URL": fake_api.base_file_url,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CETS_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "CETS_DATA_DIR": str(tmp_path),
        "CETS_CACHE_DIR": str(nlu_cache_root),
        "CETS_HTTP_HOST": "127.0.0.1",
        "CETS_HTTP_PORT": str(port),
    }
    env.pop("MESSENGER_PAGE_ACCESS_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env
    )
    try:
        await wait_healthy(port, process)
        fake_api.delay("sendMessage", 2.0)  # the reply takes a while to send
        assert await post(port, text_update("hello")) == 200
        async with asyncio.timeout(30):
            # The reply reached the Bot API and is held there: the turn is in flight. (Not the
            # typing indicator: it is shown only when a turn is slow, and this one is fast.)
            await fake_api.wait_until(lambda: bool(fake_api.of("sendMessage")))
        assert await post(port, text_update("how much is the fee?")) == 200  # queued behind
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        await asyncio.sleep(0.5)
        with pytest.raises(aiohttp.ClientConnectionError):
            await post(port, text_update("anyone there?"))  # no longer accepting
        async with asyncio.timeout(15):
            returncode = await process.wait()
        took = time.monotonic() - signalled
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert returncode == 0
    assert took < 10, f"exited {took:.1f} s after SIGTERM"
    # The turn in flight finished: its reply was sent (all of its messages, no other), its
    # event is done.
    assert [c.params["text"] for c in fake_api.sent_to(USER)][:1] != []
    engine = open_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with async_sessionmaker(engine)() as session:
            events = list(
                await session.scalars(select(InboundEventRecord).order_by(InboundEventRecord.id))
            )
    finally:
        await engine.dispose()
    # The queued one had not started: it is kept for the next start.
    assert [e.status for e in events] == ["done", "pending"]
    assert len(fake_api.sent_to(USER)) == events[0].sent == len(events[0].replies or [])
