"""Fuzzy matching of business names in Khmer and Latin script by character trigrams."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """Case-fold, drop punctuation, symbols and zero-width spaces, collapse whitespace.

    Khmer combining signs (category M*) are kept: they are part of the spelling.
    """
    text = unicodedata.normalize("NFC", name).translate(_INVISIBLE).casefold()
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZ" else ch for ch in text)
    return _SPACES.sub(" ", kept).strip()


def trigrams(name: str) -> frozenset[str]:
    """Character trigrams of a normalised name, padded so that word starts count."""
    text = normalise_name(name)
    if not text:
        return frozenset()
    padded = f" {text} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(query: frozenset[str], name: frozenset[str]) -> float:
    """How well a query matches a name: Dice overlap, or containment of the whole query."""
    if not query or not name:
        return 0.0
    shared = len(query & name)
    dice = 2 * shared / (len(query) + len(name))
    containment = shared / len(query)
    return max(dice, 0.9 * containment if len(query) >= 4 else 0.0)
