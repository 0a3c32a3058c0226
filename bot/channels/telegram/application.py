"""Build python-telegram-bot's ``Application`` without an updater: our aiohttp server feeds it."""

from __future__ import annotations

import logging
import os
from typing import Any, Final

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.channels.telegram.config import TelegramConfig

# Times a request that Telegram refused with 429 is retried after waiting ``retry_after``.
RATE_LIMIT_RETRIES: Final = 3

TelegramApplication = Application[Any, ContextTypes.DEFAULT_TYPE, Any, Any, Any, Any]


def build_application(config: TelegramConfig) -> TelegramApplication:
    """An Application with no updater, our API base URLs and the rate limiter.

    ``AIORateLimiter`` keeps within Telegram's flood limits and, on a 429, waits
    ``retry_after`` and retries (holding back every other request meanwhile).
    """
    # Opt in to python-telegram-bot's coming timedelta attributes, so that handling a 429
    # (RetryAfter) does not raise a deprecation warning on every rate limit.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder: Any = (
        ApplicationBuilder()
        .token(config.bot_token)
        .updater(None)
        .base_url(config.api_base_url)
        .base_file_url(config.api_base_file_url)
        .local_mode(config.local_mode)
    )
    if config.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
    application: TelegramApplication = builder.build()
    return application
