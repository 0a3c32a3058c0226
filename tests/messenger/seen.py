"""What a user sees in the messages the bot sent: texts and the choices they can tap."""

from __future__ import annotations

import re
from typing import Any

from bot.messages import TextReply
from tests.language_check import language_problems

Json = dict[str, Any]
# Links and handles (facebook.com/shop, t.me/shop) are names, not words of a language.
_LINK = re.compile(r"\S+\.[a-z]{2,}\S*", re.IGNORECASE)


def message_texts(messages: list[Json]) -> list[str]:
    """Every text a user can read in these messages: texts, template texts, card titles."""
    texts: list[str] = []
    for message in messages:
        if "text" in message:
            texts.append(message["text"])
        payload = message.get("attachment", {}).get("payload", {})
        if payload.get("template_type") == "button":
            texts.append(payload["text"])
        for element in payload.get("elements", []):
            texts += [element["title"], element.get("subtitle", "")]
    return texts


def choices(messages: list[Json]) -> list[tuple[str, str]]:
    """Every (title, payload) a user can tap in these messages."""
    found: list[tuple[str, str]] = []
    for message in messages:
        found += [(q["title"], q["payload"]) for q in message.get("quick_replies", [])]
        payload = message.get("attachment", {}).get("payload", {})
        buttons = list(payload.get("buttons", []))
        for element in payload.get("elements", []):
            buttons += element.get("buttons", [])
        found += [(b["title"], b["payload"]) for b in buttons]
    return found


def assert_one_language(messages: list[Json], locale: str) -> None:
    """Fail when what the user sees (texts and button titles) mixes languages."""
    seen = message_texts(messages) + [title for title, _payload in choices(messages)]
    for text in seen:
        problems = language_problems(TextReply(_LINK.sub("", text)), locale)
        assert not problems, f"{locale} message mixes languages {problems}: {text}"
