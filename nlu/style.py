"""Is a Latin-letter message English or romanized Khmer? A small model trained on ``nlu/data``.

The training data already holds both writing styles in separate files: ``nlu_english.yml``
(English as typed on phones) and ``nlu_romanized.yml`` (Khmer in Latin letters, spelt every
which way). The model is a logistic regression over the NLU's own writing-style features of
each word (character 1- to 4-grams inside the word, the whole word, and its romanized
consonant skeleton from :func:`nlu.features.romanized_skeleton`), fitted by plain gradient
descent in a few milliseconds when first needed. Entities (links, phones, ids, amounts) and
digits are removed first: they say nothing about the language.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nlu.entities import DEFAULT_DATA_DIR, default_extractor
from nlu.features import romanized_skeleton
from nlu.normalise import normalise
from nlu.training_data import Example, load_training_data

_WORD = re.compile(r"[a-z]+")
ENGLISH_FILE = "nlu_english.yml"
ROMANIZED_FILE = "nlu_romanized.yml"
L2_PENALTY = 1e-3
STEPS = 150
LEARNING_RATE = 4.0


def latin_words(text: str) -> list[str]:
    """The Latin words of a message, lower case, without entities (links, phones, ids)."""
    norm = normalise(text)
    extractor = default_extractor()
    spans = extractor.spans(norm)
    chars = list(norm.text)
    for span in spans:
        for i in range(span.start, span.end):
            chars[i] = " "
    return _WORD.findall("".join(chars))


def word_features(words: Sequence[str]) -> list[str]:
    """Writing-style features of a list of Latin words."""
    features: list[str] = []
    for word in words:
        padded = f"<{word}>"
        features.append("w" + word)
        features.append("s" + romanized_skeleton(word))
        for n in (1, 2, 3, 4):
            features.extend("c" + padded[i : i + n] for i in range(len(padded) - n + 1))
    return features


@dataclass(frozen=True, slots=True)
class StyleModel:
    """Weights of the romanized-vs-English classifier."""

    vocabulary: dict[str, int]
    weights: npt.NDArray[np.float64]
    bias: float

    def romanized_probability(self, words: Sequence[str]) -> float:
        """Probability that these Latin words are Khmer typed in Latin letters (0.5: no idea)."""
        if not words:
            return 0.5
        index = [self.vocabulary[f] for f in word_features(words) if f in self.vocabulary]
        if not index:
            return 0.5
        counts = np.bincount(np.asarray(index), minlength=len(self.vocabulary))
        active = np.nonzero(counts)[0]
        values = 1.0 + np.log(counts[active])
        values /= math.sqrt(float(values @ values))
        score = float(values @ self.weights[active]) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))

    def text_probability(self, text: str) -> float:
        """:meth:`romanized_probability` of the Latin words of a raw message."""
        return self.romanized_probability(latin_words(text))


def _rows(examples: Sequence[Example]) -> tuple[list[list[str]], list[float]]:
    rows: list[list[str]] = []
    labels: list[float] = []
    for example in examples:
        words = latin_words(example.text)
        if words:
            rows.append(word_features(words))
            labels.append(1.0 if example.source == ROMANIZED_FILE else 0.0)
    return rows, labels


def train_style_model(examples: Sequence[Example]) -> StyleModel:
    """Fit the classifier on examples from the English and romanized data files."""
    from scipy import sparse

    rows, labels = _rows(examples)
    if not rows or len(set(labels)) < 2:
        raise ValueError("need English and romanized examples")
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    values: list[float] = []
    indptr = [0]
    for features in rows:
        counts: dict[int, int] = {}
        for feature in features:
            column = vocabulary.setdefault(feature, len(vocabulary))
            counts[column] = counts.get(column, 0) + 1
        row = np.array([1.0 + math.log(c) for c in counts.values()])
        row /= math.sqrt(float(row @ row))
        indices.extend(counts)
        values.extend(row.tolist())
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (values, indices, indptr), shape=(len(rows), len(vocabulary)), dtype=np.float64
    )
    target = np.asarray(labels)
    weights = np.zeros(len(vocabulary))
    bias = 0.0
    n = len(rows)
    transposed = matrix.T.tocsr()
    for _ in range(STEPS):
        scores = matrix @ weights + bias
        error = 1.0 / (1.0 + np.exp(-scores)) - target
        weights -= LEARNING_RATE * (transposed @ error / n + L2_PENALTY * weights)
        bias -= LEARNING_RATE * float(error.mean())
    return StyleModel(vocabulary, weights, bias)


def style_examples(data_dir: Path = DEFAULT_DATA_DIR) -> list[Example]:
    """The English and romanized training examples of a data directory."""
    files = [data_dir / ENGLISH_FILE, data_dir / ROMANIZED_FILE]
    return load_training_data(*files).examples


@functools.cache
def default_style_model() -> StyleModel:
    """The model trained on the shipped ``nlu/data`` (once per process)."""
    return train_style_model(style_examples())


def romanized_probability(text: str) -> float:
    """Probability that the Latin words of ``text`` are romanized Khmer rather than English."""
    return default_style_model().text_probability(text)
