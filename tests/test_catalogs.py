"""The gettext catalogs are complete: every message has a Khmer and an English translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parent.parent


def _catalog(locale: str) -> list[tuple[str, str]]:
    with (REPO / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    entries = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            strings = ("",)
        entries += [(ids[0], s) for s in strings]
    return entries


def _template_ids() -> set[str]:
    with (REPO / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}


@pytest.mark.parametrize("locale", ["km", "en"])
def test_every_entry_is_translated(locale: str) -> None:
    missing = [msgid for msgid, string in _catalog(locale) if not string.strip()]
    assert not missing, f"{len(missing)} untranslated {locale} entries, e.g. {missing[:3]}"


@pytest.mark.parametrize("locale", ["km", "en"])
def test_catalog_covers_the_template(locale: str) -> None:
    in_catalog = {msgid for msgid, _ in _catalog(locale)}
    assert _template_ids() <= in_catalog


def test_khmer_entries_are_written_in_khmer() -> None:
    for msgid, string in _catalog("km"):
        has_khmer = any("\u1780" <= ch <= "\u17ff" for ch in string)
        assert has_khmer or (string == msgid and not any(ch.isalpha() for ch in msgid)), msgid


def test_placeholders_match() -> None:
    import re

    field = re.compile(r"\{(\w+)\}")
    for msgid, string in _catalog("km"):
        assert set(field.findall(msgid)) == set(field.findall(string)), msgid
