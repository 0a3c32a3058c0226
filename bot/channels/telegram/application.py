"""python-telegram-bot's ``Bot`` for sending, downloading and registering the webhook.

Updates do not go through PTB's ``Application`` or its dispatcher: the inbox feeds each stored
update to :class:`bot.channels.telegram.updates.UpdateRouter`, one user at a time.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Final

from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.channels.telegram.aiohttp_request import AiohttpRequest
from bot.channels.telegram.config import TelegramConfig

# Times a request that Telegram refused with 429 is retried after waiting ``retry_after``.
RATE_LIMIT_RETRIES: Final = 3
# Requests in flight at once (PTB's Application uses the same).
CONNECTION_POOL: Final = 256

TelegramBot = ExtBot[Any]


def build_bot(config: TelegramConfig) -> TelegramBot:
    """A Bot on our API base URLs, with the rate limiter (call ``initialize`` before use).

    ``AIORateLimiter`` keeps within Telegram's flood limits and, on a 429, waits
    ``retry_after`` and retries (holding back every other request meanwhile).
    """
    # Opt in to python-telegram-bot's coming timedelta attributes, so that handling a 429
    # (RetryAfter) does not raise a deprecation warning on every rate limit.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return ExtBot(
        token=config.bot_token,
        base_url=config.api_base_url,
        base_file_url=config.api_base_file_url,
        local_mode=config.local_mode,
        request=AiohttpRequest(connection_pool_size=CONNECTION_POOL),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=(
            AIORateLimiter(
                overall_max_rate=config.max_sends_per_second, max_retries=RATE_LIMIT_RETRIES
            )
            if config.rate_limiter
            else None
        ),
    )
