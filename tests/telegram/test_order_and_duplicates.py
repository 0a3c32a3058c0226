"""Each user's updates one at a time in order; a repeated update_id once; 429 retry_after."""

from __future__ import annotations

import pytest

from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.inbox import Inbox
from bot.messages import Reply
from bot.settings import Settings
from tests.conftest import open_chat
from tests.telegram.conftest import StartBot, assert_shows, new_user, texts
from tests.telegram.fake_bot_api import FakeBotApi

TWENTY_MESSAGES = (
    "hello",
    "what is the trustmark?",
    "how much does it cost?",
    "fee for an individual",
    "fee for a legal person",
    "fee for a sole proprietorship",
    "fee for a branch of a foreign company",
    "which documents do I need?",
    "what are the criteria?",
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


@pytest.mark.parametrize("webhook", [True, False], ids=["webhook", "polling"])
async def test_twenty_messages_sent_at_once_get_twenty_answers_in_order(
    start_bot: StartBot, fake_api: FakeBotApi, core: ConversationCore, webhook: bool
) -> None:
    bot = await start_bot(webhook=webhook)
    user = new_user(bot, "en")
    reference = await open_chat(core, "en", user_id="reference")
    expected: list[Reply] = []
    for text in TWENTY_MESSAGES:
        expected += await reference.say(text)
    assert len(expected) >= 20

    # All twenty are delivered (acknowledged) before the bot has answered the first.
    shown = await user.say(*(user.text(text) for text in TWENTY_MESSAGES))

    assert_shows(shown, expected)
    assert len({text.split("\n")[0] for text in texts(shown)}) >= 18
    events = await bot.inbox()
    assert len(events) == 20 and {e.status for e in events} == {"done"}


async def test_the_same_update_delivered_twice_gets_one_reply(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    update = user.text("how much is the fee for a sole proprietorship?")
    assert await bot.post(update) == 200
    assert await bot.post(update) == 200  # Telegram retries when it saw no answer in time
    await bot.idle()
    shown = user.new_messages()
    assert len(shown) == 1 and "$100" in texts(shown)[0]
    assert len(await bot.inbox()) == 1


async def test_a_redelivery_after_a_restart_is_not_answered_again(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    first = await start_bot(webhook=False)
    user = new_user(first, "km")
    update = user.text("សួស្តី")
    await user.say(update)
    assert len(user.new_messages()) == 0 and len(user.messages()) == 1
    await first.stop()

    # The offset was never confirmed before the stop: Telegram sends the update again.
    fake_api.forget_confirmations()
    second = await start_bot(webhook=False)
    user.bot = second
    await second.deliver(update)
    await second.idle()
    assert len(user.messages()) == 1
    [event] = await second.inbox()
    assert event.status == "done"


async def test_an_update_accepted_before_a_crash_is_answered_on_the_next_start(
    start_bot: StartBot, fake_api: FakeBotApi, settings: Settings
) -> None:
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    user_id = 700_999_001
    body = {
        "update_id": 990_001,
        "message": {
            "message_id": 1,
            "date": 1441645532,
            "chat": {"id": user_id, "type": "private", "first_name": "Test"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "en"},
            "text": "hello",
        },
    }
    # Stored and acknowledged by the webhook, then the process died before handling it.
    assert await Inbox(engine).accept("telegram", "990001", str(user_id), body) is not None
    await engine.dispose()

    bot = await start_bot()
    await bot.idle()
    assert "Hello" in texts(fake_api.sent_to(user_id))[0]
    [event] = await bot.inbox()
    assert event.status == "done"


async def test_a_429_is_retried_after_retry_after(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    fake_api.fail_next("sendMessage", retry_after=1)
    shown = await user.say(user.text("hello"))
    refused, delivered = [c for c in fake_api.calls if c.method == "sendMessage"]
    assert refused.rejected and not delivered.rejected
    assert refused.params["text"] == delivered.params["text"]
    assert len(shown) == 1 and "Hello" in texts(shown)[0]
    [event] = await bot.inbox()
    assert event.status == "done" and event.attempts == 1


async def test_an_update_that_fails_is_retried_from_the_inbox(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    fake_api.break_next("sendMessage")
    shown = await user.say(user.text("hello"))
    assert len(shown) == 1 and "Hello" in texts(shown)[0]
    [event] = await bot.inbox()
    assert event.status == "done" and event.attempts == 2
    # The failed send is recorded; the retry sent the stored reply (the turn ran once).
    assert event.last_error is not None and "Bad Gateway" in event.last_error
    assert event.sent == 1 and event.replies is not None and len(event.replies) == 1
