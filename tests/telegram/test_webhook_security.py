"""The webhook accepts only Telegram (the secret token), and the bot registers itself on start."""

from __future__ import annotations

import pytest

from tests.telegram.conftest import StartBot, new_user, texts
from tests.telegram.fake_bot_api import FakeBotApi


async def test_start_registers_the_webhook_with_the_secret_and_the_menu(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    await start_bot()
    assert [c.method for c in fake_api.calls][:1] == ["getMe"]
    [webhook] = fake_api.of("setWebhook")
    assert webhook.params["url"] == "https://bot.example.org/telegram/webhook"
    assert webhook.params["secret_token"] == "s3cret-Token_for-tests"
    assert set(webhook.params["allowed_updates"]) == {
        "message",
        "edited_message",
        "callback_query",
        "inline_query",
    }
    assert not fake_api.of("getUpdates") and not fake_api.of("deleteWebhook")


@pytest.mark.parametrize(
    ("secret", "status"),
    [(None, 401), ("wrong-secret", 403), ("s3cret-Token_for-testX", 403), ("", 403)],
)
async def test_a_wrong_or_missing_secret_is_rejected_and_nothing_reaches_the_core(
    start_bot: StartBot, fake_api: FakeBotApi, secret: str | None, status: int
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    assert await bot.post(user.text("hello"), secret=secret) == status
    await bot.idle()
    assert await bot.inbox() == []
    assert fake_api.sent_to(user.user_id) == []
    assert not fake_api.of("sendChatAction")


async def test_the_right_secret_is_accepted_and_answered(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    assert await bot.post(user.text("hello")) == 200
    await bot.idle()
    [event] = await bot.inbox()
    assert event.status == "done"
    assert "Hello" in texts(user.new_messages())[0]


async def test_a_body_that_is_not_an_update_is_refused(start_bot: StartBot) -> None:
    bot = await start_bot()
    assert await bot.post({"hello": "world"}) == 400
    assert await bot.post({"update_id": 5, "message": "not a message"}) == 400
    assert await bot.inbox() == []
