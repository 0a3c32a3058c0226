"""Cutting text to a channel's length limits without breaking a Khmer cluster or an emoji.

Telegram and Messenger count UTF-16 code units, but a cut must fall between user-perceived
characters. Unicode's extended grapheme clusters are not enough for
Khmer: a subscript consonant is written COENG (U+17D2) + consonant, and the consonant starts a
new cluster under UAX #29, so cutting there would leave a dangling COENG. Here a cluster is a
base character with every following combining mark, plus the character after a COENG or a
zero-width joiner, which keeps Khmer syllables, accented letters and joined emoji whole.
"""

from __future__ import annotations

import unicodedata
from typing import Final

ELLIPSIS: Final = "\u2026"
_COENG: Final = "\u17d2"
_ZWJ: Final = "\u200d"
_ZWSP: Final = "\u200b"
# Characters that belong to the cluster before them although they are not combining marks.
_EXTENDERS: Final = frozenset({_ZWJ, "\u200c", "\ufe0e", "\ufe0f"})


def text_length(text: str) -> int:
    """Length as the platforms limit it: UTF-16 code units (a Khmer letter counts 1)."""
    return len(text.encode("utf-16-le")) // 2


def _extends(char: str) -> bool:
    return (
        unicodedata.category(char) in {"Mn", "Mc", "Me"}
        or char in _EXTENDERS
        or 0x1F3FB <= ord(char) <= 0x1F3FF  # emoji skin-tone modifiers
    )


def clusters(text: str) -> list[str]:
    """The text split into clusters that must never be cut apart."""
    result: list[str] = []
    joined = False
    for char in text:
        if result and (joined or _extends(char)):
            result[-1] += char
        else:
            result.append(char)
        joined = char in {_COENG, _ZWJ}
    return result


def fitting_prefix(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` units without cutting a cluster."""
    used = 0
    end = 0
    for cluster in clusters(text):
        used += text_length(cluster)
        if used > limit:
            break
        end += len(cluster)
    return end


def fit(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """``text`` unchanged when it fits ``limit``, else cut at a cluster boundary with an ellipsis.

    A cut prefers the last space when one falls in the second half of the room, so English
    labels lose whole words; Khmer, written without spaces, is cut between clusters.
    """
    if text_length(text) <= limit:
        return text
    room = limit - text_length(ellipsis)
    kept: list[str] = []
    used = 0
    for cluster in clusters(text):
        size = text_length(cluster)
        if used + size > room:
            break
        kept.append(cluster)
        used += size
    head = "".join(kept)
    space = max(head.rfind(" "), head.rfind(_ZWSP))
    if space >= room // 2:
        head = head[:space]
    return head.rstrip() + ellipsis


def split_text(text: str, limit: int) -> list[str]:
    """Split a long text into pieces of at most ``limit``, at line breaks where possible.

    Lines are packed greedily; a single line longer than ``limit`` is cut at its last space
    (or zero-width space) that fits, else between clusters. Nothing is dropped.
    """
    if text_length(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if text_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        for part in _split_line(line, limit):
            if current:
                pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def _split_line(line: str, limit: int) -> list[str]:
    """One line cut into pieces of at most ``limit``."""
    parts: list[str] = []
    remaining = clusters(line)
    while remaining:
        used = 0
        count = 0
        for cluster in remaining:
            size = text_length(cluster)
            if used + size > limit:
                break
            used += size
            count += 1
        count = max(count, 1)
        if count < len(remaining):
            breaks = [i for i in range(1, count) if remaining[i - 1] in {" ", _ZWSP}]
            if breaks and breaks[-1] >= count // 2:
                count = breaks[-1]
        parts.append("".join(remaining[:count]))
        remaining = remaining[count:]
    return parts
