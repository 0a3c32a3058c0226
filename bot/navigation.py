"""Typed navigation words that work at every step: menu, back, cancel, help, language."""

from __future__ import annotations

import re
from enum import StrEnum

from nlu.normalise import normalise

_TRAILING = re.compile(r"[\s.!?\u17d4\u17d5]+$")


class Navigation(StrEnum):
    """A request to move around rather than a question."""

    MENU = "menu"
    BACK = "back"
    CANCEL = "cancel"
    HELP = "help"
    LANGUAGE = "language"
    RESUME = "resume"


_WORDS: dict[str, Navigation] = {
    "menu": Navigation.MENU,
    "main menu": Navigation.MENU,
    "/menu": Navigation.MENU,
    "/start": Navigation.MENU,
    "ម៉ឺនុយ": Navigation.MENU,
    "ម៉ឺនុយដើម": Navigation.MENU,
    "back": Navigation.BACK,
    "/back": Navigation.BACK,
    "go back": Navigation.BACK,
    "ថយក្រោយ": Navigation.BACK,
    "ត្រឡប់ក្រោយ": Navigation.BACK,
    "cancel": Navigation.CANCEL,
    "/cancel": Navigation.CANCEL,
    "stop": Navigation.CANCEL,
    "exit": Navigation.CANCEL,
    "quit": Navigation.CANCEL,
    "បោះបង់": Navigation.CANCEL,
    "ឈប់": Navigation.CANCEL,
    "continue": Navigation.RESUME,
    "resume": Navigation.RESUME,
    "go on": Navigation.RESUME,
    "/continue": Navigation.RESUME,
    "បន្ត": Navigation.RESUME,
    "ធ្វើបន្ត": Navigation.RESUME,
    "bantor": Navigation.RESUME,
    "banta": Navigation.RESUME,
    "bonta": Navigation.RESUME,
    "/help": Navigation.HELP,
    "/language": Navigation.LANGUAGE,
}


def parse_navigation(text: str) -> Navigation | None:
    """The navigation request a typed message makes, if it is exactly one of the known words."""
    cleaned = _TRAILING.sub("", normalise(text).text.strip())
    return _WORDS.get(cleaned)


def parse_navigation_payload(argument: str) -> Navigation | None:
    """The navigation a ``nav:<name>`` button asks for."""
    try:
        return Navigation(argument)
    except ValueError:
        return None
