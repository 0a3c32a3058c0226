"""The bot started for real (webhook or polling) against the fake Bot API, and Telegram users."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import html
import itertools
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.telegram.application import TelegramBot, build_bot
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.webhook import SECRET_HEADER, TELEGRAM_CHANNEL_KEY, WEBHOOK_PATH
from bot.database import open_engine, prepare_database, writer
from bot.dialogue.models import InboundEventRecord
from bot.messages import Button, CardReply, FileReply, Reply, TextReply
from bot.server import build_web_app
from bot.settings import Settings
from nlu.embedded import EmbeddedNlu
from registry.demo import seed_demo
from tests.telegram.fake_bot_api import BOT_TOKEN, BOT_USER, ApiCall, FakeBotApi

UPDATES = Path(__file__).parent / "updates"
WEBHOOK_SECRET = "s3cret-Token_for-tests"
# Guards against a hang; the tests never assert on time.
WAIT = 60

Json = dict[str, Any]


def load_update(name: str) -> Json:
    """A replayed update payload from tests/telegram/updates/ (a fresh copy)."""
    payload: Json = json.loads((UPDATES / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(payload)


_update_ids = itertools.count(500_000)


def next_update_id() -> int:
    """A fresh update_id (Telegram's are increasing integers)."""
    return next(_update_ids)


def as_user(payload: Json, user_id: int, language_code: str | None) -> Json:
    """The payload sent by another user: every ``from``/``user`` and private chat rewritten."""
    for value in payload.values():
        if not isinstance(value, dict):
            continue
        for key in ("from", "user"):
            if key in value:
                value[key]["id"] = user_id
                if language_code is None:
                    value[key].pop("language_code", None)
                else:
                    value[key]["language_code"] = language_code
        chat = value.get("chat") or value.get("message", {}).get("chat")
        if chat is not None and chat.get("type") == "private":
            chat["id"] = user_id
        inner = value.get("message")
        if isinstance(inner, dict) and inner.get("chat", {}).get("type") == "private":
            inner["chat"]["id"] = user_id
    return payload


@pytest.fixture(scope="session")
def nlu_cache_root(nlu_cache_dir: Path, nlu_engine: EmbeddedNlu) -> Path:
    """The session's CETS_CACHE_DIR, holding the trained NLU model, so each bot loads it fast."""
    del nlu_engine  # trained into nlu_cache_dir before any bot starts
    return nlu_cache_dir


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API, serving on loopback."""
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def ptb_bot(fake_api: FakeBotApi) -> AsyncIterator[TelegramBot]:
    """python-telegram-bot's Bot as the channel builds it, logged in to the fake."""
    bot = build_bot(
        TelegramConfig(
            bot_token=BOT_TOKEN,
            api_base_url=fake_api.base_url,
            api_base_file_url=fake_api.base_file_url,
        )
    )
    await bot.initialize()
    yield bot
    await bot.shutdown()


@pytest.fixture
def telegram_env(
    monkeypatch: pytest.MonkeyPatch, fake_api: FakeBotApi, nlu_cache_root: Path
) -> pytest.MonkeyPatch:
    """The environment of a bot talking to the fake Bot API (webhook variables unset)."""
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("TELEGRAM_API_BASE_FILE_URL", fake_api.base_file_url)
    monkeypatch.setenv("CETS_CACHE_DIR", str(nlu_cache_root))
    monkeypatch.setenv("TELEGRAM_POLL_TIMEOUT", "30")
    # Retries after a failure wait a few milliseconds here, not seconds.
    monkeypatch.setenv("CETS_INBOX_RETRY_SECONDS", "0.05")
    monkeypatch.setenv("CETS_DELIVERY_RETRY_SECONDS", "0.05")
    for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_MAX_DOWNLOAD_MB"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@dataclass
class RunningBot:
    """The bot's aiohttp server, started for real on a free loopback port."""

    app: web.Application
    runner: web.AppRunner
    url: str
    fake: FakeBotApi
    settings: Settings
    webhook: bool
    http: aiohttp.ClientSession = field(default_factory=aiohttp.ClientSession)
    stopped: bool = False

    async def post(self, body: Json, *, secret: str | None = WEBHOOK_SECRET) -> int:
        """POST an update to the webhook as Telegram would; the HTTP status."""
        headers = {} if secret is None else {SECRET_HEADER: secret}
        async with self.http.post(f"{self.url}{WEBHOOK_PATH}", json=body, headers=headers) as r:
            return r.status

    async def deliver(self, *bodies: Json) -> None:
        """Deliver updates the way this bot receives them (webhook POSTs or getUpdates)."""
        if self.webhook:
            for body in bodies:
                assert await self.post(body) == 200
        else:
            await self.fake.queue_updates(*bodies)
            async with asyncio.timeout(WAIT):
                await self.fake.wait_confirmed()

    async def idle(self) -> None:
        """Wait until every accepted update has been processed."""
        async with asyncio.timeout(WAIT):
            await self.app[TELEGRAM_CHANNEL_KEY].wait_idle()

    async def inbox(self) -> list[InboundEventRecord]:
        """The Telegram events stored in the durable inbox, oldest first."""
        engine = open_engine(self.settings.database_url)
        try:
            async with async_sessionmaker(engine)() as session:
                rows = await session.scalars(
                    select(InboundEventRecord)
                    .where(InboundEventRecord.channel == "telegram")
                    .order_by(InboundEventRecord.id)
                )
                return list(rows)
        finally:
            await engine.dispose()

    async def stop(self) -> None:
        """Stop the server (the channel stops with it)."""
        if self.stopped:
            return
        self.stopped = True
        await self.runner.cleanup()
        await self.http.close()


StartBot = Callable[..., Awaitable[RunningBot]]


@pytest.fixture
async def start_bot(
    telegram_env: pytest.MonkeyPatch, fake_api: FakeBotApi, settings: Settings
) -> AsyncIterator[StartBot]:
    """Start the bot for real; ``webhook=False`` for long polling. Stopped after the test."""
    started: list[RunningBot] = []

    async def start(*, webhook: bool = True, **env: str) -> RunningBot:
        if webhook:
            telegram_env.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/webhook")
            telegram_env.setenv("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET)
        for name, value in env.items():
            telegram_env.setenv(name, value)
        bot_settings = dataclasses.replace(settings, telegram_bot_token=BOT_TOKEN)
        app = build_web_app(bot_settings)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        bot = RunningBot(app, runner, f"http://{host}:{port}", fake_api, bot_settings, webhook)
        started.append(bot)
        return bot

    yield start
    for bot in reversed(started):
        await bot.stop()


async def seed_registry(settings: Settings) -> None:
    """The registry's documented demo shops (fixed certificate ids) in the bot's database."""
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    try:
        async with async_sessionmaker(writer(engine)).begin() as session:
            await seed_demo(session)
    finally:
        await engine.dispose()


@dataclass
class TelegramUser:
    """A person chatting with the bot in a private chat, through real update payloads."""

    bot: RunningBot
    user_id: int
    language_code: str | None
    seen: int = 0

    def payload(self, name: str) -> Json:
        """A replayed payload as sent by this user, with a fresh update_id."""
        body = as_user(load_update(name), self.user_id, self.language_code)
        body["update_id"] = next_update_id()
        return body

    def text(self, text: str) -> Json:
        """A text message (commands carry their bot_command entity, as Telegram sends them)."""
        body = self.payload("message_command" if text.startswith("/") else "message_text")
        body["message"]["text"] = text
        body["message"]["message_id"] = body["update_id"]
        if text.startswith("/"):
            body["message"]["entities"][0]["length"] = len(text.split()[0])
        return body

    def press(self, label: str) -> Json:
        """A callback query for the button labelled ``label`` among the latest messages."""
        for call in reversed(self.messages()):
            for button in call.buttons():
                if button["text"] == label and "callback_data" in button:
                    return self.callback(button["callback_data"], call)
        raise LookupError(f"no button {label!r} in {[c.buttons() for c in self.messages()]}")

    def callback(self, data: str, call: ApiCall) -> Json:
        """The callback query Telegram sends when a button of a sent message is pressed."""
        body = self.payload("callback_query")
        query = body["callback_query"]
        query["id"] = f"cq-{body['update_id']}"
        query["data"] = data
        query["message"] = {
            **call.result,
            "chat": {"id": self.user_id, "type": "private", "first_name": "Test"},
            "from": BOT_USER,
        }
        return body

    async def say(self, *bodies: Json) -> list[ApiCall]:
        """Send updates, wait until the bot has answered, and return the new messages."""
        await self.bot.deliver(*bodies)
        await self.bot.idle()
        return self.new_messages()

    def messages(self) -> list[ApiCall]:
        """Every message the bot sent to this user."""
        return self.bot.fake.sent_to(self.user_id)

    def new_messages(self) -> list[ApiCall]:
        """The messages sent since the last call."""
        messages = self.messages()
        fresh = messages[self.seen :]
        self.seen = len(messages)
        return fresh


_user_ids = itertools.count(700_000_001)


def new_user(bot: RunningBot, language_code: str | None = "en") -> TelegramUser:
    """A user who has not talked to the bot before."""
    return TelegramUser(bot, next(_user_ids), language_code)


def texts(calls: list[ApiCall]) -> list[str]:
    """The text of each sent message."""
    return [str(call.params.get("text", "")) for call in calls]


def labels(calls: list[ApiCall]) -> list[str]:
    """The labels of every button sent with these messages."""
    return [str(button["text"]) for call in calls for button in call.buttons()]


def as_replies(calls: list[ApiCall]) -> list[Reply]:
    """What the user saw, back as reply models: text (HTML unescaped) and callback buttons."""
    replies: list[Reply] = []
    for call in calls:
        buttons = tuple(
            Button(str(b["text"]), str(b.get("callback_data") or "switch-inline"))
            for b in call.buttons()
        )
        text = html.unescape(re.sub(r"</?b>", "", str(call.params.get("text", ""))))
        replies.append(TextReply(text, buttons))
    return replies


def assert_shows(calls: list[ApiCall], expected: list[Reply]) -> None:
    """The messages sent are exactly the core's replies, rendered for Telegram."""
    seen = as_replies(calls)
    wanted: list[Reply] = []
    for reply in expected:
        if isinstance(reply, FileReply):
            wanted.append(reply)
            continue
        buttons = tuple(
            Button(b.label, "switch-inline" if b.payload.startswith("share:") else b.payload)
            for b in reply.buttons
        )
        if isinstance(reply, CardReply):
            text = "\n".join(part for part in (reply.title, reply.subtitle, reply.url) if part)
        else:
            text = reply.text
        wanted.append(TextReply(text, buttons))
    assert seen == wanted
