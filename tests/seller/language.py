"""A reply in Khmer may show what the user typed (names, addresses, links) and references; the
bot's own words around them must all be Khmer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.channels.text_render import reply_as_text
from bot.messages import Reply
from tests.language_check import LATIN_ALLOWED_IN_KHMER

_LATIN = re.compile(r"[A-Za-z]+")
_NOT_WORDS = re.compile(
    r"https?://\S+|[\w.\-]+\.[a-z]{2,}(?:/\S*)?|\S+@\S+|\b(?:APP|CETS|CMP|EC)-\d{4}-\d{6}\b"
    r"|\+?\d[\d ]{6,}\d"
)


def bot_words_not_khmer(replies: Sequence[Reply], user_values: Iterable[str]) -> list[str]:
    """Latin words in Khmer replies that are neither the user's own values nor allowed names."""
    values = sorted((v for v in user_values if v), key=len, reverse=True)
    problems: list[str] = []
    for reply in replies:
        text = reply_as_text(reply)
        for value in values:
            text = text.replace(value, " ")
        text = _NOT_WORDS.sub(" ", text)
        problems += [w for w in _LATIN.findall(text) if w not in LATIN_ALLOWED_IN_KHMER]
    return problems
