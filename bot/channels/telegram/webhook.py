"""``POST /telegram/webhook``: check the secret token, store the update, answer at once.

Every authenticated body gets an answer below 500 unless storage itself is down: a body that
is too large gets 413, one that is not safe JSON (see :mod:`bot.channels.safe_json`) or not an
update gets 400, each with a log line. A storage failure answers 503, so Telegram delivers the
update again.
"""

from __future__ import annotations

import hmac
import logging
from typing import Final

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.safe_json import (
    INT64_MAX,
    MAX_BODY_BYTES,
    UnsafeJsonError,
    load_body,
    read_body,
)
from bot.channels.telegram.channel import MalformedUpdateError, TelegramChannel
from bot.channels.telegram.inbound import CHANNEL
from bot.metrics import webhook_answered

log = logging.getLogger(__name__)

WEBHOOK_PATH: Final = "/telegram/webhook"
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_CHANNEL_KEY: web.AppKey[TelegramChannel] = web.AppKey("telegram_channel", TelegramChannel)
# Errors that mean the inbox could not store the update (not that the update is bad).
STORAGE_ERRORS: Final = (SQLAlchemyError, ConnectionError, TimeoutError)


def secret_matches(received: str, expected: str | None) -> bool:
    """Compare the secret token in constant time; nothing matches when none is configured."""
    if not expected:
        return False
    return hmac.compare_digest(received.encode(), expected.encode())


def _refused(status: int, reason: str) -> web.Response:
    log.warning("Telegram webhook body refused (%d): %s", status, reason)
    return web.Response(status=status, text=reason)


def _is_update_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT64_MAX


async def _telegram_webhook(request: web.Request) -> web.Response:
    """Authenticate, store in the durable inbox, acknowledge; processing happens after."""
    channel = request.app[TELEGRAM_CHANNEL_KEY]
    received = request.headers.get(SECRET_HEADER)
    if received is None:
        log.warning("Telegram webhook called without a secret token")
        return web.Response(status=401)
    if not secret_matches(received, channel.config.webhook_secret):
        log.warning("Telegram webhook called with a wrong secret token")
        return web.Response(status=403)
    raw = await read_body(request, MAX_BODY_BYTES)
    if raw is None:
        return _refused(413, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        body = await load_body(raw)
    except UnsafeJsonError as exc:
        return _refused(400, f"body is not JSON the bot accepts ({exc})")
    if not isinstance(body, dict) or not _is_update_id(body.get("update_id")):
        return _refused(400, "not a Telegram update")
    try:
        await channel.accept(body)
    except MalformedUpdateError:
        return _refused(400, "not a Telegram update")
    except STORAGE_ERRORS:
        log.exception("Telegram update could not be stored; Telegram will deliver it again")
        return web.Response(status=503, text="try again later")
    except Exception:
        # Any other failure comes from the body's content (python-telegram-bot refusing a
        # value, e.g. a date out of range): answering 5xx would only make Telegram repeat it.
        log.exception("Telegram update refused: it could not be read")
        return web.Response(status=400, text="not a Telegram update")
    return web.Response(status=200)


async def telegram_webhook(request: web.Request) -> web.Response:
    """Authenticate, store in the durable inbox, acknowledge; processing happens after."""
    response = await _telegram_webhook(request)
    webhook_answered(CHANNEL, response.status)
    return response
