"""The webhook routes: Meta's subscription handshake and signed event deliveries.

A delivery is authenticated before it is parsed, every event it batches is stored in the
durable inbox, and Meta gets its 200 at once; the inbox worker answers the users afterwards.

Every signed body gets an answer below 500 unless storage itself is down: too large is 413,
not safe JSON (see :mod:`bot.channels.safe_json`) is 400, and events the inbox cannot hold
(ids longer than any real one) are skipped with a log line. A storage failure answers 503, so
Meta delivers again; the events stored before it are processed, and their repeats dropped.
"""

from __future__ import annotations

import logging
from typing import Final

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.app_keys import RUNTIME_KEY
from bot.channels.messenger.channel import MESSENGER_KEY
from bot.channels.messenger.events import CHANNEL, accepted_events
from bot.channels.messenger.signature import (
    SIGNATURE_HEADER,
    signature_valid,
    verify_token_matches,
)
from bot.channels.safe_json import MAX_BODY_BYTES, UnsafeJsonError, load_body, read_body
from bot.inbox import InboundEvent
from bot.metrics import webhook_answered
from bot.sanitise import MAX_ID_CHARS

log = logging.getLogger(__name__)

WEBHOOK_PATH: Final = "/messenger/webhook"
# The inbox's column for the event id holds 191 characters; a real ``mid`` is about 100.
MAX_EVENT_ID_CHARS: Final = 191
# Errors that mean the inbox could not store an event (not that the delivery is bad).
STORAGE_ERRORS: Final = (SQLAlchemyError, ConnectionError, TimeoutError)


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


def _refused(status: int, reason: str) -> web.Response:
    log.warning("Messenger delivery refused (%d): %s", status, reason)
    return web.Response(status=status, text=reason)


async def _receive_delivery(request: web.Request) -> web.Response:
    """Verify the signature, store every event in the inbox, acknowledge, then hand over."""
    channel = request.app[MESSENGER_KEY]
    body = await read_body(request, MAX_BODY_BYTES)
    if body is None:
        return _refused(413, f"body larger than {MAX_BODY_BYTES} bytes")
    if not signature_valid(body, request.headers.get(SIGNATURE_HEADER), channel.config.app_secret):
        log.warning("Messenger delivery refused: missing or wrong %s", SIGNATURE_HEADER)
        return web.Response(status=403, text="forbidden")
    try:
        delivery = await load_body(body)
    except UnsafeJsonError as exc:
        return _refused(400, f"signed body is not JSON the bot accepts ({exc})")
    inbox = request.app[RUNTIME_KEY].inbox
    stored: list[InboundEvent] = []
    try:
        events = accepted_events(delivery)
        for event in events:
            if len(event.psid) > MAX_ID_CHARS or len(event.event_id) > MAX_EVENT_ID_CHARS:
                log.warning("Messenger event skipped: its ids are longer than any real one")
                continue
            accepted = await inbox.accept(CHANNEL, event.event_id, event.psid, event.body)
            if accepted is not None:
                stored.append(accepted)
    except STORAGE_ERRORS:
        log.exception("Messenger events could not be stored; Meta will deliver them again")
        return web.Response(status=503, text="try again later")
    except Exception:
        # Anything else comes from the delivery's content; a 5xx would only bring it back.
        log.exception("Messenger delivery could not be read")
        return web.Response(status=400, text="bad request")
    finally:
        # Events stored before a failure are processed now: their redelivery is a duplicate.
        for accepted in stored:
            channel.worker.submit(accepted)
    log.info("Messenger delivery: %d events, %d new", len(events), len(stored))
    return web.Response(text="EVENT_RECEIVED")


async def receive_delivery(request: web.Request) -> web.Response:
    """Verify the signature, store every event in the inbox, acknowledge, then hand over."""
    response = await _receive_delivery(request)
    webhook_answered(CHANNEL, response.status)
    return response
