"""Typed navigation words in Khmer script, English and romanized Khmer."""

from __future__ import annotations

import pytest

from bot.navigation import Navigation, parse_navigation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("back", Navigation.BACK),
        ("Back.", Navigation.BACK),
        ("please go back", Navigation.BACK),
        ("bakc", Navigation.BACK),
        ("ត្រឡប់", Navigation.BACK),
        ("ថយ", Navigation.BACK),
        ("ថយក្រោយ", Navigation.BACK),
        ("tov krauy", Navigation.BACK),
        ("tov kroy", Navigation.BACK),
        ("menu", Navigation.MENU),
        ("ម៉ឺនុយ", Navigation.MENU),
        ("cancel", Navigation.CANCEL),
        ("cancle", Navigation.CANCEL),
        ("បោះបង់", Navigation.CANCEL),
        ("bos bong", Navigation.CANCEL),
        ("ភាសា", Navigation.LANGUAGE),
        ("ban", None),  # "can / got it": an answer, never navigation
        ("toy", None),  # an English word someone might sell
        ("go back to the fees", None),
        ("how do I go back", None),
    ],
)
def test_navigation_words(text: str, expected: Navigation | None) -> None:
    assert parse_navigation(text) == expected
