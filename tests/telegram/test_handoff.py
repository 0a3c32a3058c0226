"""Talking to an officer over the fake Bot API: the user's conversation opens a topic in the
officers' forum with a briefing, the bot stays quiet while the officer and the user talk
through it, and the officer's /close (or closing the topic) hands the user back to the bot."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

from tests.complaints.conftest import photo
from tests.telegram.conftest import WAIT, RunningBot, StartBot, TelegramUser, new_user, texts
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.officers import OFFICERS_CHAT, in_general_topic, officer_says, topic_closed

_files = itertools.count(1)


async def eventually(fake: FakeBotApi, condition: Callable[[], bool]) -> None:
    """Wait (bounded) until the deliveries have made ``condition`` true."""
    async with asyncio.timeout(WAIT):
        await fake.wait_until(condition)


def photo_update(user: TelegramUser, seed: int) -> dict[str, object]:
    """The user sends a photo (served by the fake's file URL)."""
    file_id = f"handoff-photo-{next(_files)}"
    user.bot.fake.add_file(file_id, photo(seed).data, f"photos/{file_id}.jpg")
    body = user.payload("message_photo")
    body["message"]["photo"] = [
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 120, "height": 90}
    ]
    return body


async def open_officers_bot(start_bot: StartBot, **env: str) -> RunningBot:
    return await start_bot(
        TELEGRAM_OFFICER_CHAT_ID=str(OFFICERS_CHAT), CETS_OFFICER_LOCALE="en", **env
    )


def topic_of(fake: FakeBotApi) -> int:
    (created,) = fake.of("createForumTopic")
    return int(created.result["message_thread_id"])


async def test_a_telegram_user_and_an_officer_talk_through_a_topic(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await open_officers_bot(start_bot)
    user = new_user(bot, "en")
    await user.say(user.text("hello"))
    await user.say(user.text("how much is the fee for a sole proprietorship?"))
    sent = await user.say(user.text("I want to talk to an officer"))
    assert "passed your conversation to an officer" in texts(sent)[0]
    assert "Back to the assistant" in [b["text"] for b in sent[0].buttons()]

    await eventually(fake_api, lambda: bool(fake_api.of("createForumTopic")))
    created = fake_api.of("createForumTopic")[0]
    assert str(created.params["chat_id"]) == str(OFFICERS_CHAT)
    assert created.params["name"].startswith("Telegram ***")
    assert str(user.user_id) not in created.params["name"]  # a masked id only
    thread = topic_of(fake_api)
    await eventually(fake_api, lambda: bool(fake_api.topic_texts(OFFICERS_CHAT, thread)))
    briefing = fake_api.topic_texts(OFFICERS_CHAT, thread)[0]
    assert "A user asks to talk to an officer (Telegram)." in briefing
    assert "Language: English" in briefing
    assert "fee for a sole proprietorship" in briefing  # the recent transcript
    assert "/close" in briefing

    # While with the officer, the bot answers nothing: the messages go into the topic.
    assert await user.say(user.text("My order from Sokha Fashion never arrived")) == []
    assert await user.say(photo_update(user, 11)) == []
    assert await user.say(user.text("menu")) == []
    await eventually(
        fake_api,
        lambda: any("never arrived" in t for t in fake_api.topic_texts(OFFICERS_CHAT, thread)),
    )
    await eventually(fake_api, lambda: len(fake_api.topic_calls(OFFICERS_CHAT, thread)) >= 4)
    assert fake_api.topic_calls(OFFICERS_CHAT, thread)[2].method == "sendDocument"
    forwarded = fake_api.topic_texts(OFFICERS_CHAT, thread)
    assert forwarded[1] == "\U0001f464 My order from Sokha Fashion never arrived"
    assert forwarded[2] == "\U0001f464 sent a file" and forwarded[3] == "\U0001f464 menu"

    # The officer answers in the topic; the user gets it in their chat.
    await bot.deliver(officer_says(thread, "Hello, I am Dara from the Ministry. When did you pay?"))
    await bot.idle()
    await eventually(
        fake_api, lambda: any("I am Dara" in t for t in fake_api.texts_to(user.user_id))
    )
    relayed = [t for t in fake_api.texts_to(user.user_id) if "I am Dara" in t]
    assert relayed == [
        "\U0001f4ac Officer of the Ministry: Hello, I am Dara from the Ministry. When did you pay?"
    ]
    user.new_messages()
    # A message in the group's general chat, or another command, reaches nobody.
    await bot.deliver(in_general_topic("who is on duty today?"), officer_says(thread, "/note x"))
    await bot.idle()
    assert not any("on duty" in t or "/note" in t for t in fake_api.texts_to(user.user_id))

    assert await user.say(user.text("On the 20th, by ABA")) == []
    await eventually(
        fake_api,
        lambda: any("by ABA" in t for t in fake_api.topic_texts(OFFICERS_CHAT, thread)),
    )

    # /close: the topic is closed and the user is back with the bot.
    await bot.deliver(officer_says(thread, "/close"))
    await bot.idle()
    await eventually(fake_api, lambda: bool(fake_api.of("closeForumTopic")))
    await eventually(
        fake_api,
        lambda: any("has ended the conversation" in t for t in fake_api.texts_to(user.user_id)),
    )
    assert str(fake_api.of("closeForumTopic")[0].params["message_thread_id"]) == str(thread)
    user.new_messages()
    sent = await user.say(user.text("hello"))
    assert sent and "Ministry of Commerce assistant" in texts(sent)[0]
    # A late officer message is not relayed: the officers are told the user left.
    await bot.deliver(officer_says(thread, "Are you still there?"))
    await bot.idle()
    await eventually(
        fake_api,
        lambda: any(
            "This conversation is closed" in t for t in fake_api.topic_texts(OFFICERS_CHAT, thread)
        ),
    )
    assert not any("still there" in t for t in fake_api.texts_to(user.user_id))


async def test_closing_the_topic_in_telegram_or_leaving_returns_the_user(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await open_officers_bot(start_bot)
    user = new_user(bot, "km")
    await user.say(user.text("សួស្តី"))
    sent = await user.say(user.text("ខ្ញុំចង់និយាយជាមួយមន្ត្រី"))
    assert "ខ្ញុំបានបញ្ជូនការជជែករបស់អ្នកទៅមន្ត្រីក្រសួងពាណិជ្ជកម្មហើយ" in texts(sent)[0]
    await eventually(fake_api, lambda: bool(fake_api.of("createForumTopic")))
    thread = topic_of(fake_api)
    await eventually(fake_api, lambda: bool(fake_api.topic_texts(OFFICERS_CHAT, thread)))
    assert "Language: Khmer" in fake_api.topic_texts(OFFICERS_CHAT, thread)[0]
    await bot.deliver(topic_closed(thread))
    await bot.idle()
    await eventually(
        fake_api,
        lambda: any("មន្ត្រីបានបញ្ចប់ការជជែកហើយ" in t for t in fake_api.texts_to(user.user_id)),
    )
    # Asking again opens a new handoff and a new topic; the user may also leave it themselves.
    user.new_messages()
    sent = await user.say(user.text("ខ្ញុំចង់និយាយជាមួយមន្ត្រី"))
    await eventually(fake_api, lambda: len(fake_api.of("createForumTopic")) == 2)
    second = int(fake_api.of("createForumTopic")[1].result["message_thread_id"])
    assert second != thread
    sent = await user.say(user.press("ត្រឡប់ទៅជំនួយការវិញ"))
    assert "អ្នកបានត្រឡប់មកជំនួយការវិញហើយ" in texts(sent)[0]
    await eventually(
        fake_api,
        lambda: any(
            "left the conversation" in t for t in fake_api.topic_texts(OFFICERS_CHAT, second)
        ),
    )
    sent = await user.say(user.text("តើថ្លៃសេវាប៉ុន្មាន?"))
    assert sent  # the bot answers again
