"""The typed keys of what the bot's aiohttp application holds, in a module of their own.

Channels and the server both import these; neither imports the other for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.channels.base import Channel
    from bot.runtime import BotRuntime

SETTINGS_KEY: web.AppKey[Settings] = web.AppKey("settings", Settings)
RUNTIME_KEY: web.AppKey[BotRuntime] = web.AppKey("runtime")
CHANNELS_KEY: web.AppKey[dict[str, Channel]] = web.AppKey("channels")
