"""Features the intent classifier sees: character n-grams, words, romanized skeletons, concepts.

Everything here runs on the masked, normalised text from :mod:`nlu.entities`. Khmer is written
without spaces, so character n-grams carry most of the signal; words and word pairs help
English; the consonant skeleton of a Latin word makes romanized Khmer spelt many ways
(``tlai``/``thlay``, ``chong``/``jong``) look alike; concept features from the lexicon tie
Khmer, English and romanized words of one meaning together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from nlu.phrases import PhraseMatcher

DEFAULT_LEXICON = Path(__file__).parent / "lexicon.yml"

CHAR_NGRAM_RANGE = (1, 5)

# Splits on spaces and punctuation but never inside a Khmer word (keeps its vowel signs).
_TOKEN = re.compile(r"[^\s!-/:-@\[-`{-~។៕៖“”‘’…]+")
_LATIN_WORD = re.compile(r"^[a-z]+$")
_DIGRAPHS = (("ng", "ŋ"), ("gn", "ŋ"), ("th", "t"), ("ph", "p"), ("kh", "k"), ("ch", "c"), ("sh", "s"))
_LETTER_CLASS = str.maketrans({"j": "c", "b": "p", "d": "t", "w": "v", "q": "k", "z": "s"})
_VOWELS = re.compile(r"[aeiouy]+")
_R_BEFORE_CONSONANT = re.compile(r"r(?=[^aeiouy]|$)")


def romanized_skeleton(word: str) -> str:
    """Consonant skeleton of a Latin word, so romanized Khmer spelt many ways looks alike.

    ``tlai``, ``thlay`` and ``tlei`` give ``tl``; ``chong`` and ``jong`` give ``cŋ``;
    ``orkun`` and ``okun`` give ``Vkn`` (``V`` marks a word that starts with a vowel).
    """
    w = word
    for digraph, repl in _DIGRAPHS:
        w = w.replace(digraph, repl)
    w = w.translate(_LETTER_CLASS)
    w = _R_BEFORE_CONSONANT.sub("", w) if len(w) > 2 else w
    head = "V" if w[:1] in "aeiouy" else ""
    w = _VOWELS.sub("", w).replace("h", "")
    w = re.sub(r"(.)\1+", r"\1", w)
    return head + w


class Lexicon:
    """Concepts (``price``, ``want``, ``not_received`` ...) with their words in all styles."""

    def __init__(self, concepts: Mapping[str, Sequence[str]]) -> None:
        """Build from ``{concept: [words and phrases in Khmer, English, romanized]}``."""
        self.concepts = dict(concepts)
        self._matchers = [(name, PhraseMatcher({name: words})) for name, words in concepts.items()]

    @classmethod
    def load(cls, path: Path = DEFAULT_LEXICON) -> Lexicon:
        """Read the lexicon YAML (``concepts: {name: [phrases]}``)."""
        with path.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle) or {}
        concepts = document.get("concepts") or {}
        return cls({str(k): [str(w) for w in v] for k, v in concepts.items()})

    def concepts_in(self, text: str) -> list[str]:
        """Concepts whose words occur in normalised ``text``."""
        return [name for name, matcher in self._matchers if matcher.labels(text)]


def extract_features(masked: str, lexicon: Lexicon | None = None) -> list[str]:
    """The feature strings of one masked, normalised message (repeats count)."""
    features: list[str] = []
    padded = f" {masked} "
    low, high = CHAR_NGRAM_RANGE
    for n in range(low, high + 1):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if not gram.isspace():
                features.append("c" + gram)
    tokens = _TOKEN.findall(masked)
    features.extend("w" + t for t in tokens)
    features.extend(f"b{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    skeletons = [romanized_skeleton(t) if _LATIN_WORD.match(t) else "" for t in tokens]
    features.extend("s" + s for s in skeletons if s)
    features.extend(
        f"t{a} {b}" for a, b in zip(skeletons, skeletons[1:], strict=False) if a and b
    )
    if lexicon is not None:
        features.extend("k" + c for c in lexicon.concepts_in(masked))
    return features
