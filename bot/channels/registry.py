"""The channels the server can run, and which of them the settings enable."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Final

from bot.channels.base import ChannelSetup
from bot.settings import Settings

# Each channel: whether the settings enable it, and its setup class (imported only then, as a
# channel's libraries are heavy).
SETUPS: Final[tuple[tuple[Callable[[Settings], bool], str, str], ...]] = (
    (lambda s: bool(s.telegram_bot_token), "bot.channels.telegram.setup", "TelegramSetup"),
    (
        lambda s: bool(s.messenger_page_access_token),
        "bot.channels.messenger.setup",
        "MessengerSetup",
    ),
)


def configured_channels(settings: Settings) -> list[ChannelSetup]:
    """The setups of the channels the settings enable, their configuration checked."""
    setups: list[ChannelSetup] = []
    for enabled, module_name, class_name in SETUPS:
        if enabled(settings):
            setup_class: type[ChannelSetup] = getattr(
                importlib.import_module(module_name), class_name
            )
            setups.append(setup_class.from_settings(settings))
    return setups
