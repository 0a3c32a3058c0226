"""Features the intent classifier sees: character n-grams, words, romanized skeletons, concepts.

Everything here runs on the masked, normalised text from :mod:`nlu.entities`. Khmer is written
without spaces, so character n-grams carry most of the signal; words and word pairs help
English; the consonant skeleton of a Latin word makes romanized Khmer spelt many ways
(``tlai``/``thlay``, ``chong``/``jong``) look alike; concept features from the lexicon tie
Khmer, English and romanized words of one meaning together.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from nlu.normalise import is_khmer, normalise_str

DEFAULT_LEXICON = Path(__file__).parent / "lexicon.yml"

CHAR_NGRAM_RANGE = (1, 5)
# Concept features are emitted this many times (sublinear tf then weighs them 1 + ln 2):
# cross-validation on nlu/data preferred 3 over 1 or 2 (docs/nlu.md).
CONCEPT_REPEAT = 3
# Concept pairs are emitted twice (cross-validation preferred 2 over 1; docs/nlu.md).
PAIR_REPEAT = 2

# Splits on spaces and punctuation but never inside a Khmer word (keeps its vowel signs).
_TOKEN = re.compile(r"[^\s!-/:-@\[-`{-~។៕៖“”‘’…]+")
_LATIN_WORD = re.compile(r"^[a-z]+$")
_DIGRAPHS = (
    ("ng", "ŋ"),
    ("gn", "ŋ"),
    ("th", "t"),
    ("ph", "p"),
    ("kh", "k"),
    ("ch", "c"),
    ("sh", "s"),
)
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
    """Concepts (``price``, ``want``, ``not_received`` ...) with their words in all styles.

    Latin phrases match whole words (also written joined: ``leak khan`` / ``leakkhan``);
    Khmer phrases match anywhere in the unspaced text, as Khmer has no word spaces.
    """

    def __init__(self, concepts: Mapping[str, Sequence[str]]) -> None:
        """Build from ``{concept: [words and phrases in Khmer, English, romanized]}``."""
        self.concepts = {name: list(words) for name, words in concepts.items()}
        self._latin: dict[tuple[str, ...], set[str]] = {}
        self._khmer: list[tuple[str, str]] = []
        for name, words in concepts.items():
            for word in words:
                norm = normalise_str(word)
                if not norm:
                    continue
                if any(is_khmer(c) for c in norm):
                    self._khmer.append((norm.replace(" ", ""), name))
                    continue
                tokens = tuple(_TOKEN.findall(norm))
                for key in {tokens, ("".join(tokens),)}:
                    self._latin.setdefault(key, set()).add(name)
        self._longest = max((len(k) for k in self._latin), default=1)

    @classmethod
    def load(cls, path: Path = DEFAULT_LEXICON) -> Lexicon:
        """Read the lexicon YAML (``concepts: {name: [phrases]}``)."""
        with path.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle) or {}
        concepts = document.get("concepts") or {}
        return cls({str(k): [str(w) for w in v] for k, v in concepts.items()})

    def concepts_in(self, text: str, tokens: Sequence[str] | None = None) -> set[str]:
        """Concepts whose words occur in normalised ``text`` (``tokens``: its words)."""
        found: set[str] = set()
        words = tokens if tokens is not None else _TOKEN.findall(text)
        for i in range(len(words)):
            for n in range(1, self._longest + 1):
                names = self._latin.get(tuple(words[i : i + n]))
                if names:
                    found |= names
        unspaced = text.replace(" ", "")
        found.update(name for phrase, name in self._khmer if phrase in unspaced)
        return found


FEATURE_GROUPS = frozenset({"chars", "words", "skeletons", "concepts", "edges", "pairs"})


def extract_features(
    masked: str, lexicon: Lexicon | None = None, groups: frozenset[str] = FEATURE_GROUPS
) -> list[str]:
    """The feature strings of one masked, normalised message (repeats count).

    ``groups`` leaves feature families out, for the ablation study in the benchmark.
    """
    features: list[str] = []
    if "chars" in groups:
        padded = f" {masked} "
        low, high = CHAR_NGRAM_RANGE
        for n in range(low, high + 1):
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                if not gram.isspace():
                    features.append("c" + gram)
    tokens = _TOKEN.findall(masked)
    if "words" in groups:
        features.extend("w" + t for t in tokens)
        features.extend(f"b{a} {b}" for a, b in itertools.pairwise(tokens))
    if "skeletons" in groups:
        skeletons = [romanized_skeleton(t) if _LATIN_WORD.match(t) else "" for t in tokens]
        features.extend("s" + s for s in skeletons if s)
        features.extend(f"t{a} {b}" for a, b in itertools.pairwise(skeletons) if a and b)
        # Skeletons one word apart: "dak peak ... te" whatever the word in between.
        features.extend(
            f"u{a} {c}" for a, c in zip(skeletons, skeletons[2:], strict=False) if a and c
        )
    if "edges" in groups and tokens:
        # The first and last word: "te bat" (no) starts with its answer, "... ban te" asks.
        features.append("^" + tokens[0])
        features.append("$" + tokens[-1])
    if lexicon is not None and "concepts" in groups:
        found = sorted(lexicon.concepts_in(masked, tokens))
        concepts = ["k" + c for c in found]
        features.extend(concepts * CONCEPT_REPEAT)
        if "pairs" in groups:
            # Pairs of concepts ("complaint" with "status" is not "application" with "status").
            pairs = [f"p{a}&{b}" for a, b in itertools.combinations(found, 2)]
            features.extend(pairs * PAIR_REPEAT)
    return features
