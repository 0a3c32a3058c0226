"""Bot commands and deep links: what each means to the core, and the menu shown in Telegram."""

from __future__ import annotations

import logging
import re
from types import MappingProxyType
from typing import Final

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.channels.links import payload_for_link
from bot.i18n import NP_, pgettext, use_locale

log = logging.getLogger(__name__)

# Each command, the core payload it stands for, and its menu description (translated).
COMMANDS: Final = (
    ("start", "i:greet", NP_("command", "Main menu")),
    ("help", "i:help", NP_("command", "How to use this bot")),
    ("language", "i:change_language", NP_("command", "Change the language")),
    ("check", "i:check_shop", NP_("command", "Check whether a shop is certified")),
    ("apply", "i:apply", NP_("command", "Apply for the trustmark")),
    ("status", "i:application_status", NP_("command", "My applications and certificates")),
    ("complain", "i:complain", NP_("command", "Complain about a shop")),
)
COMMAND_PAYLOADS: Final = MappingProxyType({name: payload for name, payload, _ in COMMANDS})

# A command as Telegram recognises one: ``/`` and up to 32 letters, digits or underscores,
# optionally ``@botname``. Whatever follows ("?", ".", ":", ", please") is not part of it.
_COMMAND_NAME: Final = re.compile(r"/?([A-Za-z0-9_]{1,32})")

# The menu language for users whose Telegram is in another language is Khmer.
MENU_LOCALES: Final = (("km", None), ("en", "en"))


def certificate_deep_link(bot_username: str, certificate_id: str) -> str:
    """The t.me link that opens the verification of a certificate in the bot."""
    return f"https://t.me/{bot_username}?start=cert_{certificate_id}"


def start_payload(argument: str | None) -> str:
    """The core payload for ``/start`` with an optional deep-link argument."""
    payload = payload_for_link(argument)
    if payload is not None:
        return payload
    if argument:
        log.info("unknown deep-link argument ignored")
    return COMMAND_PAYLOADS["start"]


def command_name(text: str) -> str | None:
    """The command at the start of ``text``, lower case: ``/Help?`` and ``help@bot`` are ``help``.

    None when ``text`` does not start with a command name.
    """
    match = _COMMAND_NAME.match(text.strip())
    return match.group(1).lower() if match else None


def command_payload(command: str, arguments: list[str]) -> str:
    """The core payload for a menu command (``/check``, ``/start cert_...``).

    ``command`` may carry what the user typed after it (``help?``, ``start,``); a command the
    table does not know opens the main menu rather than failing.
    """
    name = command_name(command)
    if name == "start":
        return start_payload(arguments[0] if arguments else None)
    payload = COMMAND_PAYLOADS.get(name or "")
    if payload is None:
        log.info("unknown command answered with the main menu")
        return COMMAND_PAYLOADS["start"]
    return payload


def menu_commands(locale: str) -> list[BotCommand]:
    """The command menu with descriptions in ``locale``."""
    with use_locale(locale):
        return [BotCommand(name, pgettext("command", text)) for name, _, text in COMMANDS]


async def register_menu_commands(bot: Bot) -> None:
    """Register the command menu: Khmer by default, English for English-language apps."""
    for locale, language_code in MENU_LOCALES:
        try:
            await bot.set_my_commands(menu_commands(locale), language_code=language_code)
        except TelegramError:
            # The menu is a convenience: the bot works without it, so starting goes on.
            log.warning("could not register the %s command menu", locale, exc_info=True)
