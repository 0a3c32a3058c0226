"""Checking a shop against the registry's demo data: honest verdicts in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.core import ConversationCore
from bot.database import open_engine
from bot.messages import CardReply
from bot.settings import Settings
from registry.demo import seed_demo
from tests.conftest import open_chat
from tests.language_check import assert_single_language


@pytest.fixture
async def seeded(core: ConversationCore, settings: Settings) -> ConversationCore:
    """The core, with the documented demo shops in its registry."""
    engine = open_engine(settings.database_url)
    async with async_sessionmaker(engine).begin() as session:
        await seed_demo(session)
    await engine.dispose()
    return core


def cards(replies: list[object]) -> list[CardReply]:
    return [r for r in replies if isinstance(r, CardReply)]


@pytest.mark.parametrize(
    ("locale", "certified"), [("en", "Certified (CETS) until"), ("km", "មានវិញ្ញាបនបត្រ (CETS)")]
)
async def test_certificate_deep_link_opens_the_verification(
    seeded: ConversationCore, locale: str, certified: str
) -> None:
    chat = await open_chat(seeded, locale)
    replies = await chat.press_payload("cert:CETS-2025-000001")
    [card] = cards(replies)
    assert "CETS-2025-000001" in card.title
    assert {"en": "Sokha Fashion", "km": "សុខា ហ្វេសិន"}[locale] in card.title
    assert certified in card.subtitle
    assert "facebook.com/sokhafashion" in card.subtitle
    assert "t.me/sokhafashion_demo" in card.subtitle
    assert "share:CETS-2025-000001" in [b.payload for b in card.buttons]
    assert_single_language([r for r in replies if not isinstance(r, CardReply)], locale)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("is this page legit? https://m.facebook.com/sokhafashion.demo/", "Certified"),
        ("check shop 012 345 603", "suspended"),
        ("is CETS-2025-000004 real?", "revoked"),
        ("check t.me/trustmarkdeals_demo", "Blacklisted"),
        ("check facebook.com/angkorcrafts.demo", "expired"),
    ],
)
async def test_each_verdict_is_told_honestly(
    seeded: ConversationCore, query: str, expected: str
) -> None:
    chat = await open_chat(seeded, "en")
    replies = await chat.say(query)
    found = cards(replies)
    assert found, chat.text()
    assert expected in found[0].subtitle


async def test_unknown_shop_is_not_called_safe(seeded: ConversationCore) -> None:
    chat = await open_chat(seeded, "km")
    await chat.press_payload("i:check_shop")
    replies = await chat.say("https://www.facebook.com/nobody.here.123")
    assert not cards(replies)
    assert "រកមិនឃើញហាង" in chat.text()
    assert_single_language(replies, "km")


async def test_check_by_name_after_being_asked(seeded: ConversationCore) -> None:
    chat = await open_chat(seeded, "en")
    await chat.say("I want to check a shop")
    assert "Facebook page link" in chat.text()
    replies = await chat.say("Kampot Pepper Online")
    [card, *_] = cards(replies)
    assert "not certified" in card.subtitle


async def test_inline_search_cards(seeded: ConversationCore) -> None:
    found = await seeded.shop_cards("sokhafashion.demo", "en")
    assert found and "Sokha Fashion" in found[0].title
    assert await seeded.shop_cards("   ", "en") == []
