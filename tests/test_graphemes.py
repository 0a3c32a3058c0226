"""Cutting text to Messenger's limits never breaks a Khmer cluster, an accent or an emoji."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.graphemes import ELLIPSIS, clusters, fit, split_text, text_length

COENG = "\u17d2"
KHMER_LABEL = "លក្ខណៈវិនិច្ឆ័យទាំង 9"  # "The 9 criteria", 21 characters

# Khmer syllables with subscripts and vowels, Latin words, accents and emoji, mixed freely.
PIECES = st.sampled_from(
    [
        "ក",
        "ក្ខ",
        "ណៈ",
        "វិ",
        "និ",
        "ច្ឆ័",
        "យ",
        "ស្រ្តី",
        "ញ្ញា",
        "អំ",
        "ពី",
        " ",
        "Fees",
        "e\u0301",
        "👍🏽",
        "👨\u200d👩\u200d👧",
        "\u200b",
        "\n",
        "9",
    ]
)
TEXTS = st.lists(PIECES, max_size=60).map("".join)


def test_a_subscript_consonant_stays_with_its_coeng() -> None:
    assert clusters("ក្ខ") == ["ក្ខ"]
    assert clusters("ច្ឆ័យ") == ["ច្ឆ័", "យ"]
    assert clusters("👨\u200d👩\u200d👧!") == ["👨\u200d👩\u200d👧", "!"]


def test_a_long_khmer_label_is_cut_between_clusters_with_an_ellipsis() -> None:
    cut = fit(KHMER_LABEL, 20)
    assert text_length(cut) <= 20
    assert cut.endswith(ELLIPSIS)
    assert KHMER_LABEL.startswith(cut[: -len(ELLIPSIS)])
    assert not cut[: -len(ELLIPSIS)].endswith(COENG)


def test_english_is_cut_at_a_word() -> None:
    assert fit("What is the trustmark?", 20) == "What is the\u2026"
    assert fit("Fees", 20) == "Fees"


@given(TEXTS, st.integers(min_value=2, max_value=40))
def test_fit_respects_the_limit_and_keeps_whole_clusters(text: str, limit: int) -> None:
    cut = fit(text, limit)
    assert text_length(cut) <= limit
    if cut == text:
        return
    head = cut[: -len(ELLIPSIS)]
    assert text.startswith(head.rstrip()) or text.startswith(head)
    kept = clusters(head)
    assert kept == clusters(text)[: len(kept)] or head != head.rstrip()
    assert not head.endswith((COENG, "\u200d"))


@given(TEXTS.filter(lambda t: bool(t.strip())), st.integers(min_value=8, max_value=60))
def test_split_text_keeps_every_cluster_in_order(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(text_length(piece) <= limit for piece in pieces)
    for piece in pieces:
        assert not piece.endswith(COENG)
    joined = "".join(pieces).replace("\n", "")
    assert joined.replace(" ", "").replace("\u200b", "") == text.replace("\n", "").replace(
        " ", ""
    ).replace("\u200b", "")


def test_split_text_breaks_on_lines() -> None:
    lines = [f"{n}. " + "ក្ខ" * 300 for n in range(1, 6)]
    pieces = split_text("\n".join(lines), 2000)
    assert all(text_length(p) <= 2000 for p in pieces)
    assert all(p.split("\n")[0][0].isdigit() for p in pieces)  # each piece starts a line
    assert "\n".join(pieces) == "\n".join(lines)
