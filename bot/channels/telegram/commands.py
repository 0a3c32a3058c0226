"""Bot commands and deep links: what each means to the core, and the menu shown in Telegram."""

from __future__ import annotations

import logging
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
    ("complain", "i:complain", NP_("command", "Complain about a shop")),
)
COMMAND_PAYLOADS: Final = MappingProxyType({name: payload for name, payload, _ in COMMANDS})

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


def command_payload(command: str, arguments: list[str]) -> str:
    """The core payload for a menu command (``/check``, ``/start cert_...``)."""
    if command == "start":
        return start_payload(arguments[0] if arguments else None)
    return COMMAND_PAYLOADS[command]


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
