"""Property tests: how a message is typed must not change what the bot understands.

Zero-width spaces, Khmer characters typed in another order and Khmer digits give the same
intent and the same entities as the clean text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu.embedded import EmbeddedNlu
from nlu.interface import ParseResult
from nlu.normalise import COENG, RO, is_khmer_base, is_khmer_consonant
from nlu.training_data import load_training_data

EVAL_DIR = Path(__file__).resolve().parents[2] / "nlu" / "eval"
MESSAGES = sorted({e.text for e in load_training_data(EVAL_DIR).examples})
ENTITY_MESSAGES = [
    "ពិនិត្យលេខ 097 888 1234 ឱ្យផង",
    "APP-2024-000777 ដល់ណាហើយ",
    "បណ្តឹង CMP-2025-000007 ម៉េចហើយ",
    "ទំព័រ facebook.com/cheap.iphone.kh ទុកចិត្តបានទេ",
    "ខ្ញុំបាត់លុយ 50 ដុល្លារ ហើយអ្នកលក់បិទទំព័រ",
    "សាខាក្រុមហ៊ុនបរទេសត្រូវបង់ 250$ មែនទេ",
    "renew CETS-2022-000410 for my company",
    "is 012 345 678 a real shop",
]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff"]
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")

# Spellings that render the same but are typed in another order (see nlu/normalise.py).
KHMER_VARIANTS = [
    ("\u17d2\u178f\u17d2\u179a", "\u17d2\u179a\u17d2\u178f"),  # ្ត្រ typed as ្រ្ត
    ("\u17bb\u17c6", "\u17c6\u17bb"),  # ុំ typed as ំុ
    ("\u17b6\u17c6", "\u17c6\u17b6"),  # ាំ typed as ំា
    ("\u17c4", "\u17c1\u17b6"),  # ោ typed as េ + ា
    ("\u17be", "\u17c1\u17b8"),  # ើ typed as េ + ី
    ("\u17d2\u178f", "\u17d2\u178a"),  # coeng TA typed as coeng DA
    ("\u17ca\u17b8", "\u17b8\u17ca"),  # ៊ី typed as ី៊
    ("\u17c9\u17b7", "\u17b7\u17c9"),  # ៉ិ typed as ិ៉
]


def entity_view(result: ParseResult) -> list[tuple[str, str, str | None]]:
    """What the bot uses of the entities: name, normalised value, role."""
    return [(e.entity, e.value, e.role) for e in result.entities]


def insert_zero_width(text: str, positions: list[int], chars: list[str]) -> str:
    """Put zero-width characters at the given positions (modulo the length)."""
    out = list(text)
    for pos, ch in sorted(zip(positions, chars, strict=False), reverse=True):
        out.insert(pos % (len(out) + 1), ch)
    return "".join(out)


def messy_khmer(text: str, choices: list[bool]) -> str:
    """Retype Khmer clusters in the orders people's keyboards produce."""
    for (clean, messy), use in zip(KHMER_VARIANTS, choices, strict=False):
        if use:
            text = text.replace(clean, messy)
    return text


def test_variants_are_really_different_strings() -> None:
    # Guards the property tests below: the retyped text must differ from the clean one.
    assert messy_khmer("ស្ត្រី ដើរ ចាំ", [True] * len(KHMER_VARIANTS)) != "ស្ត្រី ដើរ ចាំ"


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(
    text=st.sampled_from(MESSAGES + ENTITY_MESSAGES),
    positions=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
    chars=st.lists(st.sampled_from(ZERO_WIDTH), min_size=6, max_size=6),
)
def test_zero_width_characters_change_nothing(
    engine: EmbeddedNlu, text: str, positions: list[int], chars: list[str]
) -> None:
    clean = engine.parse_sync(text)
    noisy = engine.parse_sync(insert_zero_width(text, positions, chars))
    assert noisy.intent.name == clean.intent.name
    assert entity_view(noisy) == entity_view(clean)


@PROPERTY_SETTINGS
@given(
    text=st.sampled_from(
        [m for m in MESSAGES + ENTITY_MESSAGES if any(is_khmer_base(c) for c in m)]
    ),
    choices=st.lists(st.booleans(), min_size=len(KHMER_VARIANTS), max_size=len(KHMER_VARIANTS)),
)
def test_reordered_khmer_changes_nothing(
    engine: EmbeddedNlu, text: str, choices: list[bool]
) -> None:
    clean = engine.parse_sync(text)
    messy = engine.parse_sync(messy_khmer(text, choices))
    assert messy.intent.name == clean.intent.name
    assert messy.intent.confidence == pytest.approx(clean.intent.confidence)
    assert entity_view(messy) == entity_view(clean)


@PROPERTY_SETTINGS
@given(
    text=st.sampled_from(
        [m for m in MESSAGES + ENTITY_MESSAGES if any(c in "0123456789" for c in m)]
    )
)
def test_khmer_digits_work_like_ascii_digits(engine: EmbeddedNlu, text: str) -> None:
    clean = engine.parse_sync(text)
    khmer = text.translate(KHMER_DIGITS)
    assert khmer != text
    parsed = engine.parse_sync(khmer)
    assert parsed.intent.name == clean.intent.name
    assert entity_view(parsed) == entity_view(clean)
    for entity in parsed.entities:  # offsets still cover the Khmer-digit original
        assert (
            khmer[entity.start : entity.end].translate(str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789"))
            == text[entity.start : entity.end]
        )


@PROPERTY_SETTINGS
@given(
    text=st.sampled_from(ENTITY_MESSAGES),
    positions=st.lists(st.integers(min_value=0, max_value=200), max_size=4),
)
def test_entity_offsets_survive_zero_width_spaces(
    engine: EmbeddedNlu, text: str, positions: list[int]
) -> None:
    noisy = insert_zero_width(text, positions, ["\u200b"] * 4)
    clean_spans = [text[e.start : e.end] for e in engine.parse_sync(text).entities]
    noisy_spans = [
        noisy[e.start : e.end].replace("\u200b", "") for e in engine.parse_sync(noisy).entities
    ]
    assert noisy_spans == clean_spans


def test_helpers_know_khmer_letters() -> None:
    assert is_khmer_consonant(RO) and COENG == "\u17d2"
