"""Typed navigation words that work at every step: menu, back, cancel, help, language.

A message is navigation only when it is (nearly) nothing but the word: "back", "ត្រឡប់",
"tov krauy", "please go back", a typo such as "cancle". Words inside a longer sentence are
left to the step's parser and the NLU. Romanized Khmer is spelt many ways, so each word lists
the usual spellings. "ban" (can, got it) is an answer, never navigation.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from rapidfuzz.distance import OSA

from nlu.normalise import normalise

_TRAILING = re.compile(r"[\s.!?\u17d4\u17d5]+$")
_SPACES = re.compile(r"[\s,]+")
# Polite words around a navigation word that do not change it.
_POLITE: Final = frozenset(
    {"please", "pls", "plz", "sorry", "ok", "okay", "bong", "សូម", "បង", "som", "na", "now"}
)


class Navigation(StrEnum):
    """A request to move around rather than a question."""

    MENU = "menu"
    BACK = "back"
    CANCEL = "cancel"
    HELP = "help"
    LANGUAGE = "language"
    RESUME = "resume"


_PHRASES: Final[dict[Navigation, tuple[str, ...]]] = {
    Navigation.MENU: (
        "menu",
        "main menu",
        "the menu",
        "show menu",
        "home",
        "go home",
        "/menu",
        "/start",
        "ម៉ឺនុយ",
        "ម៉ឺនុយដើម",
        "ទៅម៉ឺនុយ",
        "ទំព័រដើម",
        "មឺនុយ",
        "menu derm",
        "menu deum",
        "meunuy",
        "muenuy",
        "tov menu",
    ),
    Navigation.BACK: (
        "back",
        "go back",
        "back please",
        "previous",
        "previous step",
        "step back",
        "/back",
        "ថយក្រោយ",
        "ត្រឡប់ក្រោយ",
        "ត្រឡប់",
        "ត្រឡប់វិញ",
        "ត្រឡប់ទៅវិញ",
        "ត្រលប់ក្រោយ",
        "ត្រលប់",
        "ថយ",
        "ថយក្រោយវិញ",
        "ទៅក្រោយ",
        "tov krauy",
        "tov kroy",
        "tov krouy",
        "tov kraoy",
        "tov krao",
        "tov kroay",
        "thoy krauy",
        "thoy kroy",
        "toy krauy",
        "toy kroy",
        "thoy",
        "trolob",
        "trolob krauy",
        "trolob kroy",
        "tralob",
        "tralob kroy",
        "trolob vinh",
    ),
    Navigation.CANCEL: (
        "cancel",
        "/cancel",
        "stop",
        "exit",
        "quit",
        "end",
        "stop it",
        "forget it",
        "បោះបង់",
        "ឈប់",
        "ឈប់សិន",
        "បញ្ឈប់",
        "ចាកចេញ",
        "bos bong",
        "bosbong",
        "bohbong",
        "boh bong",
        "chhob",
        "chob",
        "chhop",
        "chhob sen",
        "chob sin",
    ),
    Navigation.RESUME: (
        "continue",
        "resume",
        "go on",
        "/continue",
        "បន្ត",
        "ធ្វើបន្ត",
        "bantor",
        "banta",
        "bonta",
    ),
    Navigation.HELP: ("/help",),
    Navigation.LANGUAGE: (
        "/language",
        "language",
        "change language",
        "ភាសា",
        "ប្តូរភាសា",
        "pheasa",
        "phasa",
        "dor pheasa",
        "pdo pheasa",
    ),
}


def _key(text: str) -> str:
    """A typed message reduced to its words: normalised, no trailing or polite words."""
    cleaned = _TRAILING.sub("", normalise(text).text.strip())
    words = [w for w in _SPACES.split(cleaned) if w]
    while len(words) > 1 and words[0] in _POLITE:
        words.pop(0)
    while len(words) > 1 and words[-1] in _POLITE:
        words.pop()
    return " ".join(words)


_WORDS: Final[dict[str, Navigation]] = {
    _key(phrase): navigation for navigation, phrases in _PHRASES.items() for phrase in phrases
}
# Typos are forgiven only in longer Latin words ("cancle", "bakc"), never in Khmer, where one
# character makes another word.
_FUZZY: Final = tuple(
    (word, navigation)
    for word, navigation in _WORDS.items()
    if len(word) >= 4 and word.isascii() and not word.startswith("/")
)


def parse_navigation(text: str) -> Navigation | None:
    """The navigation request a typed message makes, if it is (nearly) only a known word."""
    key = _key(text)
    if not key:
        return None
    found = _WORDS.get(key)
    if found is not None:
        return found
    if key.isascii() and len(key) >= 4:
        for word, navigation in _FUZZY:
            if OSA.distance(key, word, score_cutoff=1) <= 1 and key[0] == word[0]:
                return navigation
    return None


def parse_navigation_payload(argument: str) -> Navigation | None:
    """The navigation a ``nav:<name>`` button asks for."""
    try:
        return Navigation(argument)
    except ValueError:
        return None
