"""Text normalisation shared by training, parsing and entity extraction.

Users type Khmer with zero-width spaces, vowel signs and subscripts in whatever order the
keyboard produced, Khmer digits, and visually identical variants (coeng DA for coeng TA).
:func:`normalise` turns all of these into one canonical form and keeps, for every output
character, the span of the original text it came from, so entity offsets can point into the
text the user actually sent.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

# Characters that are invisible in rendered text and carry no meaning for us.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")

COENG = "\u17d2"
RO = "\u179a"
_KHMER_DIGIT_ZERO = 0x17E0

# Visually identical or deprecated spellings, mapped one character to one character.
_CHAR_VARIANTS = {
    "\u17b2": "\u17b1",  # KHMER INDEPENDENT VOWEL QOO TYPE TWO -> TYPE ONE (ឲ្យ / ឱ្យ)
    "\u17a3": "\u17a2",  # deprecated independent vowel QAQ -> consonant QA
}
# Subscript forms that render identically: coeng DA and coeng TA (ស្ដី / ស្តី).
_SUBSCRIPT_VARIANTS = {"\u178a": "\u178f"}
# Two-part vowels typed as their visual halves, composed into the single code point.
_VOWEL_COMPOSITIONS = {
    ("\u17c1", "\u17b6"): "\u17c4",  # េ + ា -> ោ
    ("\u17c1", "\u17b8"): "\u17be",  # េ + ី -> ើ
}
# Characters removed outright: the invisible inherent vowels.
_DROPPED = frozenset("\u17b4\u17b5") | ZERO_WIDTH


def is_khmer_base(ch: str) -> bool:
    """True for a Khmer consonant or independent vowel (a character a syllable starts with)."""
    return "\u1780" <= ch <= "\u17b3"


def is_khmer_consonant(ch: str) -> bool:
    """True for one of the 35 Khmer consonants."""
    return "\u1780" <= ch <= "\u17a2"


def is_khmer_mark(ch: str) -> bool:
    """True for a Khmer dependent vowel, sign or the coeng (anything that follows a base)."""
    return "\u17b6" <= ch <= "\u17d3" or ch == "\u17dd"


def is_khmer(ch: str) -> bool:
    """True for any character of the Khmer blocks."""
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def _mark_rank(unit: str) -> int:
    """Position class of a dependent unit inside a Khmer syllable (Unicode's recommended order).

    Order: robat, subscript consonants, subscript RO, register shifters, dependent vowels,
    above signs (nikahit, bantoc, ...), then the spacing signs reahmuk and yuukaleapintu.
    """
    first = unit[0]
    if first == COENG:
        return 20 if unit[1:] == RO else 10
    if first == "\u17cc":
        return 5
    if first in "\u17c9\u17ca":
        return 30
    if "\u17b6" <= first <= "\u17c5":
        return 40
    if first in "\u17c7\u17c8":
        return 60
    return 50


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """Canonical text plus, per character, the span of the original text it stands for."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of :attr:`text` to the matching span of the original."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


_Piece = tuple[str, int, int]  # (characters, original start, original end)


def _basic_pieces(text: str) -> list[_Piece]:
    """Per-character clean-up: drop invisibles, fold digits, case, widths and whitespace."""
    pieces: list[_Piece] = []
    for i, ch in enumerate(text):
        if ch in _DROPPED:
            continue
        code = ord(ch)
        if _KHMER_DIGIT_ZERO <= code <= _KHMER_DIGIT_ZERO + 9:
            out = chr(ord("0") + code - _KHMER_DIGIT_ZERO)
        elif ch in _CHAR_VARIANTS:
            out = _CHAR_VARIANTS[ch]
        elif is_khmer(ch):
            out = ch
        elif ch.isspace():
            out = " "
        else:
            out = unicodedata.normalize("NFKC", ch).lower()
        if out == " " and (not pieces or pieces[-1][0] == " "):
            continue
        pieces.append((out, i, i + 1))
    if pieces and pieces[-1][0] == " ":
        pieces.pop()
    return pieces


def _syllable_units(chars: list[_Piece], i: int) -> tuple[list[list[_Piece]], int]:
    """Collect the dependent units after a base at ``i``: coeng+consonant pairs and marks."""
    units: list[list[_Piece]] = []
    j = i + 1
    while j < len(chars):
        ch = chars[j][0]
        if ch == COENG and j + 1 < len(chars) and is_khmer_consonant(chars[j + 1][0]):
            sub = chars[j + 1]
            sub = (_SUBSCRIPT_VARIANTS.get(sub[0], sub[0]), sub[1], sub[2])
            units.append([chars[j], sub])
            j += 2
        elif is_khmer_mark(ch):
            units.append([chars[j]])
            j += 1
        else:
            break
    return units, j


def _canonical_units(units: list[list[_Piece]]) -> list[list[_Piece]]:
    """Sort units into canonical order, compose split vowels and drop doubled marks."""
    ordered = sorted(units, key=lambda u: _mark_rank("".join(p[0] for p in u)))
    merged: list[list[_Piece]] = []
    for unit in ordered:
        text = "".join(p[0] for p in unit)
        if merged:
            prev = "".join(p[0] for p in merged[-1])
            if prev == text:
                continue
            composed = _VOWEL_COMPOSITIONS.get((prev, text))
            if composed is not None:
                merged[-1] = [(composed, merged[-1][0][1], unit[0][2])]
                continue
        merged.append(unit)
    return merged


def _reorder_khmer(pieces: list[_Piece]) -> list[_Piece]:
    """Put each Khmer syllable's dependent characters into canonical order."""
    out: list[_Piece] = []
    i = 0
    while i < len(pieces):
        ch = pieces[i][0]
        if not is_khmer_base(ch):
            out.append(pieces[i])
            i += 1
            continue
        units, j = _syllable_units(pieces, i)
        canonical = _canonical_units(units)
        flat_before = [p for u in units for p in u]
        flat_after = [p for u in canonical for p in u]
        if [p[0] for p in flat_before] == [p[0] for p in flat_after] and len(flat_before) == len(
            flat_after
        ):
            out.append(pieces[i])
            out.extend(flat_after)
        else:
            # The syllable changed shape: every character stands for the whole syllable.
            start, end = pieces[i][1], pieces[j - 1][2]
            out.append((ch, start, end))
            out.extend((p[0], start, end) for p in flat_after)
        i = j
    return out


@functools.lru_cache(maxsize=128)
def normalise(text: str) -> NormalisedText:
    """Canonical form of a message, used identically for training, parsing and entities.

    Strips zero-width characters, maps Khmer digits to ASCII, lower-cases Latin (NFKC),
    collapses whitespace, and puts Khmer vowel signs, subscripts (coeng) and the subscript
    RO into Unicode's recommended order.

    The result is immutable and the last few are kept: one message is normalised by the
    NLU, the entity extractor and the language detection, once.
    """
    pieces = _reorder_khmer(_basic_pieces(text))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for out, start, end in pieces:
        for ch in out:
            chars.append(ch)
            starts.append(start)
            ends.append(end)
    return NormalisedText(text, "".join(chars), tuple(starts), tuple(ends))


def normalise_str(text: str) -> str:
    """Just the canonical text of :func:`normalise` (for lexicons and comparisons)."""
    return normalise(text).text
