"""The intent classifier: a kernel ridge classifier over TF-IDF features, run with numpy.

Training solves ridge regression on one-hot intent targets in closed form through its dual
(an ``n x n`` system for ``n`` examples), picks the regularisation and a softmax temperature by
exact leave-one-out on the training data, and folds everything into one weight matrix. It
needs no iterative optimiser and no scikit-learn, so a rebuild takes about a second.
Parsing recomputes the TF-IDF vector and a softmax with numpy alone.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IntentModel:
    """TF-IDF vocabulary and linear weights for the intents in :attr:`classes`."""

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


# Ridge penalty, chosen by cross-validation on nlu/data (docs/nlu.md); leave-one-out on the
# training data then picks the softmax temperature that makes confidences honest.
RIDGE_PENALTY = 0.1
TEMPERATURES = tuple(float(t) for t in np.geomspace(1.0, 60.0, 48))


def _tfidf_matrix(
    feature_lists: Sequence[Sequence[str]],
) -> tuple[Any, dict[str, int], npt.NDArray[np.float64]]:
    """Sparse rows of l2-normalised sublinear TF-IDF, the vocabulary and the idf weights."""
    from scipy import sparse

    vocabulary: dict[str, int] = {}
    counts = [Counter(features) for features in feature_lists]
    for count in counts:
        for term in count:
            vocabulary.setdefault(term, len(vocabulary))
    n = len(counts)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(c) for c in counts])
    indices = np.fromiter((vocabulary[t] for c in counts for t in c), dtype=np.int64)
    tf = np.fromiter((1.0 + math.log(v) for c in counts for v in c.values()), dtype=np.float64)
    doc_freq = np.bincount(indices, minlength=len(vocabulary))
    idf = np.log((1.0 + n) / (1.0 + doc_freq)) + 1.0  # scikit-learn's smooth idf
    values = tf * idf[indices]
    row_of = np.repeat(np.arange(n), np.diff(indptr))
    norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=n))
    values /= np.where(norms > 0, norms, 1.0)[row_of]
    matrix = sparse.csr_matrix((values, indices, indptr), shape=(n, len(vocabulary)))
    return matrix, vocabulary, idf


def _mean_log_loss(scores: npt.NDArray[np.float64], targets: npt.NDArray[np.int64]) -> float:
    """Mean negative log-likelihood of the targets under softmax(scores)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_norm - shifted[np.arange(len(targets)), targets]))


def train_model(
    feature_lists: Sequence[Sequence[str]],
    labels: Sequence[str],
    penalty: float = RIDGE_PENALTY,
) -> IntentModel:
    """Fit the classifier on each example's feature strings and its intent label."""
    if len(feature_lists) != len(labels) or not labels:
        raise ValueError("need the same, non-zero number of examples and labels")
    matrix, vocabulary, idf = _tfidf_matrix(feature_lists)
    classes = tuple(sorted(set(labels)))
    targets = np.array([classes.index(label) for label in labels], dtype=np.int64)
    onehot = np.zeros((len(labels), len(classes)))
    onehot[np.arange(len(labels)), targets] = 1.0
    # The constant 1 is an unpenalised-ish bias feature shared by all examples.
    kernel = (matrix @ matrix.T).toarray() + 1.0
    kernel[np.diag_indices_from(kernel)] += penalty
    inverse = np.linalg.inv(kernel)
    dual = inverse @ onehot
    # Exact leave-one-out scores of kernel ridge regression, without refitting n times.
    loo_scores = onehot - dual / np.diag(inverse)[:, None]
    temperature = min(TEMPERATURES, key=lambda t: _mean_log_loss(t * loo_scores, targets))
    logger.debug(
        "temperature %.3g, leave-one-out accuracy %.3f",
        temperature,
        float(np.mean(loo_scores.argmax(axis=1) == targets)),
    )
    weights = temperature * np.asarray(matrix.T @ dual)
    intercept = temperature * dual.sum(axis=0)
    return IntentModel(
        classes=classes,
        vocabulary=vocabulary,
        idf=idf.astype(np.float32),
        weights=np.ascontiguousarray(weights, dtype=np.float32),
        intercept=intercept.astype(np.float32),
    )
