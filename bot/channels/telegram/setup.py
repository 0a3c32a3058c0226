"""Wiring the Telegram channel into the bot's one aiohttp server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from aiohttp import web

from bot.channels.base import Channel, ChannelSetup
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.inbound import CHANNEL
from bot.channels.telegram.webhook import TELEGRAM_CHANNEL_KEY, WEBHOOK_PATH, telegram_webhook
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.runtime import BotRuntime


class TelegramSetup(ChannelSetup):
    """``POST /telegram/webhook`` and the channel, when TELEGRAM_BOT_TOKEN is set."""

    name: ClassVar[str] = CHANNEL

    def __init__(self, config: TelegramConfig) -> None:
        self.config = config

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramSetup:
        """Read the TELEGRAM_* variables (raises TelegramConfigError on a mistake)."""
        return cls(TelegramConfig.from_env(settings.telegram_bot_token or ""))

    def routes(self) -> Sequence[web.RouteDef]:
        """The webhook route (used in webhook mode; answers 401/403 otherwise)."""
        return [web.post(WEBHOOK_PATH, telegram_webhook)]

    def create(self, app: web.Application, runtime: BotRuntime) -> Channel:
        """The channel, reachable by the webhook route."""
        channel = TelegramChannel(self.config, runtime)
        app[TELEGRAM_CHANNEL_KEY] = channel
        return channel
