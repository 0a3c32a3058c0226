"""Switching the conversation language; the choice is remembered for the user."""

from __future__ import annotations

import re

from bot import keyboards
from bot.i18n import SUPPORTED_LOCALES, _, use_locale
from bot.language import LocaleSource
from bot.messages import Button
from bot.turn import Turn

# Language names in their own script are the same in every locale, so they are not translated.
LANGUAGE_BUTTONS = (Button("ខ្មែរ", "lang:km"), Button("English", "lang:en"))

_NAMED_LANGUAGE = (
    (re.compile(r"english|anglais|អង់គ្លេស|\ben\b", re.IGNORECASE), "en"),
    (re.compile(r"khmer|khmae|khmai|ខ្មែរ|\bkm\b", re.IGNORECASE), "km"),
)


def named_language(text: str) -> str | None:
    """The language a message names ("switch to English", "ភាសាខ្មែរ"), if exactly one."""
    found = {locale for pattern, locale in _NAMED_LANGUAGE if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


async def choose_language(turn: Turn) -> None:
    """Switch to the language the user named, or ask which one."""
    locale = named_language(turn.text)
    if locale is not None:
        await set_language(turn, locale)
        return
    turn.outbox.say(_("Choose your language:"), LANGUAGE_BUTTONS)


async def set_language(turn: Turn, locale: str) -> None:
    """Remember the user's language and confirm in it."""
    if locale not in SUPPORTED_LOCALES:
        turn.outbox.say(_("Choose your language:"), LANGUAGE_BUTTONS)
        return
    turn.state.locale = locale
    turn.state.locale_source = LocaleSource.CHOSEN
    with use_locale(locale):
        # Translators: name the language of this catalog (Khmer in the Khmer catalog).
        turn.outbox.say(_("From now on I will answer in English."), keyboards.main_menu())


async def on_payload(turn: Turn, argument: str) -> None:
    """Handle a ``lang:<code>`` button."""
    await set_language(turn, argument)
