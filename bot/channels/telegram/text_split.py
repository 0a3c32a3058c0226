"""Split long texts into Telegram-sized messages at paragraph, line or word boundaries."""

from __future__ import annotations

import unicodedata
from typing import Final

# A message holds at most 4096 characters after entity parsing; Telegram counts UTF-16 units.
MESSAGE_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024
# Preferred cut points, best first: a paragraph, a line, a Khmer or Latin sentence end,
# a space, a zero-width space (Khmer often has no spaces between words).
_BREAKS: Final = ("\n\n", "\n", "\u17d4 ", "\u17d4", ". ", " ", "\u200b")
_COENG: Final = "\u17d2"


def utf16_length(text: str) -> int:
    """The length of a text as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, limit: int) -> int:
    """The number of characters of ``text`` whose UTF-16 length is at most ``limit``."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _cluster_boundary(text: str, index: int) -> int:
    """Move a hard cut back so it does not split a Khmer syllable or a combining sequence."""
    cut = index
    while 0 < cut < len(text) and (
        unicodedata.category(text[cut]).startswith("M")
        or text[cut] == _COENG
        or text[cut - 1] == _COENG
    ):
        cut -= 1
    return cut if cut > 0 else index


def _cut(text: str, limit: int) -> int:
    """Where to end the first piece of ``text`` so that it fits ``limit``."""
    fits = _prefix_within(text, limit)
    window = text[:fits]
    for separator in _BREAKS:
        position = window.rfind(separator)
        if position > 0:
            return position + len(separator)
    return _cluster_boundary(text, fits)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of ``text``, each within ``limit`` UTF-16 units, cut at the best boundary."""
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        end = _cut(rest, limit)
        piece = rest[:end].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[end:].lstrip("\n ")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces
