"""Verdicts that never mislead, in Khmer and English, through the real core and registry.

A near-miss name shows no green card; a certificate number never issued, or a badge shown on a
page its certificate does not cover, is flagged with a report button; websites match by domain;
links that name no page ask for the page; an unreachable registry never reads as a verdict.
"""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.collecting import CollectingChannel
from bot.core import ConversationCore
from bot.database import open_engine
from bot.messages import Button, CardReply, Reply
from bot.settings import Settings
from registry.demo import seed_demo
from tests.backend.support import start_reference_server
from tests.conftest import open_chat
from tests.core.shops import (
    CoreOn,
    Seller,
    certify,
    dead_port,
    seen,
    without,
)
from tests.language_check import assert_single_language

SAFETY = {
    "en": "never ask you for payment or passwords",
    "km": "មិនដែលសុំឱ្យអ្នកបង់ប្រាក់ ឬផ្តល់ពាក្យសម្ងាត់ទេ",
}
GREEN = {"en": "\u2705 Certified (CETS) until", "km": "\u2705 មានវិញ្ញាបនបត្រ (CETS)"}
NO_EXACT = {"en": "No exact match for", "km": "រកមិនឃើញឈ្មោះដែលត្រូវគ្នាទាំងស្រុង"}
NEVER_ISSUED = {"en": "was ever issued", "km": "មិនដែលមានការចេញវិញ្ញាបនបត្រលេខ"}
COPIED = {"en": "Possible copied badge", "km": "ស្លាកសញ្ញាអាចត្រូវបានចម្លង"}
NOT_FOUND = {"en": "No shop with this page", "km": "រកមិនឃើញហាង"}
UNAVAILABLE = {"en": "I cannot reach the registry", "km": "ខ្ញុំមិនអាចភ្ជាប់"}
ASK_PAGE = {"en": "I cannot tell which page this link is", "km": "ខ្ញុំមិនអាចដឹងថា តំណភ្ជាប់នេះ"}
MEKONG = Seller(
    "Mekong Fashions",
    "មេគង្គ ហ្វេសិនស៍",
    ("https://www.facebook.com/mekongfashions.kh", "https://www.mekongfashions.com.kh/home"),
)
SOKHA_MARKET = Seller("Sokha Market", "ផ្សារ សុខា", ("https://www.facebook.com/sokhamarket.kh",))
VALID = "CETS-2025-000001"  # the demo's Sokha Fashion, facebook.com/sokhafashion.demo


@pytest.fixture
async def certified(core: ConversationCore, settings: Settings) -> dict[str, str]:
    """The demo shops plus two certified shops with names close to what shoppers type."""
    engine = open_engine(settings.database_url)
    async with async_sessionmaker(engine).begin() as session:
        await seed_demo(session)
    await engine.dispose()
    return await certify(settings.database_url, [MEKONG, SOKHA_MARKET])


def cards(replies: list[Reply]) -> list[CardReply]:
    return [r for r in replies if isinstance(r, CardReply)]


def payloads(chat: CollectingChannel) -> list[str]:
    return [b.payload for b in chat.buttons()]


def assert_one_safety_reminder(replies: list[Reply], locale: str) -> None:
    assert seen(replies).count(SAFETY[locale]) == 1, seen(replies)


@pytest.mark.parametrize(
    ("locale", "typed", "label", "shop"),
    [
        ("en", "Mekong Fashion", "Mekong Fashions", MEKONG),
        ("en", "Sokha Mart", "Sokha Market", SOKHA_MARKET),
        ("km", "មេគង្គ ហ្វេសិន", "មេគង្គ ហ្វេសិនស៍", MEKONG),
        ("km", "Sokha Mart", "ផ្សារ សុខា", SOKHA_MARKET),
    ],
)
async def test_a_near_miss_name_shows_no_green_card_until_the_user_picks_the_shop(
    core: ConversationCore,
    certified: dict[str, str],
    locale: str,
    typed: str,
    label: str,
    shop: Seller,
) -> None:
    chat = await open_chat(core, locale)
    await chat.press_payload("i:check_shop")
    replies = await chat.say(typed)

    assert "\u2705" not in seen(replies)
    assert not cards(replies)
    assert NO_EXACT[locale] in seen(replies)
    assert_one_safety_reminder(replies, locale)
    assert_single_language(without(replies, typed), locale)
    certificate = certified[shop.name]
    assert Button(label, f"pick:{certificate}") in chat.buttons()

    picked = await chat.press(label)
    [card] = cards(picked)
    assert GREEN[locale] in card.subtitle
    assert certificate in card.title
    assert_one_safety_reminder(picked, locale)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_the_exact_name_of_a_certified_shop_is_still_confirmed_first(
    core: ConversationCore, certified: dict[str, str], locale: str
) -> None:
    chat = await open_chat(core, locale)
    for name in ("Sokha Market", "Mekong Fashions"):
        await chat.press_payload("i:check_shop")
        replies = await chat.say(name)
        assert "\u2705" not in seen(replies)
        assert f"pick:{certified[name]}" in payloads(chat)
        assert_single_language(without(replies, name), locale)


async def test_a_certificate_number_never_issued_is_flagged_as_a_likely_fake(
    core: ConversationCore, certified: dict[str, str]
) -> None:
    del certified
    chat = await open_chat(core, "en")
    replies = await chat.say("is CETS-2024-999999 real?")
    assert not cards(replies)
    assert (
        "No certificate with the number CETS-2024-999999 was ever issued \u2014 a badge showing "
        "it is likely fake." in chat.text()
    )
    assert "cmp:cert:CETS-2024-999999" in payloads(chat)
    assert NOT_FOUND["en"] not in chat.text()
    assert_one_safety_reminder(replies, "en")
    reported = await chat.press("Report this badge")
    assert "complaint" in seen(reported).lower()


async def test_a_fake_badge_qr_opens_the_never_issued_warning_in_khmer(
    core: ConversationCore, certified: dict[str, str]
) -> None:
    del certified
    chat = await open_chat(core, "km")
    replies = await chat.press_payload("cert:CETS-2024-999999")  # t.me/<bot>?start=cert_...
    assert not cards(replies)
    assert NEVER_ISSUED["km"] in chat.text() and "CETS-2024-999999" in chat.text()
    assert "cmp:cert:CETS-2024-999999" in payloads(chat)
    assert_one_safety_reminder(replies, "km")
    assert_single_language(replies, "km")


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_badge_number_sent_with_a_page_it_does_not_cover_is_a_copied_badge(
    core: ConversationCore, certified: dict[str, str], locale: str
) -> None:
    del certified
    chat = await open_chat(core, locale)
    await chat.press_payload("i:check_shop")
    replies = await chat.say(f"{VALID} https://www.facebook.com/cheap.deals.kh")
    assert COPIED[locale] in chat.text()
    assert "facebook.com/cheap.deals.kh" in chat.text()
    assert "\u2705" not in seen(replies)
    assert f"cmp:cert:{VALID}" in payloads(chat)
    assert_one_safety_reminder(replies, locale)
    if locale == "en":
        assert f"certificate {VALID} belongs to Sokha Fashion" in chat.text()


async def test_the_same_badge_with_its_own_page_is_genuine(
    core: ConversationCore, certified: dict[str, str]
) -> None:
    del certified
    chat = await open_chat(core, "en")
    await chat.press_payload("i:check_shop")
    replies = await chat.say(f"{VALID} https://m.facebook.com/sokhafashion.demo")
    [card] = cards(replies)
    assert GREEN["en"] in card.subtitle
    assert COPIED["en"] not in seen(replies)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_certificate_checked_then_another_page_is_a_possible_copied_badge(
    core: ConversationCore, certified: dict[str, str], locale: str
) -> None:
    del certified
    chat = await open_chat(core, locale)
    [card] = cards(await chat.press_payload(f"cert:{VALID}"))
    assert GREEN[locale] in card.subtitle
    await chat.press_payload("i:check_shop")
    replies = await chat.say("https://www.facebook.com/cheap.deals.kh")
    assert COPIED[locale] in chat.text()
    assert NOT_FOUND[locale] in chat.text()
    assert f"cmp:cert:{VALID}" in payloads(chat)
    assert_one_safety_reminder(replies, locale)

    # The seller's genuine page after the badge: no warning.
    await chat.press_payload(f"cert:{VALID}")
    await chat.press_payload("i:check_shop")
    genuine = await chat.say("facebook.com/sokhafashion.demo")
    assert COPIED[locale] not in seen(genuine)
    assert GREEN[locale] in cards(genuine)[0].subtitle


@pytest.mark.parametrize(
    "link",
    [
        "https://m.mekongfashions.com.kh/products/12?ref=fb",
        "mekongfashions.com.kh",
        "http://mobile.mekongfashions.com.kh/cart#top",
    ],
)
async def test_a_website_matches_by_domain_whatever_the_path(
    core: ConversationCore, certified: dict[str, str], link: str
) -> None:
    chat = await open_chat(core, "en")
    await chat.press_payload("i:check_shop")
    [card] = cards(await chat.say(link))
    assert card.title == f"Mekong Fashions \u00b7 {certified['Mekong Fashions']}"
    assert GREEN["en"] in card.subtitle


@pytest.mark.parametrize("locale", ["en", "km"])
@pytest.mark.parametrize(
    "link",
    [
        "https://www.facebook.com/share/1AbCdEfGh/",
        "https://www.facebook.com/share/p/19xYz/?mibextid=oFDknk",
        "https://m.facebook.com/story.php?story_fbid=123&id=456",
    ],
)
async def test_a_link_that_names_no_page_asks_for_the_page(
    core: ConversationCore, certified: dict[str, str], locale: str, link: str
) -> None:
    del certified
    chat = await open_chat(core, locale)
    await chat.press_payload("i:check_shop")
    replies = await chat.say(link)
    assert not cards(replies)
    assert ASK_PAGE[locale] in chat.text()
    assert NOT_FOUND[locale] not in chat.text()
    assert_one_safety_reminder(replies, locale)
    assert_single_language(replies, locale)


async def test_an_unknown_numeric_profile_link_asks_for_the_page(
    core: ConversationCore, certified: dict[str, str]
) -> None:
    del certified
    chat = await open_chat(core, "en")
    await chat.press_payload("i:check_shop")
    await chat.say("https://www.facebook.com/profile.php?id=100012345678901")
    assert "I found no shop with this Facebook number" in chat.text()
    assert NOT_FOUND["en"] not in chat.text()


@pytest.mark.parametrize(("locale", "label"), [("en", "Check a shop"), ("km", "ពិនិត្យហាង")])
async def test_the_greeting_and_the_menu_offer_the_shop_check(
    core: ConversationCore, locale: str, label: str
) -> None:
    chat = await open_chat(core, locale)
    greeting = await chat.press_payload("nav:menu")
    assert Button(label, "i:check_shop") == chat.buttons()[0]
    hello = await chat.say({"en": "hello", "km": "សួស្តី"}[locale])
    assert Button(label, "i:check_shop") in chat.buttons()
    assert {"en": "check whether a shop is certified", "km": "ពិនិត្យថា ហាងមួយមានវិញ្ញាបនបត្រ"}[
        locale
    ] in seen(hello)
    assert_single_language([*greeting, *hello], locale)
    asked = await chat.press(label)
    assert {"en": "Facebook page link", "km": "ហ្វេសប៊ុក"}[locale] in seen(asked)


# The registry unreachable: never a verdict


def assert_no_verdict(replies: list[Reply], locale: str) -> None:
    text = seen(replies)
    assert not cards(replies), text
    assert UNAVAILABLE[locale] in text
    for verdict in (GREEN, NOT_FOUND, NEVER_ISSUED, COPIED, NO_EXACT, ASK_PAGE):
        assert verdict[locale] not in text
    assert_one_safety_reminder(replies, locale)
    assert_single_language(replies, locale)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_an_unreachable_registry_never_reads_as_a_verdict(
    core_on: CoreOn, locale: str
) -> None:
    core = await core_on(f"http://127.0.0.1:{dead_port()}")
    chat = await open_chat(core, locale)
    await chat.press_payload("i:check_shop")
    assert_no_verdict(await chat.say("https://www.facebook.com/sokhafashion.demo"), locale)
    await chat.press_payload("i:check_shop")
    assert_no_verdict(await chat.say("Mekong Fashion"), locale)
    assert_no_verdict(await chat.press_payload("cert:CETS-2024-999999"), locale)
    assert_no_verdict(await chat.press_payload(f"pick:{VALID}"), locale)
    assert ("i:check_shop") in payloads(chat)  # "Try again"
    inline = await core.shop_cards("facebook.com/sokhafashion.demo", locale)
    assert [c.title for c in inline] == [
        {"en": "I cannot check right now", "km": "នៅពេលនេះ ខ្ញុំមិនអាចពិនិត្យបានទេ"}[locale]
    ]
    assert UNAVAILABLE[locale] in inline[0].subtitle


async def test_the_reference_server_stopped_mid_conversation(
    core_on: CoreOn, settings: Settings
) -> None:
    engine = open_engine(settings.database_url)
    async with async_sessionmaker(engine).begin() as session:
        await seed_demo(session)
    await engine.dispose()
    server = start_reference_server(settings.database_url)
    try:
        chat = await open_chat(await core_on(server.url), "en")
        await chat.press_payload("i:check_shop")
        [card] = cards(await chat.say("facebook.com/sokhafashion.demo"))
        assert GREEN["en"] in card.subtitle
        server.stop()
        await chat.press_payload("i:check_shop")
        assert_no_verdict(await chat.say("facebook.com/sokhafashion.demo"), "en")
    finally:
        server.stop()
