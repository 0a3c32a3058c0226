"""A Messenger user talks to an officer: the topic is in the officers' Telegram forum (fake Bot
API), the officer's words reach the user over the fake Graph API, and the bot says nothing
else meanwhile. Outside Messenger's 24 hours an officer's reply uses the HUMAN_AGENT tag only
when it is switched on; otherwise it waits for the user's next message."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.telegram.webhook import SECRET_HEADER, TELEGRAM_CHANNEL_KEY, WEBHOOK_PATH
from bot.dialogue.models import ConversationRecord, InboundEventRecord
from bot.server import build_web_app
from bot.settings import Settings
from registry.database import WRITE_OPTION
from tests.messenger.fake_graph_api import PAGE_TOKEN, FakeGraphApi
from tests.messenger.harness import MessengerBot
from tests.messenger.seen import assert_one_language, message_texts
from tests.telegram.fake_bot_api import BOT_TOKEN, FakeBotApi
from tests.telegram.officers import OFFICERS_CHAT, officer_says

WAIT = 60
TELEGRAM_SECRET = "handoff-webhook-secret"


@dataclasses.dataclass
class TwoChannelBot:
    """The bot with Messenger for users and Telegram for the officers' forum."""

    messenger: MessengerBot
    telegram: FakeBotApi

    async def officer(self, body: dict[str, object]) -> None:
        """An update from the officers' group, on the Telegram webhook, processed."""
        url = f"{self.messenger.base_url}{WEBHOOK_PATH}"
        async with self.messenger.session.post(
            url, json=body, headers={SECRET_HEADER: TELEGRAM_SECRET}
        ) as response:
            assert response.status == 200
        async with asyncio.timeout(WAIT):
            await self.messenger.app[TELEGRAM_CHANNEL_KEY].wait_idle()

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait (bounded) for the deliveries (two fakes to watch: polled, briefly)."""
        async with asyncio.timeout(WAIT):
            while not condition():  # noqa: ASYNC110 - the fake Graph API has no condition
                await asyncio.sleep(0.02)

    def topic_texts(self) -> list[str]:
        (created,) = self.telegram.of("createForumTopic")
        return self.telegram.topic_texts(OFFICERS_CHAT, int(created.result["message_thread_id"]))

    def thread(self) -> int:
        (created,) = self.telegram.of("createForumTopic")
        return int(created.result["message_thread_id"])

    async def age_last_message(self, psid: str, by: timedelta) -> None:
        """Make the user's last message older, as if time had passed."""
        sessions = async_sessionmaker(self.messenger.runtime.engine)
        async with sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            rows = await session.scalars(
                select(InboundEventRecord).where(InboundEventRecord.user_id == psid)
            )
            for row in rows:
                row.received_at = row.received_at - by
            conversation = await session.get(ConversationRecord, ("messenger", psid))
            if conversation is not None and conversation.last_seen_at is not None:
                conversation.last_seen_at = conversation.last_seen_at - by


StartBoth = Callable[..., Awaitable[TwoChannelBot]]


@pytest.fixture
async def start_both(
    settings: Settings, graph: FakeGraphApi, messenger_env: pytest.MonkeyPatch
) -> AsyncIterator[StartBoth]:
    fake = FakeBotApi()
    await fake.start()
    session = aiohttp.ClientSession()
    runners: list[web.AppRunner] = []

    async def start(**env: str) -> TwoChannelBot:
        variables = {
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_BASE_FILE_URL": fake.base_file_url,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_OFFICER_CHAT_ID": str(OFFICERS_CHAT),
            "CETS_OFFICER_LOCALE": "en",
            **env,
        }
        for name, value in variables.items():
            messenger_env.setenv(name, value)
        both = dataclasses.replace(
            settings, messenger_page_access_token=PAGE_TOKEN, telegram_bot_token=BOT_TOKEN
        )
        app = build_web_app(both)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        host, port = runner.addresses[0][:2]
        return TwoChannelBot(
            MessengerBot(app, f"http://{host}:{port}", graph, session, runner), fake
        )

    yield start
    for runner in reversed(runners):
        await runner.cleanup()
    await session.close()
    await fake.stop()


async def test_a_messenger_user_and_an_officer_talk_through_the_forum(
    start_both: StartBoth,
) -> None:
    both = await start_both()
    bot, psid = both.messenger, "7012345600000001"
    await bot.say(psid, "hello")
    sent = await bot.say(psid, "talk to an officer")
    assert "passed your conversation to an officer" in " ".join(message_texts(sent))
    await both.until(lambda: bool(both.telegram.of("createForumTopic")))
    assert both.telegram.of("createForumTopic")[0].params["name"].startswith("Messenger ***")
    await both.until(lambda: bool(both.topic_texts()))
    assert "A user asks to talk to an officer (Messenger)." in both.topic_texts()[0]

    assert await bot.say(psid, "The shop Mekong Mobile blocked me after I paid") == []
    await both.until(lambda: any("blocked me" in t for t in both.topic_texts()))

    await both.officer(officer_says(both.thread(), "Dara here. How much did you pay?"))
    await both.until(lambda: any("Dara here" in t for t in message_texts(bot.graph.messages(psid))))
    (call,) = [c for c in bot.graph.send_calls(psid) if "Dara here" in str(c.body)]
    assert call.body["messaging_type"] == "RESPONSE"  # within the 24 hours
    assert await bot.say(psid, "120 dollars by KHQR") == []
    await both.until(lambda: any("120 dollars" in t for t in both.topic_texts()))

    await both.officer(officer_says(both.thread(), "/close"))
    await both.until(
        lambda: any(
            "has ended the conversation" in t for t in message_texts(bot.graph.messages(psid))
        )
    )
    assert both.telegram.of("closeForumTopic")
    sent = await bot.say(psid, "how much is the fee for an individual?")
    assert "$50" in " ".join(message_texts(sent))  # the bot answers again
    assert_one_language(bot.graph.messages(psid), "en")


async def test_outside_24_hours_an_officers_reply_waits_unless_human_agent_is_on(
    start_both: StartBoth,
) -> None:
    both = await start_both()
    bot, psid = both.messenger, "7012345600000002"
    await bot.say(psid, "សួស្តី")
    await bot.say(psid, "ខ្ញុំចង់និយាយជាមួយមន្ត្រី")
    await both.until(lambda: bool(both.telegram.of("createForumTopic")))
    await both.age_last_message(psid, timedelta(hours=30))
    before = len(bot.graph.send_calls(psid))
    await both.officer(officer_says(both.thread(), "Sorry for the wait. Which shop was it?"))
    await asyncio.sleep(0.5)  # the delivery is tried: nothing may go out now
    assert len(bot.graph.send_calls(psid)) == before
    # The user writes: the message goes to the officer, and the held reply goes out now.
    before = len(bot.graph.messages(psid))
    await bot.say(psid, "សុខា ហ្វេសិន")
    await both.until(
        lambda: any("Which shop was it" in t for t in message_texts(bot.graph.messages(psid)))
    )
    # Only the officer's held reply, in the user's language: no automatic answer from the bot.
    assert message_texts(bot.graph.messages(psid)[before:]) == [
        "\U0001f4ac មន្ត្រីក្រសួង៖ Sorry for the wait. Which shop was it?"
    ]
    await both.until(lambda: any("សុខា ហ្វេសិន" in t for t in both.topic_texts()))
    relayed = [c for c in bot.graph.send_calls(psid) if "Which shop" in str(c.body)]
    assert [c.body["messaging_type"] for c in relayed] == ["RESPONSE"]  # sent once, in the window


async def test_outside_24_hours_with_human_agent_on_the_reply_is_tagged(
    start_both: StartBoth,
) -> None:
    both = await start_both(MESSENGER_HUMAN_AGENT_TAG="1")
    bot, psid = both.messenger, "7012345600000003"
    await bot.say(psid, "hello")
    await bot.say(psid, "talk to an officer")
    await both.until(lambda: bool(both.telegram.of("createForumTopic")))
    await both.age_last_message(psid, timedelta(hours=30))
    await both.officer(officer_says(both.thread(), "Hello again, I checked the shop."))
    await both.until(
        lambda: any("checked the shop" in str(c.body) for c in bot.graph.send_calls(psid))
    )
    (call,) = [c for c in bot.graph.send_calls(psid) if "checked the shop" in str(c.body)]
    assert (call.body["messaging_type"], call.body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
