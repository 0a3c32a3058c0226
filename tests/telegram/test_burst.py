"""A burst through the Telegram webhook: 2,000 (and 200) messages from 100 (10) users at once,
each user's in order. Every update is stored and answered, each user's replies come once and
in order, no attempt fails (so no "database is locked" anywhere), nothing is left pending.

Only correctness is asserted here; how long it takes is measured by ``benchmarks/burst.py``
and written in docs/performance.md.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.channels.telegram.webhook import TELEGRAM_CHANNEL_KEY
from bot.core import ConversationCore
from bot.messages import Reply
from tests.conftest import open_chat
from tests.telegram.conftest import StartBot, TelegramUser, assert_shows, new_user
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.test_order_and_duplicates import TWENTY_MESSAGES


async def send_in_order(user: TelegramUser, messages: tuple[str, ...]) -> None:
    """The user's messages one after the other, as Telegram delivers one chat's updates."""
    for text in messages:
        assert await user.bot.post(user.text(text)) == 200


@pytest.mark.parametrize(
    "users",
    [
        pytest.param(10, id="200-messages-from-10-users"),
        # About two minutes on the shared 2-core machine (see docs/performance.md).
        pytest.param(100, id="2000-messages-from-100-users", marks=pytest.mark.slow),
    ],
)
async def test_a_burst_of_messages_from_many_users_is_all_answered_in_order(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    core: ConversationCore,
    caplog: pytest.LogCaptureFixture,
    users: int,
) -> None:
    # The fake Bot API has no flood limit, so the bot's own limiter is set out of the way.
    bot = await start_bot(TELEGRAM_MAX_SENDS_PER_SECOND="100000")
    reference = await open_chat(core, "en", user_id="reference")
    expected: list[Reply] = []
    for text in TWENTY_MESSAGES:
        expected += await reference.say(text)

    people = [new_user(bot, "en") for _ in range(users)]
    with caplog.at_level(logging.WARNING):
        async with asyncio.timeout(900):
            await asyncio.gather(*(send_in_order(user, TWENTY_MESSAGES) for user in people))
            await bot.app[TELEGRAM_CHANNEL_KEY].wait_idle()

    for user in people:
        assert_shows(user.messages(), expected)  # every reply once, in order
    events = await bot.inbox()
    assert len(events) == users * len(TWENTY_MESSAGES)
    assert {e.status for e in events} == {"done"}
    assert {e.attempts for e in events} == {1}  # not one attempt failed
    assert all(e.last_error is None for e in events)
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not problems, problems[:5]
