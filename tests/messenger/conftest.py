"""Fixtures: the fake Graph API, and the real bot started on loopback pointing at it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.messenger.attachments import ATTACHMENT_POLICY_KEY, AttachmentPolicy
from bot.database import open_engine, writer
from bot.server import build_web_app
from bot.settings import Settings
from registry.demo import seed_demo
from tests.messenger.fake_graph_api import PAGE_TOKEN, FakeGraphApi
from tests.messenger.harness import APP_SECRET, VERIFY_TOKEN, MessengerBot

StartBot = Callable[..., Awaitable[MessengerBot]]


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    """The fake Graph API on a loopback port."""
    fake = FakeGraphApi()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def messenger_env(monkeypatch: pytest.MonkeyPatch, graph: FakeGraphApi) -> pytest.MonkeyPatch:
    """The MESSENGER_* variables of a test deployment pointing at the fake Graph API."""
    monkeypatch.setenv("MESSENGER_PAGE_ACCESS_TOKEN", PAGE_TOKEN)
    monkeypatch.setenv("MESSENGER_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("MESSENGER_VERIFY_TOKEN", VERIFY_TOKEN)
    monkeypatch.setenv("MESSENGER_GRAPH_API_URL", graph.url)
    monkeypatch.setenv("MESSENGER_RETRY_BASE_SECONDS", "0.01")
    monkeypatch.setenv("CETS_INBOX_RETRY_SECONDS", "0.01")
    monkeypatch.setenv("CETS_DELIVERY_RETRY_SECONDS", "0.01")
    for name in ("MESSENGER_UTILITY_TEMPLATE", "MESSENGER_HUMAN_AGENT_TAG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("MESSENGER_USE_PROFILE_LOCALE", raising=False)
    monkeypatch.delenv("MESSENGER_MAX_ATTACHMENT_BYTES", raising=False)
    return monkeypatch


@pytest.fixture
async def start_bot(
    settings: Settings, graph: FakeGraphApi, messenger_env: pytest.MonkeyPatch
) -> AsyncIterator[StartBot]:
    """Start the real bot (build_web_app) on loopback; extra MESSENGER_* variables allowed."""
    bots: list[MessengerBot] = []
    session = aiohttp.ClientSession()

    async def start(**env: str) -> MessengerBot:
        for name, value in env.items():
            messenger_env.setenv(name, value)
        bot_settings = dataclasses.replace(settings, messenger_page_access_token=PAGE_TOKEN)
        app = build_web_app(bot_settings)
        # The fake CDN is on loopback over http: let exactly its origin through.
        app[ATTACHMENT_POLICY_KEY] = AttachmentPolicy(test_origins=frozenset({graph.origin}))
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        started = MessengerBot(app, f"http://{host}:{port}", graph, session, runner)
        bots.append(started)
        return started

    yield start
    for started in reversed(bots):
        await started.stop()
    await session.close()


@pytest.fixture
async def bot(start_bot: StartBot) -> MessengerBot:
    """The bot with the default test configuration."""
    return await start_bot()


async def seed_registry(settings: Settings) -> None:
    """The registry's documented demo shops (fixed certificate ids) in the bot's database."""
    engine = open_engine(settings.database_url)
    try:
        async with async_sessionmaker(writer(engine)).begin() as session:
            await seed_demo(session)
    finally:
        await engine.dispose()
