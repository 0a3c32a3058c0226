"""Every signed body gets a 200 or a 4xx with a log line, never a 5xx; the bot goes on.

Bodies are signed raw bytes (Meta's signature is over the bytes, so they reach the parser).
"""

from __future__ import annotations

import io
import logging

import pytest

from bot.channels.safe_json import MAX_BODY_BYTES
from tests.messenger.harness import MessengerBot, sign

PSID = "7012345678905555"


def delivery(event: str, *, obj: str = '"page"') -> bytes:
    """A delivery around one messaging event given as JSON source (inserted verbatim)."""
    return (
        f'{{"object": {obj}, "entry": [{{"id": "104296827616214", "time": 1763776800123, '
        f'"messaging": [{event}]}}]}}'
    ).encode()


def text_event(text: str, *, mid: str = "m_bodies-1", psid: str = f'"{PSID}"') -> str:
    return (
        f'{{"sender": {{"id": {psid}}}, "recipient": {{"id": "104296827616214"}}, '
        f'"timestamp": 1763776799876, "message": {{"mid": "{mid}", "text": "{text}"}}}}'
    )


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


MALFORMED: dict[str, bytes] = {
    "not JSON": b'{"object": "page", entry',
    "empty": b"",
    "not UTF-8": b'{"object": "page", "x": "\xc3\x28"}',
    "null": b"null",
    "a list": b"[]",
    "nested 960 levels": delivery(f'{{"sender": {{"id": "1"}}, "message": {_nested(960)}}}'),
    "nested 40 levels": delivery('{"message": ' + '{"a":' * 40 + "1" + "}" * 41),
    "timestamp Infinity": delivery(
        text_event("hi", mid="m_b-2").replace("1763776799876", "Infinity")
    ),
    "timestamp 1e400": delivery(text_event("hi", mid="m_b-3").replace("1763776799876", "1e400")),
    "timestamp NaN": delivery(text_event("hi", mid="m_b-4").replace("1763776799876", "NaN")),
    "sender id 1e400": delivery(text_event("hi", mid="m_b-5", psid="1e400")),
    "sender id 5000 digits": delivery(text_event("hi", mid="m_b-6", psid="9" * 5000)),
    "sender id a list": delivery(text_event("hi", mid="m_b-7", psid="[1, 2]")),
    "sender id 10k characters": delivery(
        text_event("hi", mid="m_b-8", psid='"' + "7" * 10_000 + '"')
    ),
    "mid 1000 characters": delivery(text_event("hi", mid="m" * 1000)),
    "entry a string": b'{"object": "page", "entry": "x"}',
    "messaging a dict": b'{"object": "page", "entry": [{"messaging": {"a": 1}}]}',
    "message a list": delivery(f'{{"sender": {{"id": "{PSID}"}}, "message": [1, 2]}}'),
    "text a number": delivery(
        f'{{"sender": {{"id": "{PSID}"}}, "message": {{"mid": "m_b-9", "text": 12}}}}'
    ),
    "attachments a string": delivery(
        f'{{"sender": {{"id": "{PSID}"}}, "message": {{"mid": "m_b-10", "attachments": "x"}}}}'
    ),
    "attachment url a number": delivery(
        f'{{"sender": {{"id": "{PSID}"}}, "message": {{"mid": "m_b-11", '
        '"attachments": [{"type": "image", "payload": {"url": 5}}]}}'
    ),
    "attachment url not http": delivery(
        f'{{"sender": {{"id": "{PSID}"}}, "message": {{"mid": "m_b-12", '
        '"attachments": [{"type": "file", "payload": {"url": "file:///etc/passwd"}}]}}'
    ),
    "quick reply payload an object": delivery(
        f'{{"sender": {{"id": "{PSID}"}}, "message": {{"mid": "m_b-13", "text": "x", '
        '"quick_reply": {"payload": {"a": 1}}}}'
    ),
    "postback payload 100k": delivery(
        f'{{"sender": {{"id": "{PSID}"}}, "timestamp": 1, '
        f'"postback": {{"mid": "m_b-14", "payload": "{"p" * 100_000}"}}}}'
    ),
    "object not page": delivery(text_event("hi", mid="m_b-15"), obj='"instagram"'),
    "too large": delivery(text_event("x" * MAX_BODY_BYTES, mid="m_b-16")),
}


async def post_signed(bot: MessengerBot, body: bytes) -> int:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
    async with bot.session.post(
        f"{bot.base_url}/messenger/webhook", data=io.BytesIO(body), headers=headers
    ) as response:
        await response.read()
        return response.status


async def test_malformed_deliveries_get_a_4xx_or_200_and_the_bot_goes_on(
    bot: MessengerBot, caplog: pytest.LogCaptureFixture
) -> None:
    statuses: dict[str, int] = {}
    unlogged: list[str] = []
    for name, body in MALFORMED.items():
        caplog.clear()
        with caplog.at_level(logging.INFO):
            statuses[name] = await post_signed(bot, body)
        if statuses[name] != 200 and not any(
            r.name.startswith("bot.channels.messenger") and r.levelno >= logging.WARNING
            for r in caplog.records
        ):
            unlogged.append(name)
    await bot.settle()
    assert {n: s for n, s in statuses.items() if not (s == 200 or 400 <= s < 500)} == {}
    assert unlogged == []
    assert statuses["too large"] == 413
    assert statuses["nested 960 levels"] == 400
    events = await bot.stored_events()
    assert [e.event_id for e in events if e.status == "pending"] == []
    assert all(len(e.user_id) <= 128 and len(e.event_id) <= 191 for e in events)
    # The bot still answers an ordinary message.
    answer = await bot.say("7012345678906666", "hello")
    assert answer and "Hello" in answer[0]["text"]


async def test_lone_surrogates_are_dropped_before_storage_and_the_message_is_answered(
    bot: MessengerBot,
) -> None:
    psid = "7012345678907771"
    body = delivery(text_event("hello\\ud800 there\\udc00", mid="m_sur-1", psid=f'"{psid}"'))
    assert await post_signed(bot, body) == 200
    await bot.settle()
    [event] = await bot.stored_events()
    assert event.status == "done"
    assert event.body["message"]["text"] == "hello there"
    assert "Hello" in bot.graph.messages(psid)[0]["text"]
