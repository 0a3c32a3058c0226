"""Fuzzy matching of business names in Khmer and Latin script by character trigrams."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_SPACES = re.compile(r"\s+")


class _Separators(dict[int, int | None]):
    """``str.translate`` table: zero-width spaces dropped, punctuation, symbols and separators
    (Unicode categories P*, S*, Z*) made spaces, every other character kept.

    Filled on first sight of each character, so a name costs one C-level translate instead of a
    ``unicodedata`` call per character (that loop was most of a name search's CPU).
    """

    def __missing__(self, code: int) -> int:
        kept = 0x20 if unicodedata.category(chr(code))[0] in "PSZ" else code
        self[code] = kept
        return kept


_TABLE = _Separators(dict.fromkeys(map(ord, _INVISIBLE)))


def normalise_name(name: str) -> str:
    """Case-fold, drop punctuation, symbols and zero-width spaces, collapse whitespace.

    Khmer combining signs (category M*) are kept: they are part of the spelling.
    """
    text = unicodedata.normalize("NFC", name).casefold().translate(_TABLE)
    return _SPACES.sub(" ", text).strip()


def trigrams(name: str) -> frozenset[str]:
    """Character trigrams of a normalised name, padded so that word starts count."""
    text = normalise_name(name)
    if not text:
        return frozenset()
    padded = f" {text} "
    return frozenset([padded[i : i + 3] for i in range(len(padded) - 2)])


def score(shared: int, query_size: int, name_size: int) -> float:
    """How well a query of ``query_size`` trigrams matches a name of ``name_size`` trigrams
    sharing ``shared`` of them: Dice overlap, or containment of the whole query."""
    if not query_size or not name_size:
        return 0.0
    dice = 2 * shared / (query_size + name_size)
    containment = shared / query_size
    return max(dice, 0.9 * containment if query_size >= 4 else 0.0)


def similarity(query: frozenset[str], name: frozenset[str]) -> float:
    """How well a query matches a name (see :func:`score`)."""
    return score(len(query & name), len(query), len(name))
