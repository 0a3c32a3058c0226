"""The shipped data: Rasa format, the fixed intents, enough examples, a clean test split."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from nlu.evaluation import STYLES, style_of
from nlu.interface import Intent
from nlu.normalise import normalise_str
from nlu.training_data import TrainingDataError, load_training_data, strip_annotations

ROOT = Path(__file__).resolve().parents[2]
TRAIN = load_training_data(ROOT / "nlu" / "data")
TEST = load_training_data(ROOT / "nlu" / "eval")
ALL_INTENTS = {i.value for i in Intent}


def test_training_data_covers_exactly_the_fixed_intents() -> None:
    assert set(TRAIN.intents()) == ALL_INTENTS
    assert set(TEST.intents()) == ALL_INTENTS


def test_at_least_40_examples_per_intent_in_every_style_mix() -> None:
    counts = Counter(e.intent for e in TRAIN.examples)
    assert min(counts.values()) >= 40
    for style in STYLES:
        per_style = Counter(e.intent for e in TRAIN.examples if style_of(e) == style)
        assert set(per_style) == ALL_INTENTS, style


def test_the_test_split_has_every_style_and_never_appears_in_training() -> None:
    assert {style_of(e) for e in TEST.examples} == set(STYLES)
    train_texts = {normalise_str(e.text) for e in TRAIN.examples}
    leaked = [e.text for e in TEST.examples if normalise_str(e.text) in train_texts]
    assert leaked == []


def test_no_duplicate_training_examples() -> None:
    counts = Counter(normalise_str(e.text) for e in TRAIN.examples)
    assert [t for t, n in counts.items() if n > 1] == []


def test_synonyms_name_the_business_categories() -> None:
    assert set(TRAIN.synonyms) == {
        "individual",
        "sole_proprietorship",
        "legal_person",
        "foreign_branch",
    }


def test_entity_annotations_are_stripped() -> None:
    assert strip_annotations("call [012 345 678](phone) now") == "call 012 345 678 now"
    assert strip_annotations('[APP-2024-000123]{"entity": "application_id"}') == "APP-2024-000123"


def test_invalid_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("nlu:\n- intent: greet\n  examples: |\n    hello without dash\n")
    with pytest.raises(TrainingDataError, match=r"bad\.yml"):
        load_training_data(bad)
