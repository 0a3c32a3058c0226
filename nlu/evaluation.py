"""Intent evaluation: accuracy, macro F1, per-intent precision/recall, cross-validation."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlu.training_data import Example, TrainingData

STYLES = ("khmer", "english", "mixed", "romanized")


@dataclass(frozen=True, slots=True)
class IntentMetrics:
    """Precision, recall and F1 of one intent, with its number of test examples."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class EvaluationReport:
    """How well predicted intents match the labels of a test set."""

    accuracy: float
    macro_f1: float
    per_intent: dict[str, IntentMetrics]
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got
    count: int = 0

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON data (top-level ``accuracy`` and ``macro_f1``)."""
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "count": self.count,
            "per_intent": {
                name: {
                    "precision": round(m.precision, 4),
                    "recall": round(m.recall, 4),
                    "f1": round(m.f1, 4),
                    "support": m.support,
                }
                for name, m in sorted(self.per_intent.items())
            },
            "errors": [
                {"text": text, "expected": expected, "predicted": got}
                for text, expected, got in self.errors
            ],
        }


def score(
    expected: Sequence[str], predicted: Sequence[str], texts: Sequence[str]
) -> EvaluationReport:
    """Metrics for predicted against expected labels (macro F1 over the expected intents)."""
    if len(expected) != len(predicted):
        raise ValueError("expected and predicted differ in length")
    true_pos: Counter[str] = Counter()
    pred_count: Counter[str] = Counter(predicted)
    gold_count: Counter[str] = Counter(expected)
    errors = []
    for text, gold, got in zip(texts, expected, predicted, strict=True):
        if gold == got:
            true_pos[gold] += 1
        else:
            errors.append((text, gold, got))
    per_intent: dict[str, IntentMetrics] = {}
    for name in sorted(gold_count):
        precision = true_pos[name] / pred_count[name] if pred_count[name] else 0.0
        recall = true_pos[name] / gold_count[name]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[name] = IntentMetrics(precision, recall, f1, gold_count[name])
    total = len(expected)
    accuracy = sum(true_pos.values()) / total if total else 0.0
    macro = sum(m.f1 for m in per_intent.values()) / len(per_intent) if per_intent else 0.0
    return EvaluationReport(accuracy, macro, per_intent, errors, total)


def evaluate(predict: Callable[[str], str], examples: Sequence[Example]) -> EvaluationReport:
    """Run ``predict`` over labelled examples and score the intents it returns."""
    texts = [e.text for e in examples]
    return score([e.intent for e in examples], [predict(t) for t in texts], texts)


def style_of(example: Example) -> str:
    """Writing style of an example, from its file name (``nlu_khmer.yml``, ``test_mixed.yml``)."""
    stem = example.source.rsplit(".", 1)[0]
    for style in STYLES:
        if stem.endswith(style):
            return style
    return "other"


def by_style(examples: Sequence[Example]) -> dict[str, list[Example]]:
    """Examples grouped by writing style, in :data:`STYLES` order."""
    groups: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        groups[style_of(example)].append(example)
    return {s: groups[s] for s in [*STYLES, "other"] if groups.get(s)}


def stratified_folds(examples: Sequence[Example], folds: int, seed: int = 13) -> list[list[int]]:
    """Indices of ``folds`` test folds, each intent spread evenly over the folds."""
    by_intent: dict[str, list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        by_intent[example.intent].append(i)
    rng = random.Random(seed)
    result: list[list[int]] = [[] for _ in range(folds)]
    offset = 0
    for intent in sorted(by_intent):
        indices = by_intent[intent]
        rng.shuffle(indices)
        for j, index in enumerate(indices):
            result[(j + offset) % folds].append(index)
        offset += len(indices)
    return result


def cross_validate(
    data: TrainingData,
    train: Callable[[TrainingData], Callable[[str], str]],
    folds: int = 5,
    seed: int = 13,
) -> tuple[EvaluationReport, dict[str, EvaluationReport]]:
    """K-fold cross-validation: overall report and one per writing style."""
    examples = data.examples
    predicted: list[str] = [""] * len(examples)
    for test_indices in stratified_folds(examples, folds, seed):
        held_out = set(test_indices)
        fold_data = TrainingData(
            examples=[e for i, e in enumerate(examples) if i not in held_out],
            synonyms=data.synonyms,
            regexes=data.regexes,
            lookups=data.lookups,
        )
        predict = train(fold_data)
        for i in test_indices:
            predicted[i] = predict(examples[i].text)
    texts = [e.text for e in examples]
    overall = score([e.intent for e in examples], predicted, texts)
    styles: dict[str, EvaluationReport] = {}
    for style in [*STYLES, "other"]:
        idx = [i for i, e in enumerate(examples) if style_of(e) == style]
        if idx:
            styles[style] = score(
                [examples[i].intent for i in idx],
                [predicted[i] for i in idx],
                [texts[i] for i in idx],
            )
    return overall, styles
