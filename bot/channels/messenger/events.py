"""Reading webhook deliveries: which events to keep, their ids, and what the user sent.

A delivery batches several ``entry`` objects, each with several ``messaging`` events, possibly
from different users. Every one is read; nothing stops at the first. Echoes of our own
messages, delivery and read receipts and event types the bot does not use are skipped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, cast
from urllib.parse import parse_qs, urlsplit

from bot.channels.links import payload_for_link
from bot.messages import AttachmentKind

log = logging.getLogger(__name__)

CHANNEL: Final = "messenger"
_DOWNLOADABLE: Final[frozenset[str]] = frozenset({"image", "file", "audio", "video"})
# Facebook wraps shared links in a redirect; the real address is its ``u`` parameter.
_REDIRECT_HOSTS: Final = frozenset({"l.facebook.com", "lm.facebook.com", "l.messenger.com"})


class EventKind(StrEnum):
    """What a ``messaging`` event is."""

    MESSAGE = "message"
    POSTBACK = "postback"
    REFERRAL = "referral"
    ECHO = "echo"
    DELIVERY = "delivery"
    READ = "read"
    OTHER = "other"


HANDLED_KINDS: Final = frozenset({EventKind.MESSAGE, EventKind.POSTBACK, EventKind.REFERRAL})


@dataclass(frozen=True, slots=True)
class AcceptedEvent:
    """One event to store in the inbox: its stable id, the user's PSID and the raw event."""

    event_id: str
    psid: str
    kind: EventKind
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A file the user sent, still on Meta's CDN behind a URL that expires."""

    kind: AttachmentKind
    url: str


@dataclass(frozen=True, slots=True)
class UserEvent:
    """What one stored event says, in the core's terms, before files are downloaded."""

    psid: str
    text: str = ""
    payload: str | None = None
    attachments: tuple[AttachmentRef, ...] = ()
    unavailable_attachments: int = 0


def _mapping(value: object) -> Mapping[str, Any]:
    return cast(Mapping[str, Any], value) if isinstance(value, Mapping) else {}


def _string(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def classify(event: Mapping[str, Any]) -> EventKind:
    """The kind of one ``messaging`` event."""
    if "message" in event:
        return EventKind.ECHO if _mapping(event["message"]).get("is_echo") else EventKind.MESSAGE
    for key, kind in (
        ("postback", EventKind.POSTBACK),
        ("referral", EventKind.REFERRAL),
        ("delivery", EventKind.DELIVERY),
        ("read", EventKind.READ),
    ):
        if key in event:
            return kind
    return EventKind.OTHER


def _derived_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return f"{prefix}:{digest}"


def event_id(event: Mapping[str, Any], kind: EventKind) -> str:
    """A stable id for the event, the same on every redelivery.

    Messages (and postbacks that carry one) use Meta's ``mid``; otherwise the id is derived
    from the sender, the timestamp and what was pressed or followed.
    """
    psid = _string(_mapping(event.get("sender")).get("id")) or ""
    timestamp = _string(event.get("timestamp")) or ""
    if kind is EventKind.MESSAGE:
        mid = _string(_mapping(event.get("message")).get("mid"))
        if mid:
            return mid
        return _derived_id("msg", psid, timestamp, repr(event.get("message")))
    if kind is EventKind.POSTBACK:
        postback = _mapping(event.get("postback"))
        mid = _string(postback.get("mid"))
        if mid:
            return mid
        ref = _string(_mapping(postback.get("referral")).get("ref")) or ""
        return _derived_id("pb", psid, timestamp, _string(postback.get("payload")) or "", ref)
    ref = _string(_mapping(event.get("referral")).get("ref")) or ""
    return _derived_id("ref", psid, timestamp, ref)


def accepted_events(delivery: object) -> list[AcceptedEvent]:
    """Every event of a delivery that the bot answers, in delivery order."""
    accepted: list[AcceptedEvent] = []
    body = _mapping(delivery)
    if body.get("object") != "page":
        log.info("ignoring a webhook delivery for object %r", body.get("object"))
        return accepted
    entries = body.get("entry")
    for item in entries if isinstance(entries, list) else []:
        events = _mapping(item).get("messaging")
        for raw in events if isinstance(events, list) else []:
            event = _mapping(raw)
            kind = classify(event)
            if kind not in HANDLED_KINDS:
                log.debug("skipping a %s event", kind.value)
                continue
            psid = _string(_mapping(event.get("sender")).get("id"))
            if not psid:
                log.info("skipping a %s event without a sender PSID", kind.value)
                continue
            accepted.append(AcceptedEvent(event_id(event, kind), psid, kind, dict(event)))
    return accepted


def unwrap_link(url: str) -> str:
    """The real address behind Facebook's link redirect (``l.facebook.com/l.php?u=...``)."""
    parts = urlsplit(url)
    if parts.hostname in _REDIRECT_HOSTS:
        target = parse_qs(parts.query).get("u")
        if target and target[0].startswith(("http://", "https://")):
            return target[0]
    return url


def _read_attachments(
    message: Mapping[str, Any],
) -> tuple[list[AttachmentRef], list[str], int]:
    """Downloadable files, links shared as ``fallback`` attachments, and unusable ones."""
    files: list[AttachmentRef] = []
    links: list[str] = []
    unavailable = 0
    raw = message.get("attachments")
    for item in raw if isinstance(raw, list) else []:
        attachment = _mapping(item)
        kind = _string(attachment.get("type")) or ""
        payload = _mapping(attachment.get("payload"))
        url = _string(payload.get("url")) or _string(attachment.get("url"))
        if payload.get("sticker_id") is not None:
            continue  # a sticker or the "like" thumb: nothing to keep
        if kind in _DOWNLOADABLE and url:
            files.append(AttachmentRef(cast(AttachmentKind, kind), url))
        elif kind == "fallback" and url:
            links.append(unwrap_link(url))
        elif kind in _DOWNLOADABLE or kind == "fallback":
            unavailable += 1
        else:
            log.debug("ignoring a %r attachment", kind)
    return files, links, unavailable


def read_user_event(body: Mapping[str, Any]) -> UserEvent | None:
    """What a stored event asks of the core; None for an event that asks nothing."""
    psid = _string(_mapping(body.get("sender")).get("id"))
    if not psid:
        return None
    kind = classify(body)
    if kind is EventKind.MESSAGE:
        message = _mapping(body.get("message"))
        payload = _string(_mapping(message.get("quick_reply")).get("payload"))
        # A quick reply's text is only its title; the core reads the payload, as for buttons.
        text = "" if payload else _string(message.get("text")) or ""
        files, links, unavailable = _read_attachments(message)
        for link in links:
            if link not in text:
                text = f"{text}\n{link}" if text else link
        return UserEvent(psid, text, payload or None, tuple(files), unavailable)
    if kind is EventKind.POSTBACK:
        postback = _mapping(body.get("postback"))
        referred = payload_for_link(_string(_mapping(postback.get("referral")).get("ref")))
        payload = referred or _string(postback.get("payload"))
        if not payload:
            # Meta sends the payload only to the app that sent the button; show the menu.
            payload = "nav:menu"
        return UserEvent(psid, payload=payload)
    if kind is EventKind.REFERRAL:
        ref = _string(_mapping(body.get("referral")).get("ref"))
        if not ref:
            return None  # e.g. an ad click without a ref: the user's message follows
        return UserEvent(psid, payload=payload_for_link(ref) or "nav:menu")
    return None
