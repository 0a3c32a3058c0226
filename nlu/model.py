"""The intent classifier: trained with scikit-learn, run with plain numpy.

Training fits TF-IDF weights and a multinomial logistic regression on the features of
:mod:`nlu.features`. The fitted numbers are exported to a small ``.npz`` artifact; parsing
recomputes the same TF-IDF vector and softmax with numpy alone, which keeps a parse well under
a millisecond and lets a process start without importing scikit-learn.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

FeatureFn = Callable[[str], list[str]]

# Inverse regularisation strength of the logistic regression, chosen by cross-validation.
DEFAULT_C = 20.0


@dataclass(frozen=True, slots=True)
class IntentModel:
    """TF-IDF vocabulary and logistic-regression weights for the intents in :attr:`classes`."""

    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float32]
    weights: npt.NDArray[np.float32]  # (n_features, n_classes)
    intercept: npt.NDArray[np.float32]  # (n_classes,)

    def probabilities(self, features: Sequence[str]) -> npt.NDArray[np.float64]:
        """Probability of each class (in :attr:`classes` order) for one message's features."""
        counts = Counter(f for f in features if f in self.vocabulary)
        if not counts:
            scores = self.intercept.astype(np.float64)
        else:
            index = np.fromiter((self.vocabulary[f] for f in counts), dtype=np.int64)
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64)
            weight = tf * self.idf[index]
            weight /= np.sqrt(weight @ weight)
            scores = weight @ self.weights[index] + self.intercept
        scores = scores - scores.max()
        exp = np.exp(scores)
        result: npt.NDArray[np.float64] = exp / exp.sum()
        return result

    def save(self, path: Path, meta: dict[str, str]) -> None:
        """Write the model atomically (a temporary file renamed into place)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        terms = [""] * len(self.vocabulary)
        for term, i in self.vocabulary.items():
            terms[i] = term
        header = json.dumps({"classes": list(self.classes), "meta": meta}, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    header=np.frombuffer(header.encode(), dtype=np.uint8),
                    terms=np.frombuffer("\n".join(terms).encode(), dtype=np.uint8),
                    idf=self.idf,
                    weights=self.weights,
                    intercept=self.intercept,
                )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> tuple[IntentModel, dict[str, str]]:
        """Read a model written by :meth:`save`, with its metadata."""
        with np.load(path, allow_pickle=False) as archive:
            header = json.loads(archive["header"].tobytes().decode())
            terms = archive["terms"].tobytes().decode().split("\n")
            model = cls(
                classes=tuple(header["classes"]),
                vocabulary={t: i for i, t in enumerate(terms)},
                idf=archive["idf"],
                weights=archive["weights"],
                intercept=archive["intercept"],
            )
        return model, dict(header["meta"])


def train_model(
    texts: Sequence[str],
    labels: Sequence[str],
    features: FeatureFn,
    c: float = DEFAULT_C,
) -> IntentModel:
    """Fit TF-IDF and logistic regression on preprocessed texts with their intent labels."""
    from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
        TfidfVectorizer,
    )
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, lowercase=False)
    matrix = vectorizer.fit_transform(texts)
    classifier = LogisticRegression(C=c, max_iter=5000)
    classifier.fit(matrix, labels)
    coef, intercept = classifier.coef_, classifier.intercept_
    if coef.shape[0] == 1:  # two classes: sigmoid(z) is softmax over (0, z)
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    return IntentModel(
        classes=tuple(str(c) for c in classifier.classes_),
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32),
        weights=np.ascontiguousarray(coef.T, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32),
    )
