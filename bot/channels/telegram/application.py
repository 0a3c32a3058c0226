"""python-telegram-bot's ``Bot`` for sending, downloading and registering the webhook.

Updates do not go through PTB's ``Application`` or its dispatcher: the inbox feeds each stored
update to :class:`bot.channels.telegram.updates.UpdateRouter`, one user at a time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Coroutine
from typing import Any, Final

from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.channels.telegram.aiohttp_request import AiohttpRequest
from bot.channels.telegram.config import TelegramConfig
from bot.send_budget import SendBudget, is_prepaid

# Times a request that Telegram refused with 429 is retried after waiting ``retry_after``.
RATE_LIMIT_RETRIES: Final = 3
# Requests in flight at once (PTB's Application uses the same).
CONNECTION_POOL: Final = 256

TelegramBot = ExtBot[Any]


class BudgetRateLimiter(AIORateLimiter):
    """PTB's limiter (group limits, waiting out a 429) with the token's send budget instead of
    its own per-process overall limit: the budget may be shared by every worker (Redis).

    Requests to a chat take one send from the budget, unless the caller paid for it already
    (:func:`bot.send_budget.prepaid`, as the channel does before recording a message as sent).
    """

    def __init__(self, budget: SendBudget, *, max_retries: int) -> None:
        super().__init__(overall_max_rate=0, max_retries=max_retries)
        self._budget = budget

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Take a send from the budget for a chat request, then PTB's own limiting."""
        if data.get("chat_id") is not None and not is_prepaid():
            await self._budget.acquire()
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def _rate_limiter(config: TelegramConfig, budget: SendBudget | None) -> AIORateLimiter | None:
    if not config.rate_limiter:
        return None  # TELEGRAM_RATE_LIMITER_OFF (benchmarks against a fake)
    if budget is None:
        return AIORateLimiter(
            overall_max_rate=config.max_sends_per_second, max_retries=RATE_LIMIT_RETRIES
        )
    return BudgetRateLimiter(budget, max_retries=RATE_LIMIT_RETRIES)


def build_bot(config: TelegramConfig, budget: SendBudget | None = None) -> TelegramBot:
    """A Bot on our API base URLs, with the rate limiter (call ``initialize`` before use).

    ``AIORateLimiter`` keeps within Telegram's flood limits and, on a 429, waits
    ``retry_after`` and retries (holding back every other request meanwhile). With a
    ``budget`` (the token's, shared by the workers) that budget is the overall limit.
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
        rate_limiter=_rate_limiter(config, budget),
    )
