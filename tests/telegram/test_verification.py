"""Verification over Telegram: inline mode for a seeded shop, and the ?start=cert_<id> deep link."""

from __future__ import annotations

import pytest

from bot.core import ConversationCore
from bot.messages import TextReply
from bot.settings import Settings
from tests.conftest import open_chat
from tests.language_check import assert_single_language
from tests.telegram.conftest import (
    StartBot,
    as_replies,
    assert_shows,
    new_user,
    seed_registry,
)
from tests.telegram.fake_bot_api import FakeBotApi

CERTIFICATE = "CETS-2025-000001"
SHOP = {"en": "Sokha Fashion", "km": "សុខា ហ្វេសិន"}
CERTIFIED = {"en": "Certified (CETS) until", "km": "មានវិញ្ញាបនបត្រ (CETS)"}


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("km", "facebook.com/sokhafashion.demo"),
        ("en", "facebook.com/sokhafashion.demo"),
        ("en", "@sokhafashion_demo"),
        ("km", "012 345 601"),
    ],
)
async def test_an_inline_query_for_a_seeded_shop_returns_its_verification_card(
    start_bot: StartBot, fake_api: FakeBotApi, settings: Settings, locale: str, typed: str
) -> None:
    await seed_registry(settings)
    bot = await start_bot()
    user = new_user(bot, locale)
    query = user.payload("inline_query")
    query["inline_query"]["query"] = typed  # "@cets_test_bot <typed>" in any chat
    await user.say(query)

    [answer] = fake_api.of("answerInlineQuery")
    assert answer.params["inline_query_id"] == "134567890097"
    assert answer.params["is_personal"] in (True, "True", "true")
    [article] = answer.params["results"]
    assert article["type"] == "article"
    assert article["id"] == CERTIFICATE
    assert SHOP[locale] in article["title"] and CERTIFICATE in article["title"]
    assert CERTIFIED[locale] in article["description"]
    content = article["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith(f"<b>{SHOP[locale]}")
    assert "facebook.com/sokhafashion" in content["message_text"]
    assert "t.me/sokhafashion_demo" in content["message_text"]
    [[open_in_bot]] = article["reply_markup"]["inline_keyboard"]
    assert open_in_bot["url"] == f"https://t.me/cets_test_bot?start=cert_{CERTIFICATE}"
    assert answer.params["button"]["start_parameter"] == "check"
    assert_single_language(
        [TextReply(open_in_bot["text"]), TextReply(answer.params["button"]["text"])],
        locale,
    )


async def test_an_inline_query_without_matches_offers_the_bot(
    start_bot: StartBot, fake_api: FakeBotApi, settings: Settings
) -> None:
    await seed_registry(settings)
    bot = await start_bot()
    user = new_user(bot, "en")
    query = user.payload("inline_query")
    query["inline_query"]["query"] = ""
    await user.say(query)
    [answer] = fake_api.of("answerInlineQuery")
    assert answer.params["results"] == []
    assert answer.params["button"] == {
        "text": "Check a shop in the CETS bot",
        "start_parameter": "check",
    }


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_the_certificate_deep_link_opens_the_verification(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    settings: Settings,
    core: ConversationCore,
    locale: str,
) -> None:
    await seed_registry(settings)
    bot = await start_bot()
    user = new_user(bot, locale)
    # What a badge's QR code opens: t.me/cets_test_bot?start=cert_CETS-2025-000001
    shown = await user.say(user.text(f"/start cert_{CERTIFICATE}"))

    reference = await open_chat(core, locale, user_id="reference")
    assert_shows(shown, await reference.press_payload(f"cert:{CERTIFICATE}"))
    card = shown[0]
    assert card.params["text"].startswith(f"<b>{SHOP[locale]}")
    assert CERTIFIED[locale] in card.params["text"]
    share = [b for b in card.buttons() if "switch_inline_query" in b]
    assert [b["switch_inline_query"] for b in share] == [CERTIFICATE]
    for button in card.buttons():
        if "callback_data" in button:
            assert button["callback_data"].isascii()
    assert_single_language(as_replies(shown[1:]), locale)
