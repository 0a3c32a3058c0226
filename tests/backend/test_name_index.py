"""Fuzzy name search: the in-memory index scores as the trigram definitions say, finds an
exact name however many near names there are, and follows changes made by another process."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend_client import BusinessRecord, MatchKind
from registry.embedded import EmbeddedBackend, EmbeddedOfficer, open_store
from registry.name_index import NameIndex
from registry.names import normalise_name, similarity, trigrams
from tests.backend.support import token

LETTERS = "abcdeklmnosABCDEK0123 .-&'’\u200b" + "កខគងចឆជញដទនបពមយរលសហអាិីុូេែៃោៅំះ្់៍"
names = st.text(alphabet=LETTERS, max_size=24)


def spelled_out(name: str) -> str:
    """normalise_name as its docstring defines it, one character at a time."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(ch for ch in text if ch not in "\u200b\u200c\u200d\u2060\ufeff").casefold()
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZ" else ch for ch in text)
    return " ".join(kept.split())


@given(st.text(max_size=40))
def test_a_name_is_normalised_as_defined(name: str) -> None:
    assert normalise_name(name) == spelled_out(name)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(names, st.one_of(st.none(), names)), max_size=12), names)
def test_the_index_scores_every_name_by_its_trigrams(
    businesses: list[tuple[str, str | None]], query: str
) -> None:
    rows = [(number, name, name_km) for number, (name, name_km) in enumerate(businesses, 1)]
    grams = trigrams(query)
    least = max(2, int(len(grams) * 0.3))
    expected = {}
    for number, name, name_km in rows:
        best = 0.0
        for written in (name, name_km or ""):
            if len(grams & trigrams(written)) >= least:
                best = max(best, similarity(grams, trigrams(written)))
        if best >= 0.45:
            expected[number] = best
    ranked = sorted(expected.items(), key=lambda hit: (-hit[1], hit[0]))
    found = NameIndex.build(1, rows).search(grams, least=least, min_score=0.45, limit=50)
    assert [number for number, _ in found] == [number for number, _ in ranked]
    assert [score for _, score in found] == pytest.approx([score for _, score in ranked])


async def test_an_exact_name_is_found_among_many_longer_ones(sqlite_url: str) -> None:
    tag = token()
    near = [BusinessRecord(f"EC-{tag}-{n}", f"Kanha{tag} Fashion {n}") for n in range(60)]
    store = await open_store(sqlite_url)
    try:
        officer = EmbeddedOfficer(store)
        await officer.import_businesses(near, officer="dara")
        await officer.import_businesses(
            [BusinessRecord(f"EC-{tag}", f"Kanha{tag}")], officer="dara"
        )
        matches = await EmbeddedBackend(store).find_shops(f"kanha{tag}")
    finally:
        await store.close()
    assert matches[0].shop.registration_no == f"EC-{tag}".upper()
    assert (matches[0].matched_by, matches[0].score) == (MatchKind.NAME, 1.0)
    assert all(m.score < 1.0 for m in matches[1:])


@pytest.mark.parametrize(
    "database", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
)
async def test_names_changed_by_another_process_are_searched_at_once(
    database: str, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue(database)
    tag = token()
    bot_store, officer_store = await open_store(url), await open_store(url)
    try:
        bot = EmbeddedBackend(bot_store)
        officer = EmbeddedOfficer(officer_store)
        await officer.import_businesses(
            [BusinessRecord(f"EC-{tag}", f"Lotus Pepper {tag}")], officer="dara"
        )
        (first,) = await bot.find_shops(f"Lotus Pepper {tag}")
        await officer.import_businesses(
            [BusinessRecord(f"EC-{tag}", f"Golden Naga Spa {tag}", f"នាគ មាស {tag}")],
            officer="dara",
        )
        await officer.import_businesses(
            [BusinessRecord(f"EC-{tag}-2", f"Apsara Books {tag}")], officer="dara"
        )
        renamed = await bot.find_shops(f"Golden Naga Spa {tag}")
        in_khmer = await bot.find_shops(f"នាគ មាស {tag}")
        added = await bot.find_shops(f"Apsara Books {tag}")
        old_name = await bot.find_shops(f"Lotus Pepper {tag}")
    finally:
        await bot_store.close()
        await officer_store.close()
    assert first.shop.name == f"Lotus Pepper {tag}"
    assert (
        renamed[0].shop.registration_no == in_khmer[0].shop.registration_no == f"EC-{tag}".upper()
    )
    assert (renamed[0].score, in_khmer[0].score) == (1.0, 1.0)
    assert added[0].shop.registration_no == f"EC-{tag}-2".upper()
    assert all(m.shop.registration_no != f"EC-{tag}".upper() or m.score < 1.0 for m in old_name)
