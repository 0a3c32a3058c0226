"""Wiring the Messenger channel into the bot's aiohttp server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import aiohttp
from aiohttp import web

from bot.channels.messenger.attachments import ATTACHMENT_POLICY_KEY
from bot.channels.messenger.channel import MESSENGER_KEY, MessengerChannel
from bot.channels.messenger.config import MessengerConfig
from bot.channels.messenger.events import CHANNEL
from bot.channels.messenger.processing import MessengerProcessor
from bot.channels.messenger.send_api import GraphClient
from bot.channels.messenger.webhook import WEBHOOK_PATH, receive_delivery, verify_subscription
from bot.inbox import InboxWorker
from bot.server import RUNTIME_KEY, SETTINGS_KEY

log = logging.getLogger(__name__)


def _channel_context(
    config: MessengerConfig,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        runtime = app[RUNTIME_KEY]
        # Tests put their fake CDN's policy on the app; a deployment has no way to.
        channel_config = replace(
            config, attachment_policy=app.get(ATTACHMENT_POLICY_KEY, config.attachment_policy)
        )
        timeout = aiohttp.ClientTimeout(total=config.request_timeout_seconds)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            client = GraphClient(session, channel_config)
            processor = MessengerProcessor(core=runtime.core, client=client, config=channel_config)
            worker = InboxWorker(runtime.inbox, CHANNEL, processor)
            app[MESSENGER_KEY] = MessengerChannel(
                config=channel_config, client=client, worker=worker
            )
            await worker.start()
            log.info("Messenger channel ready on %s", WEBHOOK_PATH)
            try:
                yield
            finally:
                await worker.stop()

    return context


def setup_messenger(app: web.Application) -> None:
    """Add the Messenger webhook routes and the channel's resources to the web app.

    Reads the MESSENGER_* settings at once, so a missing secret stops the server from
    starting instead of accepting unverifiable deliveries.
    """
    config = MessengerConfig.from_env(app[SETTINGS_KEY])
    app.router.add_get(WEBHOOK_PATH, verify_subscription)
    app.router.add_post(WEBHOOK_PATH, receive_delivery)
    app.cleanup_ctx.append(_channel_context(config))
