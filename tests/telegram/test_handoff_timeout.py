"""The handoff on a moving clock: a day without an officer's message hands the user back, an
officer's message restarts the day; the briefing's transcript is redacted; "talk to an
officer" in the middle of a complaint keeps the draft. The officers' side is the real desk on
python-telegram-bot against the fake Bot API; deliveries are the real ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from backend_client import open_backend
from bot.channels.collecting import CollectingChannel
from bot.channels.telegram.application import TelegramBot
from bot.clock import ManualClock
from bot.complaints import guard
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.delivery import Deliveries, DeliveryStore
from bot.dialogue.store import ConversationStore
from bot.handoff.config import HandoffConfig
from bot.handoff.service import SERVICE, HandoffService, Officer
from bot.handoff.telegram import TelegramOfficerDesk
from bot.messages import TextReply
from bot.settings import Settings
from kb import KnowledgeBase
from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu
from tests.recording_channel import ChatUsers
from tests.telegram.conftest import WAIT
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.officers import OFFICERS_CHAT


@dataclass
class Desk:
    """A core with a handoff to the fake forum, on a manual clock."""

    core: ConversationCore
    clock: ManualClock
    service: HandoffService
    deliveries: Deliveries
    users: ChatUsers
    fake: FakeBotApi
    chats: dict[str, CollectingChannel] = field(default_factory=dict)

    async def chat(self, user_id: str, locale: str = "en") -> CollectingChannel:
        chat = CollectingChannel(self.core, user_id=user_id)
        await self.core.set_language(chat.channel, user_id, locale)
        return chat

    async def settled(self, condition: Callable[[], bool] | None = None) -> None:
        async with asyncio.timeout(WAIT):
            await self.deliveries.wait_idle()
            if condition is not None:
                await self.fake.wait_until(condition)

    def topic(self) -> int:
        return int(self.fake.of("createForumTopic")[-1].result["message_thread_id"])

    def topic_texts(self) -> list[str]:
        return self.fake.topic_texts(OFFICERS_CHAT, self.topic())


@pytest.fixture
async def desk(
    settings: Settings,
    nlu_engine: EmbeddedNlu,
    knowledge_base: KnowledgeBase,
    fake_api: FakeBotApi,
    ptb_bot: TelegramBot,
) -> AsyncIterator[Desk]:
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    backend = await open_backend(
        backend_url=None, database_url=settings.database_url, bot_token=None
    )
    clock = ManualClock()
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=nlu_engine,
        kb=knowledge_base,
        settings=settings,
        backend=backend,
        clarify_threshold=CLARIFY_THRESHOLD,
        clock=clock,
    )
    guard.install(core.services, engine)
    deliveries = Deliveries(DeliveryStore(engine), locale_of=core.saved_locale, clock=clock.now)
    service = HandoffService(
        engine,
        HandoffConfig(officer_chat_id=OFFICERS_CHAT, officer_locale="en", transcript_turns=4),
        clock=clock,
    )
    service.deliver = deliveries.deliver
    core.services[SERVICE] = service
    users = ChatUsers()
    officers = TelegramOfficerDesk(ptb_bot, service, OFFICERS_CHAT, max_download_bytes=10**7)
    deliveries.register(users)
    deliveries.register(officers)
    await officers.start()
    await deliveries.start()
    yield Desk(core, clock, service, deliveries, users, fake_api)
    await deliveries.stop()
    await officers.stop()
    await backend.close()
    await engine.dispose()


async def test_a_day_without_an_officer_hands_the_user_back(desk: Desk) -> None:
    chat = await desk.chat("quiet-1")
    await chat.say("hello")
    await chat.say("talk to an officer")
    await desk.settled(lambda: bool(desk.fake.of("createForumTopic")))
    assert await chat.say("is anyone there?") == []
    desk.clock.advance(timedelta(hours=23))
    assert await chat.say("hello?") == []  # still with the officers
    desk.clock.advance(timedelta(hours=2))
    replies = await chat.say("hello")
    texts = [r.text for r in replies if isinstance(r, TextReply)]
    assert "No officer has answered for a while" in texts[0]
    assert any("Ministry of Commerce assistant" in t for t in texts[1:])  # answered as usual
    await desk.settled(lambda: bool(desk.fake.of("closeForumTopic")))
    assert any("Closed after 24 hours" in t for t in desk.topic_texts())


async def test_an_officers_message_restarts_the_day_and_the_sweep_ends_it(desk: Desk) -> None:
    chat = await desk.chat("quiet-2", "km")
    await chat.say("ខ្ញុំចង់និយាយជាមួយមន្ត្រី")
    await desk.settled(lambda: bool(desk.fake.of("createForumTopic")))
    desk.clock.advance(timedelta(hours=20))
    await desk.service.from_officer(desk.topic(), Officer("Dara here."), key="k-20h")
    await desk.settled()
    assert desk.users.texts("quiet-2") == ["\U0001f4ac មន្ត្រីក្រសួង៖ Dara here."]
    desk.clock.advance(timedelta(hours=10))  # 30 h since opening, 10 h since the officer
    assert await chat.say("អរគុណ") == []
    assert await desk.service.expire_due() == 0
    desk.clock.advance(timedelta(hours=15))
    assert await desk.service.expire_due() == 1
    await desk.settled(lambda: bool(desk.fake.of("closeForumTopic")))
    assert "ខ្ញុំជាជំនួយការរបស់អ្នកម្តងទៀត" in desk.users.texts("quiet-2")[-1]
    assert await chat.say("សួស្តី")  # the bot answers again


async def test_the_briefing_is_redacted_and_a_complaint_draft_survives_the_handoff(
    desk: Desk,
) -> None:
    chat = await desk.chat("quiet-3")
    await chat.say("hello")
    await chat.say("my phone is 012 345 678, my email sok@example.com, account 000123456789")
    await chat.press_payload("i:complain")
    await chat.say("https://t.me/someshop_kh")
    await chat.press_payload("cpl:cat:fraud")
    # At a free-text question, the words still reach an officer instead of being the answer.
    await chat.say("talk to an officer")
    assert "passed your conversation to an officer" in chat.text()
    await desk.settled(lambda: bool(desk.fake.of("createForumTopic")))
    await desk.settled(lambda: bool(desk.topic_texts()))
    briefing = desk.topic_texts()[0]
    assert "[number]" in briefing and "[email]" in briefing
    for private in ("345 678", "012345678", "sok@example.com", "000123456789"):
        assert private not in briefing
    assert "Recent conversation:" in briefing
    assert briefing.count("\U0001f464 ") == 4  # the last 4 turns only
    await chat.press_payload("ho:end")
    assert "You are back with the assistant" in chat.text()
    await chat.say("continue")
    assert "Please tell me what happened" in chat.text()  # the complaint goes on


async def test_without_an_officers_forum_the_ministrys_contacts_are_given(
    core: ConversationCore,
) -> None:
    chat = CollectingChannel(core, user_id="no-forum")
    await core.set_language(chat.channel, chat.user_id, "en")
    await chat.press_payload("i:human_agent")
    text = chat.text()
    assert "I cannot connect you to an officer from this chat right now" in text
    assert "Consumer Protection Directorate-General" in text and "moc.gov.kh" in text
    assert await chat.say("hello")  # never quiet: nobody would answer
