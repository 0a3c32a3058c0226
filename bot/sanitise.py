"""What user text may contain once it is inside the bot: valid Unicode, printable, bounded.

:func:`clean_text` is applied where an :class:`~bot.messages.InboundMessage` is made, so the
NLU, the handlers and the database never see a lone surrogate (``"\\ud800"``, which UTF-8 and
PostgreSQL refuse), a NUL or another control character, or a megabyte of text. The cap is
Telegram's own message limit; no real question is longer, and the NLU's cost grows with length.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Telegram's limit for one message; Messenger cuts its own messages shorter.
MAX_TEXT_CHARS: Final = 4096
# A button payload is short ASCII (64 bytes on Telegram); Messenger allows 1000 characters.
MAX_PAYLOAD_CHARS: Final = 1000
# Platform ids (Telegram user ids, Messenger PSIDs, message ids) are far shorter.
MAX_ID_CHARS: Final = 128

# Lone surrogates, and control characters other than tab, line feed and carriage return.
_UNWANTED: Final = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COENG: Final = "\u17d2"
_JOINERS: Final = frozenset({_COENG, "\u200d", "\u200c"})


def _continues_cluster(char: str) -> bool:
    """True when ``char`` belongs to the character before it (a mark, a variation selector)."""
    return unicodedata.category(char) in {"Mn", "Mc", "Me"} or "\ufe00" <= char <= "\ufe0f"


def cap(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut between clusters (no dangling Khmer COENG or mark)."""
    if len(text) <= limit:
        return text
    end = limit
    # Step back over marks and joined characters so the kept part ends on a whole cluster.
    while end > 0 and (_continues_cluster(text[end]) or text[end - 1] in _JOINERS):
        end -= 1
    return text[:end]


def strip_unwanted(text: str) -> str:
    """``text`` without lone surrogates and control characters (tab and newlines stay)."""
    if _UNWANTED.search(text) is None:
        return text
    return _UNWANTED.sub("", text)


def clean_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """User text made safe to parse and store: unwanted characters dropped, then capped."""
    # Cap first (cheap on a huge text), then clean what is left.
    return cap(strip_unwanted(cap(text, 4 * limit)), limit)


def clean_optional(text: str | None, limit: int) -> str | None:
    """:func:`clean_text` for optional values (payloads, ids); None stays None."""
    if text is None:
        return None
    return clean_text(text, limit)
