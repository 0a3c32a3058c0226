"""Checks that a reply is written in one language only."""

from __future__ import annotations

import re

from bot.channels.text_render import reply_as_text
from bot.messages import Reply

_KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]+")
_LATIN = re.compile(r"[A-Za-z]+")
_LINK = re.compile(r"(?:https?://)?[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}(?:/\S*)?", re.IGNORECASE)
# Names and acronyms that stay in Latin letters in Khmer text, and the one Khmer word an English
# reply may show: the name of the Khmer language on the language button.
LATIN_ALLOWED_IN_KHMER = frozenset(
    {
        "CETS",
        "CMP",
        "APP",
        "USD",
        "KHR",
        "PDF",
        "URL",
        "SSL",
        "KHQR",
        "QR",
        "Bakong",
        "ASEAN",
        "MoC",
        "English",
        "Facebook",
        "Telegram",
        "ADB",
        "OK",
        # Bank and wallet names, which Cambodians write in Latin letters in Khmer too.
        "ABA",
        "ACLEDA",
        "Wing",
    }
)
KHMER_ALLOWED_IN_ENGLISH = frozenset({"ខ្មែរ"})


def language_problems(reply: Reply, locale: str) -> list[str]:
    """Words of the other language in a reply meant for ``locale`` (empty when clean)."""
    # Links and domains (moc.gov.kh, facebook.com/shop) are names, not words of a language.
    text = _LINK.sub("", reply_as_text(reply))
    if locale == "km":
        return [w for w in _LATIN.findall(text) if w not in LATIN_ALLOWED_IN_KHMER]
    return [w for w in _KHMER.findall(text) if w not in KHMER_ALLOWED_IN_ENGLISH]


def assert_single_language(replies: list[Reply], locale: str) -> None:
    """Fail when any reply mixes in words of the other language."""
    for reply in replies:
        problems = language_problems(reply, locale)
        assert not problems, f"{locale} reply mixes languages {problems}: {reply_as_text(reply)}"
