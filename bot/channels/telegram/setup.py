"""Wire the Telegram channel into the bot's one aiohttp server."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.webhook import TELEGRAM_CHANNEL_KEY, WEBHOOK_PATH, telegram_webhook
from bot.server import RUNTIME_KEY, SETTINGS_KEY


def setup_telegram(app: web.Application) -> None:
    """Add ``POST /telegram/webhook`` and start/stop the channel with the server.

    Configuration errors surface here, before the server starts listening.
    """
    config = TelegramConfig.from_env(app[SETTINGS_KEY].telegram_bot_token or "")

    async def telegram_context(app: web.Application) -> AsyncIterator[None]:
        channel = TelegramChannel(config, app[RUNTIME_KEY])
        try:
            await channel.start()
        except BaseException:
            await channel.stop()
            raise
        app[TELEGRAM_CHANNEL_KEY] = channel
        try:
            yield
        finally:
            await channel.stop()

    app.router.add_post(WEBHOOK_PATH, telegram_webhook)
    app.cleanup_ctx.append(telegram_context)
