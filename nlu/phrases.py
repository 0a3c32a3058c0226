"""Matching lists of phrases (any language, any spelling) in normalised text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from nlu.normalise import is_khmer, is_khmer_base, normalise_str


def khmer_pattern(phrase: str) -> str:
    """Regex for a normalised Khmer phrase that tolerates spaces between syllables."""
    parts: list[str] = []
    for i, ch in enumerate(phrase):
        if ch == " ":
            continue
        if i and is_khmer_base(ch):
            parts.append(" ?")
        parts.append(re.escape(ch))
    # A Khmer match must end where a syllable ends (not before a vowel sign of the same word).
    return "".join(parts) + r"(?![\u17b6-\u17d3\u17dd])"


def latin_pattern(phrase: str) -> str:
    """Regex for a Latin phrase, words optionally joined or hyphenated, on word boundaries."""
    words = phrase.split()
    return r"(?<![a-z0-9])" + r"[\s\-]*".join(re.escape(w) for w in words) + r"(?![a-z0-9])"


def phrase_pattern(phrase: str) -> str:
    """Regex for one already normalised phrase (Khmer or Latin rules by its script)."""
    if any(is_khmer(c) for c in phrase):
        return khmer_pattern(phrase)
    return latin_pattern(phrase)


def compact(text: str) -> str:
    """Key for looking up a matched phrase: without spaces or hyphens."""
    return re.sub(r"[\s\-]", "", text)


class PhraseMatcher:
    """Finds phrases from a ``{label: [phrases]}`` table, longest phrase first."""

    def __init__(self, table: Mapping[str, Iterable[str]]) -> None:
        """Normalise every phrase and compile one alternation, longest first."""
        self._label_of: dict[str, str] = {}
        patterns: list[tuple[int, str]] = []
        for label, phrases in table.items():
            for phrase in phrases:
                norm = normalise_str(phrase)
                if not norm:
                    continue
                self._label_of.setdefault(compact(norm), label)
                patterns.append((len(norm), phrase_pattern(norm)))
        patterns.sort(key=lambda p: -p[0])
        alternation = "|".join(p for _, p in patterns) or r"(?!)"
        self._pattern = re.compile(alternation)

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Non-overlapping ``(start, end, label)`` matches in normalised ``text``."""
        for match in self._pattern.finditer(text):
            label = self._label_of.get(compact(match.group()))
            if label is not None:
                yield match.start(), match.end(), label

    def labels(self, text: str) -> set[str]:
        """Labels of all phrases found in normalised ``text``."""
        return {label for _, _, label in self.finditer(text)}
