"""Long polling with getUpdates, for a bot without a public HTTPS address (a laptop behind NAT).

Each update is stored in the inbox before the next getUpdates call confirms it to Telegram
(by asking from a higher offset), so an update is never lost between the two.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, Final

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import InvalidToken, RetryAfter, TelegramError

log = logging.getLogger(__name__)

UpdateAcceptor = Callable[[dict[str, Any]], Awaitable[object]]
_MAX_BACKOFF: Final = 30.0


def _seconds(retry_after: timedelta | int) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


async def poll_updates(
    bot: Bot,
    accept: UpdateAcceptor,
    *,
    poll_seconds: int,
    allowed_updates: Sequence[str],
) -> None:
    """Fetch updates until cancelled and hand each to ``accept`` (the inbox), in order."""
    offset: int | None = None
    backoff = 1.0
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=poll_seconds, allowed_updates=list(allowed_updates)
            )
        except InvalidToken:
            log.error("Telegram refused the bot token; polling stopped")
            raise
        except RetryAfter as exc:
            await asyncio.sleep(_seconds(exc.retry_after))
            continue
        except TelegramError as exc:
            # Network trouble, or Conflict: another process polls with this token.
            log.warning("getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF)
            continue
        try:
            for update in updates:
                await accept(update.to_dict())
                offset = update.update_id + 1
        except SQLAlchemyError:
            # Not stored, so not confirmed: the next getUpdates returns the same updates.
            log.exception("could not store Telegram updates; retrying in %.0f s", backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF)
            continue
        backoff = 1.0
