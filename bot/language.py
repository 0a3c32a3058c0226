"""Decide which language to answer in, before and after the user has chosen one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.i18n import DEFAULT_LOCALE, normalise_locale

_KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
_LATIN_WORD = re.compile(r"[a-z]+")

# Words of Khmer typed in Latin letters. Strong ones are not English words; weak ones are
# (or are too short to trust alone), so they only count together with another marker.
_STRONG_ROMANIZED: Final = frozenset(
    {
        "tlai",
        "thlai",
        "ponman",
        "ponmann",
        "bong",
        "chong",
        "jong",
        "knhom",
        "khnhom",
        "kgnom",
        "nhom",
        "akun",
        "orkun",
        "arkun",
        "sabay",
        "sabai",
        "sdey",
        "neak",
        "hagn",
        "luy",
        "peak",
        "torng",
        "eyvan",
        "avey",
        "roboh",
        "rbos",
        "nis",
        "nih",
        "trov",
        "tver",
        "twer",
        "baan",
        "jas",
        "chas",
        "chea",
        "somtos",
        "sorm",
        "jol",
        "chol",
    }
)
_WEAK_ROMANIZED: Final = frozenset(
    {
        "ban",
        "te",
        "tei",
        "ot",
        "ort",
        "hang",
        "dak",
        "tov",
        "mok",
        "ey",
        "som",
        "sour",
        "pon",
        "man",
        "yok",
        "kom",
        "ach",
        "klach",
        "bat",
        "na",
        "vea",
        "min",
    }
)
_ENGLISH_SWITCH_WORDS: Final = 3


class LocaleSource(StrEnum):
    """Where the conversation's language came from; a user's choice always wins."""

    NONE = "none"
    DETECTED = "detected"
    PLATFORM = "platform"
    CHOSEN = "chosen"


@dataclass(frozen=True, slots=True)
class LocaleDecision:
    """The language to answer in and why."""

    locale: str
    source: LocaleSource


def contains_khmer(text: str) -> bool:
    """True when the text has any Khmer script."""
    return _KHMER.search(text) is not None


def looks_romanized_khmer(text: str) -> bool:
    """True when Latin-letter text reads like Khmer typed in Latin letters ("tlai ponman")."""
    words = _LATIN_WORD.findall(text.lower())
    score = sum(2 if w in _STRONG_ROMANIZED else 1 if w in _WEAK_ROMANIZED else 0 for w in words)
    return score >= 2


def detect_locale(text: str) -> str | None:
    """The locale the text is written for (``km`` or ``en``), or None when it says nothing."""
    if contains_khmer(text) or looks_romanized_khmer(text):
        return "km"
    return "en" if _LATIN_WORD.search(text.lower()) else None


def decide_locale(
    current: str | None, source: LocaleSource, text: str, platform_code: str | None
) -> LocaleDecision:
    """Pick the reply language for this message.

    A saved choice wins. Before any choice, the first message's script decides, then the
    platform's language code, then Khmer. Later, a message clearly in the other language
    switches the reply language (Khmer script at once; English only from a few words, so a
    lone "ok" does not flip a Khmer conversation).
    """
    if current is not None and source is LocaleSource.CHOSEN:
        return LocaleDecision(current, source)
    detected = detect_locale(text)
    if current is None:
        if detected == "km":
            return LocaleDecision("km", LocaleSource.DETECTED)
        platform = normalise_locale(platform_code)
        if platform is not None:
            return LocaleDecision(platform, LocaleSource.PLATFORM)
        if detected is not None:
            return LocaleDecision(detected, LocaleSource.DETECTED)
        return LocaleDecision(DEFAULT_LOCALE, LocaleSource.NONE)
    if detected == "km" and current != "km":
        return LocaleDecision("km", LocaleSource.DETECTED)
    english_words = len(_LATIN_WORD.findall(text.lower()))
    if detected == "en" and current != "en" and english_words >= _ENGLISH_SWITCH_WORDS:
        return LocaleDecision("en", LocaleSource.DETECTED)
    return LocaleDecision(current, source)
