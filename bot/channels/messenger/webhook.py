"""The webhook routes: Meta's subscription handshake and signed event deliveries.

A delivery is authenticated before it is parsed, every event it batches is stored in the
durable inbox, and Meta gets its 200 at once; the inbox worker answers the users afterwards.
"""

from __future__ import annotations

import json
import logging
from typing import Final

from aiohttp import web

from bot.app_keys import RUNTIME_KEY
from bot.channels.messenger.channel import MESSENGER_KEY
from bot.channels.messenger.events import CHANNEL, accepted_events
from bot.channels.messenger.signature import (
    SIGNATURE_HEADER,
    signature_valid,
    verify_token_matches,
)
from bot.inbox import InboundEvent

log = logging.getLogger(__name__)

WEBHOOK_PATH: Final = "/messenger/webhook"


async def verify_subscription(request: web.Request) -> web.Response:
    """Answer Meta's ``GET`` handshake with the challenge when the verify token matches."""
    config = request.app[MESSENGER_KEY].config
    query = request.query
    if query.get("hub.mode") == "subscribe" and verify_token_matches(
        query.get("hub.verify_token"), config.verify_token
    ):
        log.info("Messenger webhook subscription verified")
        return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")
    log.warning("Messenger webhook handshake refused")
    return web.Response(status=403, text="forbidden")


async def receive_delivery(request: web.Request) -> web.Response:
    """Verify the signature, store every event in the inbox, acknowledge, then hand over."""
    channel = request.app[MESSENGER_KEY]
    body = await request.read()
    if not signature_valid(body, request.headers.get(SIGNATURE_HEADER), channel.config.app_secret):
        log.warning("Messenger delivery refused: missing or wrong %s", SIGNATURE_HEADER)
        return web.Response(status=403, text="forbidden")
    try:
        delivery = json.loads(body)
    except ValueError:
        log.warning("Messenger delivery with a signed but unreadable body")
        return web.Response(status=400, text="bad request")
    inbox = request.app[RUNTIME_KEY].inbox
    stored: list[InboundEvent] = []
    events = accepted_events(delivery)
    for event in events:
        accepted = await inbox.accept(CHANNEL, event.event_id, event.psid, event.body)
        if accepted is not None:
            stored.append(accepted)
    log.info("Messenger delivery: %d events, %d new", len(events), len(stored))
    for accepted in stored:
        channel.worker.submit(accepted)
    return web.Response(text="EVENT_RECEIVED")
