"""Update types the bot does not handle are stored, marked done and ignored without errors."""

from __future__ import annotations

import logging

import pytest

from tests.telegram.conftest import StartBot, load_update, new_user, next_update_id, texts
from tests.telegram.fake_bot_api import FakeBotApi

IGNORED = (
    "channel_post",
    "message_reaction",
    "chat_member",
    "my_chat_member",
    "message_group_text",
)


@pytest.mark.parametrize("webhook", [True, False], ids=["webhook", "polling"])
async def test_unknown_update_types_are_ignored_without_errors(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    caplog: pytest.LogCaptureFixture,
    webhook: bool,
) -> None:
    bot = await start_bot(webhook=webhook)
    bodies = []
    for name in IGNORED:
        body = load_update(name)
        body["update_id"] = next_update_id()
        bodies.append(body)
    with caplog.at_level(logging.WARNING):
        await bot.deliver(*bodies)
        await bot.idle()
    events = await bot.inbox()
    assert [e.event_id for e in events] == [str(b["update_id"]) for b in bodies]
    assert {e.status for e in events} == {"done"}
    assert all(e.last_error is None for e in events)
    assert not [c for c in fake_api.calls if c.method.startswith(("send", "answer", "edit"))]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    # The bot still answers afterwards.
    user = new_user(bot, "en")
    assert "Hello" in texts(await user.say(user.text("hello")))[0]


async def test_polling_mode_removes_the_webhook_and_long_polls(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot(webhook=False)
    user = new_user(bot, "en")
    shown = await user.say(user.text("hello"))
    assert "Hello" in texts(shown)[0]
    assert not fake_api.of("setWebhook")
    [delete] = fake_api.of("deleteWebhook")
    assert delete.params.get("drop_pending_updates") in (None, "False", "false")
    poll = fake_api.of("getUpdates")[-1]
    assert int(poll.params["timeout"]) == 30
    assert set(poll.params["allowed_updates"]) == {
        "message",
        "edited_message",
        "callback_query",
        "inline_query",
    }
