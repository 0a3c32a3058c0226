"""Normalisation: what different keyboards produce must become one canonical text."""

from __future__ import annotations

import pytest

from nlu.normalise import normalise, normalise_str

ZWSP = "\u200b"


def test_zero_width_characters_are_removed_and_offsets_skip_them() -> None:
    text = f"ថ្លៃ{ZWSP}ប៉ុន្មាន{ZWSP}"
    norm = normalise(text)
    assert norm.text == "ថ្លៃប៉ុន្មាន"
    start = norm.text.index("ប៉ុ")
    assert norm.to_original(start, len(norm.text)) == (text.index("ប៉ុ"), len(text) - 1)


def test_khmer_digits_become_ascii() -> None:
    assert normalise_str("លេខ ០១២ ៣៤៥ ៦៧៨៩") == "លេខ 012 345 6789"


def test_latin_is_lower_cased_and_whitespace_collapsed() -> None:
    assert normalise_str("  Hello\u00a0  WORLD\n") == "hello world"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        # subscript RO typed before another subscript: ស + ្រ + ្ត + ី
        ("ស\u17d2\u179a\u17d2\u178f\u17b8", "ស្ត្រី"),
        # vowel typed before the subscript consonant: ក + ា + ្ម  ->  ក + ្ម + ា
        ("ក\u17b6\u17d2\u1798", "ក\u17d2\u1798\u17b6"),
        # nikahit before the vowel: ប + ំ + ា -> បាំ
        ("ប\u17c6\u17b6", "បាំ"),
        # register shifter after the vowel: ប + ី + ៊ -> ប៊ី
        ("ប\u17b8\u17ca", "ប៊ី"),
        # split vowels: េ + ា -> ោ ; េ + ី -> ើ
        ("ក\u17c1\u17b6", "កោ"),
        ("ដ\u17c1\u17b8រ", "ដើរ"),
        # coeng DA and coeng TA look the same; both spellings of "hello"
        ("សួស្ដី", "សួស្តី"),
        # the two forms of the independent vowel in ឲ្យ / ឱ្យ
        ("ឲ្យ", "ឱ្យ"),
        # a doubled vowel sign typed twice
        ("កា\u17b6", "កា"),
    ],
)
def test_khmer_character_order_is_canonical(typed: str, canonical: str) -> None:
    assert normalise_str(typed) == canonical


def test_reordered_syllable_maps_back_to_the_whole_original_syllable() -> None:
    text = "xx ស\u17d2\u179a\u17d2\u178f\u17b8 yy"
    norm = normalise(text)
    start = norm.text.index("ស")
    end = start + len("ស្ត្រី")
    assert text[slice(*norm.to_original(start, end))] == "ស\u17d2\u179a\u17d2\u178f\u17b8"


def test_clean_text_is_unchanged() -> None:
    text = "ខ្ញុំចង់ដាក់ពាក្យ for my shop"
    assert normalise_str(text) == text
