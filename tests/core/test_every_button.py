"""Walk every button the bot offers, in both languages: no reply mixes languages or dead-ends."""

from __future__ import annotations

import pytest

from bot.channels.collecting import CollectingChannel
from bot.core import ConversationCore
from tests.language_check import assert_single_language

MAX_DEPTH = 5
# Messenger shows at most 20 characters of a quick reply; longer labels need a short form.
SHORT_LIMIT = 20


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_every_reachable_reply_is_in_one_language(
    core: ConversationCore, locale: str
) -> None:
    seen: set[str] = set()
    frontier: list[tuple[str, ...]] = [()]
    users = 0
    for _depth in range(MAX_DEPTH):
        next_frontier: list[tuple[str, ...]] = []
        for path in frontier:
            users += 1
            chat = CollectingChannel(core, user_id=f"walker-{locale}-{users}")
            await core.set_language(chat.channel, chat.user_id, locale)
            await chat.say({"km": "សួស្តី", "en": "hello"}[locale])
            for payload in path:
                await chat.press_payload(payload)
            assert chat.last, f"no reply after {path}"
            if path and path[-1].startswith("lang:"):
                # A language button answers in the language chosen, and the walk stops there.
                assert_single_language(chat.last, path[-1].removeprefix("lang:"))
                continue
            assert_single_language(chat.last, locale)
            assert chat.buttons(), f"dead end without buttons after {path}"
            for button in chat.buttons():
                fits = len(button.label) <= SHORT_LIMIT or (
                    button.short_label is not None and len(button.short_label) <= SHORT_LIMIT
                )
                assert fits, f"{locale} button {button.label!r} has no short form"
                if button.payload not in seen:
                    seen.add(button.payload)
                    next_frontier.append((*path, button.payload))
        frontier = next_frontier
    assert {"fee:all", "i:ask_documents", "i:ask_criteria", "crit:9", "elig:reg:yes"} <= seen
