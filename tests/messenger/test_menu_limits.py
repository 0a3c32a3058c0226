"""Every choice the bot offers, walked in Khmer and in English, fits Messenger's limits."""

from __future__ import annotations

from collections import deque

import pytest

from bot.channels.messenger.render import render_replies
from bot.i18n import _, pgettext, use_locale
from bot.messages import Button, TextReply
from tests.messenger.fake_graph_api import utf16_length
from tests.messenger.harness import MessengerBot
from tests.messenger.seen import assert_one_language, choices, message_texts

STARTS = {
    "en": ["hello", "what are all the fees?", "am I eligible?", "is this shop legit?"],
    "km": ["សួស្តី", "ថ្លៃសេវាទាំងអស់ប៉ុន្មាន", "តើខ្ញុំមានសិទ្ធិទេ?", "ពិនិត្យហាង"],
}


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_walking_the_whole_menu_stays_within_the_limits(
    bot: MessengerBot, locale: str
) -> None:
    psid = f"7200000000000{locale}"
    pending: deque[str] = deque()
    pressed: set[str] = set()
    for text in STARTS[locale]:
        for _title, payload in choices(await bot.say(psid, text)):
            pending.append(payload)
    while pending:
        # Newest first: each flow is followed to its end, as a person would, instead of
        # pressing buttons of questions the conversation has already moved past.
        payload = pending.pop()
        if payload in pressed or payload.startswith("lang:"):
            continue  # switching language is walked in its own test
        pressed.add(payload)
        answer = await bot.postback(psid, payload)
        assert answer, f"no answer to {payload}"
        assert_one_language(answer, locale)
        pending += [found for _title, found in choices(answer) if found not in pressed]

    assert len(pressed) > 30, " ".join(sorted(pressed))
    assert not bot.graph.rejected()
    messages = bot.graph.messages(psid)
    for message in messages:
        quick_replies = message.get("quick_replies", [])
        assert len(quick_replies) <= 13
    for title, _payload in choices(messages):
        assert 0 < utf16_length(title) <= 20, title


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_pressing_more_shows_the_remaining_choices(bot: MessengerBot, locale: str) -> None:
    psid = f"7200000000001{locale}"
    await bot.say(psid, {"km": "សួស្តី", "en": "hello"}[locale])
    # What a reply with more than 13 choices carries on its 13th quick reply (see rendering).
    rest = [("Fees", "fee:all"), ("Documents", "i:ask_documents"), ("Criteria", "i:ask_criteria")]
    many = [Button(str(n), f"crit:{n}") for n in range(1, 13)]
    many += [Button(title, payload) for title, payload in rest]
    with use_locale(locale):
        [rendered] = render_replies([TextReply("?", tuple(many))])
        more = rendered.message["quick_replies"][-1]
        expected_title = pgettext("button", "More")
        expected_text = _("More choices:")
    assert more["title"] == expected_title
    shown = await bot.tap(psid, more["title"], more["payload"])
    assert [m.get("text") for m in shown] == [expected_text]
    assert choices(shown) == rest
    fees = await bot.choose(psid, shown, "fee:all")
    assert {"km": "250$", "en": "$250"}[locale] in " ".join(message_texts(fees))


async def test_a_broken_more_payload_shows_the_menu(bot: MessengerBot) -> None:
    shown = await bot.tap("7200000000002", "More", "mx:more:not-valid-data")
    assert "i:ask_documents" in [payload for _title, payload in choices(shown)]
