"""Messages no turn asked for (``deliver``) on Telegram: sent at once in the user's language,
once per dedupe key, retried when Telegram fails, the final state recorded, kept across a
restart; a user whose message failed for good is told when Telegram answers again."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app_keys import RUNTIME_KEY
from bot.database import open_engine, prepare_database
from bot.delivery import Deliveries, DeliveryStore, apology
from bot.i18n import use_locale
from bot.messages import Button, TextReply
from bot.settings import Settings
from tests.telegram.conftest import RunningBot, StartBot, new_user, texts
from tests.telegram.fake_bot_api import FakeBotApi

STATUS_TEXT = "Your application APP-2025-000123 was approved."


def status_update() -> list[TextReply]:
    return [TextReply(STATUS_TEXT, (Button("Main menu", "nav:menu"),))]


def deliveries(bot: RunningBot) -> Deliveries:
    return bot.app[RUNTIME_KEY].deliveries


async def test_a_delivery_arrives_at_once_in_the_users_saved_language(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    await user.say(user.text("សួស្តី"))  # the conversation is in Khmer from now on
    delivery_id = await deliveries(bot).deliver("telegram", str(user.user_id), apology)
    await deliveries(bot).wait_idle()
    [message] = user.new_messages()
    with use_locale("km"):
        [expected] = apology()
    assert message.params["text"] == expected.text
    delivery = await deliveries(bot).get(delivery_id)
    assert delivery is not None and (delivery.status, delivery.attempts) == ("sent", 1)


async def test_the_same_dedupe_key_is_delivered_once(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    first = await deliveries(bot).deliver(
        "telegram", str(user.user_id), status_update, dedupe_key="status:APP-2025-000123:approved"
    )
    again = await deliveries(bot).deliver(
        "telegram", str(user.user_id), status_update, dedupe_key="status:APP-2025-000123:approved"
    )
    await deliveries(bot).wait_idle()
    assert first == again
    [message] = user.new_messages()
    assert message.params["text"] == STATUS_TEXT
    assert [b["callback_data"] for b in message.buttons()] == ["nav:menu"]


async def test_a_failing_delivery_is_retried_and_its_final_state_recorded(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot(CETS_DELIVERY_ATTEMPTS="3")
    user = new_user(bot, "en")
    chat = str(user.user_id)

    fake_api.break_next("sendMessage", status=502)
    recovered = await deliveries(bot).deliver("telegram", chat, status_update)
    await deliveries(bot).wait_idle()
    sent = await deliveries(bot).get(recovered)
    assert sent is not None and (sent.status, sent.attempts, sent.sent) == ("sent", 2, 1)
    assert sent.last_error is not None and "Bad Gateway" in sent.last_error
    assert texts(user.new_messages()) == [STATUS_TEXT]

    fake_api.break_next("sendMessage", status=400)  # refused: not retried
    refused = await deliveries(bot).deliver("telegram", chat, status_update)
    await deliveries(bot).wait_idle()
    failed = await deliveries(bot).get(refused)
    assert failed is not None and (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error is not None and failed.last_error.startswith("BadRequest")

    fake_api.break_next("sendMessage", status=403)  # the user blocked the bot
    blocked = await deliveries(bot).deliver("telegram", chat, status_update)
    await deliveries(bot).wait_idle()
    gone = await deliveries(bot).get(blocked)
    assert gone is not None and gone.status == "failed"
    assert user.new_messages() == []


async def test_a_queued_delivery_is_sent_after_a_restart(
    start_bot: StartBot, fake_api: FakeBotApi, settings: Settings
) -> None:
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    chat = "700999002"
    # Stored by a process that stopped before sending it.
    delivery_id = await DeliveryStore(engine).add(
        "telegram", chat, status_update(), kind="notice", dedupe_key=None, now=datetime.now(UTC)
    )
    await engine.dispose()
    bot = await start_bot()
    await deliveries(bot).wait_idle()
    assert fake_api.texts_to(int(chat)) == [STATUS_TEXT]
    delivery = await deliveries(bot).get(delivery_id)
    assert delivery is not None and delivery.status == "sent"


async def test_a_message_that_fails_for_good_gets_an_apology_when_telegram_is_back(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot(CETS_INBOX_ATTEMPTS="2")
    user = new_user(bot, "en")
    await user.say(user.text("hello"))
    fake_api.break_next("sendMessage", status=502)
    fake_api.break_call("sendMessage", after=0, status=502)  # the inbox's retry fails too
    await user.say(user.text("how much is the fee for a sole proprietorship?"))
    await deliveries(bot).wait_idle()
    [event] = (await bot.inbox())[1:]
    assert event.status == "failed" and event.attempts == 2
    assert event.last_error is not None and "Bad Gateway" in event.last_error
    # Telegram answers again: the user is told, once, in their language.
    [told] = texts(user.new_messages())
    assert told.startswith("Sorry, I could not answer your last message")
