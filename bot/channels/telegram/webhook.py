"""``POST /telegram/webhook``: check the secret token, store the update, answer at once."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Final

from aiohttp import web

from bot.channels.telegram.channel import MalformedUpdateError, TelegramChannel

log = logging.getLogger(__name__)

WEBHOOK_PATH: Final = "/telegram/webhook"
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
TELEGRAM_CHANNEL_KEY: web.AppKey[TelegramChannel] = web.AppKey("telegram_channel", TelegramChannel)


def secret_matches(received: str, expected: str | None) -> bool:
    """Compare the secret token in constant time; nothing matches when none is configured."""
    if not expected:
        return False
    return hmac.compare_digest(received.encode(), expected.encode())


async def telegram_webhook(request: web.Request) -> web.Response:
    """Authenticate, store in the durable inbox, acknowledge; processing happens after."""
    channel = request.app[TELEGRAM_CHANNEL_KEY]
    received = request.headers.get(SECRET_HEADER)
    if received is None:
        log.warning("Telegram webhook called without a secret token")
        return web.Response(status=401)
    if not secret_matches(received, channel.config.webhook_secret):
        log.warning("Telegram webhook called with a wrong secret token")
        return web.Response(status=403)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.Response(status=400, text="body is not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
        return web.Response(status=400, text="not a Telegram update")
    try:
        # A storage failure raises and answers 500, so Telegram delivers the update again.
        await channel.accept(body)
    except MalformedUpdateError:
        return web.Response(status=400, text="not a Telegram update")
    return web.Response(status=200)
