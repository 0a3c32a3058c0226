"""Every authenticated body gets a 200 or a 4xx with a log line, never a 5xx; the bot goes on.

Bodies are POSTed as raw bytes (as a broken or hostile sender would), with the right secret.
"""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from bot.channels.safe_json import MAX_BODY_BYTES
from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.telegram.conftest import WEBHOOK_SECRET, RunningBot, StartBot, new_user, texts
from tests.telegram.fake_bot_api import FakeBotApi

Json = dict[str, object]
# Telegram marks as a command "/" and up to 32 letters, digits or underscores (and @bot).
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")


async def post_raw(bot: RunningBot, body: bytes) -> int:
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
    data = io.BytesIO(body)  # aiohttp warns about large raw bytes bodies
    async with bot.http.post(f"{bot.url}{WEBHOOK_PATH}", data=data, headers=headers) as reply:
        await reply.read()
        return reply.status


def _message_text(update_id: int, text: str) -> str:
    """A text update as JSON source, ``text`` inserted verbatim (it may hold raw escapes)."""
    return (
        f'{{"update_id": {update_id}, "message": {{"message_id": {update_id}, '
        '"date": 1441645532, "from": {"id": 777001, "is_bot": false, "first_name": "F"}, '
        f'"chat": {{"id": 777001, "type": "private", "first_name": "F"}}, "text": "{text}"}}}}'
    )


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


MALFORMED: dict[str, bytes] = {
    "not JSON": b"{update_id: 1,",
    "empty": b"",
    "not UTF-8": b'{"update_id": 1, "x": "\xff\xfe"}',
    "a list": b"[1, 2, 3]",
    "a string": b'"update"',
    "null": b"null",
    "nested 960 levels": f'{{"update_id": 901, "message": {_nested(960)}}}'.encode(),
    "nested 40 levels": ('{"update_id": 902, "message": ' + '{"a":' * 40 + "1" + "}" * 41).encode(),
    "date Infinity": _message_text(903, "hi").replace("1441645532", "Infinity").encode(),
    "date 1e400": _message_text(904, "hi").replace("1441645532", "1e400").encode(),
    "date NaN": _message_text(905, "hi").replace("1441645532", "NaN").encode(),
    "date far future": _message_text(906, "hi").replace("1441645532", "1e300").encode(),
    "date huge int": _message_text(907, "hi").replace("1441645532", "9" * 18).encode(),
    "chat id 1e400": _message_text(908, "hi")
    .replace('"id": 777001, "type"', '"id": 1e400, "type"')
    .encode(),
    "chat id Infinity": _message_text(909, "hi")
    .replace('"id": 777001, "type"', '"id": -Infinity, "type"')
    .encode(),
    "update_id 5000 digits": b'{"update_id": ' + b"7" * 5000 + b"}",
    "update_id 2**70": f'{{"update_id": {2**70}}}'.encode(),
    "update_id true": b'{"update_id": true, "message": {}}',
    "update_id string": b'{"update_id": "12"}',
    "update_id negative": b'{"update_id": -5}',
    "message a string": b'{"update_id": 910, "message": "hello"}',
    "message a list": b'{"update_id": 911, "message": [1, 2]}',
    "chat a number": b'{"update_id": 912, "message": {"message_id": 1, "date": 1, "chat": 5}}',
    "date a string": _message_text(913, "hi").replace("1441645532", '"yesterday"').encode(),
    "from a list": _message_text(914, "hi")
    .replace('{"id": 777001, "is_bot"', '[{"id": 1}], "x": {"is_bot"')
    .encode(),
    "callback_query empty": b'{"update_id": 915, "callback_query": {}}',
    "entities garbage": _message_text(916, "/start")
    .replace('"text"', '"entities": [{"offset": "x", "length": null, "type": 5}], "text"')
    .encode(),
    "too large": b'{"update_id": 917, "message": {"text": "' + b"x" * MAX_BODY_BYTES + b'"}}',
}


async def test_malformed_bodies_get_a_4xx_and_a_log_line_and_the_bot_goes_on(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot()
    statuses: dict[str, int] = {}
    unlogged: list[str] = []
    for name, body in MALFORMED.items():
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            statuses[name] = await post_raw(bot, body)
        if statuses[name] != 200 and not any(
            r.name.startswith("bot.channels.telegram") for r in caplog.records
        ):
            unlogged.append(name)
    assert {n: s for n, s in statuses.items() if not (s == 200 or 400 <= s < 500)} == {}
    assert unlogged == []
    assert statuses["too large"] == 413
    await bot.idle()
    assert [e.event_id for e in await bot.inbox() if e.status == "pending"] == []
    # The bot still answers an ordinary message.
    user = new_user(bot, "en")
    assert "Hello" in texts(await user.say(user.text("hello")))[0]


async def test_lone_surrogates_are_dropped_before_storage_and_the_message_is_answered(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    assert await post_raw(bot, _message_text(920, "hello\\ud800 there\\udfff").encode()) == 200
    await bot.idle()
    [event] = await bot.inbox()
    assert event.status == "done"
    assert event.body["message"]["text"] == "hello there"
    [reply] = fake_api.texts_to(777001)[:1]
    assert "Hello" in reply


async def test_a_very_long_message_is_answered(start_bot: StartBot, fake_api: FakeBotApi) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    body = user.text("how much is the fee? " * 40_000)  # 840,000 characters
    assert len(json.dumps(body)) < MAX_BODY_BYTES
    replies = await user.say(body)
    assert replies and all(call.params.get("text") for call in replies)
    [event] = await bot.inbox()
    assert event.status == "done"


def command_update(user_body: Json, text: str) -> Json:
    """The update Telegram sends for ``text``: the command entity covers the command only."""
    message = user_body["message"]
    assert isinstance(message, dict)
    message["text"] = text
    match = _COMMAND.match(text)
    message["entities"] = (
        [{"offset": 0, "length": match.end(), "type": "bot_command"}] if match else []
    )
    return user_body


@pytest.mark.parametrize(
    ("typed", "bare"),
    [
        ("/help?", "/help"),
        ("/start.", "/start"),
        ("/start, please", "/start"),
        ("/apply:", "/apply"),
        ("/check!", "/check"),
        ("/Language?", "/language"),
        ("/help@cets_test_bot?", "/help"),
    ],
)
async def test_a_command_followed_by_punctuation_or_words_works_as_the_bare_command(
    start_bot: StartBot, typed: str, bare: str
) -> None:
    bot = await start_bot()
    reference, user = new_user(bot, "en"), new_user(bot, "en")
    expected = await reference.say(command_update(reference.payload("message_command"), bare))
    answer = await user.say(command_update(user.payload("message_command"), typed))
    assert expected, "the bare command is answered"
    assert texts(answer) == texts(expected)
    assert [c.buttons() for c in answer] == [c.buttons() for c in expected]
