"""Split long texts into Telegram-sized messages at paragraph, line or word boundaries."""

from __future__ import annotations

from typing import Final

from bot.channels.graphemes import fitting_prefix, text_length

# A message holds at most 4096 characters after entity parsing; Telegram counts UTF-16 units.
MESSAGE_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024
# Preferred cut points, best first: a paragraph, a line, a Khmer or Latin sentence end,
# a space, a zero-width space (Khmer often has no spaces between words).
_BREAKS: Final = ("\n\n", "\n", "\u17d4 ", "\u17d4", ". ", " ", "\u200b")


def _cut(text: str, limit: int) -> int:
    """Where to end the first piece of ``text`` so that it fits ``limit``."""
    fits = fitting_prefix(text, limit)
    window = text[:fits]
    for separator in _BREAKS:
        position = window.rfind(separator)
        if position > 0:
            return position + len(separator)
    return max(fits, 1)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of ``text``, each within ``limit`` UTF-16 units, cut at the best boundary."""
    pieces: list[str] = []
    rest = text
    while text_length(rest) > limit:
        end = _cut(rest, limit)
        piece = rest[:end].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[end:].lstrip("\n ")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces
