"""Choices beyond Messenger's 13 quick replies: a "More" choice that carries the rest.

The "More" quick reply's payload (Messenger allows 1000 characters) holds the remaining
choices' titles and payloads, compressed, so pressing it shows them without any state kept on
our side and still works after a restart. The payload never reaches the core.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import zlib
from collections.abc import Sequence
from typing import Final

log = logging.getLogger(__name__)

PREFIX: Final = "mx:more:"
MAX_PAYLOAD: Final = 1000

Choice = tuple[str, str]  # (title as shown, core payload)


def is_overflow_payload(payload: str | None) -> bool:
    """True for the payload of a "More" quick reply made here."""
    return bool(payload) and payload is not None and payload.startswith(PREFIX)


def _encode(choices: Sequence[Choice]) -> str:
    raw = json.dumps([list(c) for c in choices], ensure_ascii=False, separators=(",", ":"))
    packed = base64.urlsafe_b64encode(zlib.compress(raw.encode(), 9)).decode().rstrip("=")
    return PREFIX + packed


def encode_choices(choices: Sequence[Choice]) -> str:
    """The "More" payload for ``choices``, dropping trailing ones that do not fit (logged)."""
    kept = list(choices)
    payload = _encode(kept)
    while len(payload) > MAX_PAYLOAD and len(kept) > 1:
        kept.pop()
        payload = _encode(kept)
    if len(kept) < len(choices):
        dropped = len(choices) - len(kept)
        log.warning("%d choices do not fit a More payload and are dropped", dropped)
    return payload


def decode_choices(payload: str) -> list[Choice] | None:
    """The choices a "More" payload carries, or None when it is not a valid one."""
    if not payload.startswith(PREFIX):
        return None
    packed = payload[len(PREFIX) :]
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
        items = json.loads(raw.decode())
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(items, list):
        return None
    choices: list[Choice] = []
    for item in items:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(part, str) and part for part in item)
            or not item[1].isascii()
            or len(item[1]) > 64
        ):
            return None
        choices.append((item[0], item[1]))
    return choices or None
