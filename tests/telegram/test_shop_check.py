"""Shop checks over Telegram (the fake Bot API): honest inline results, and a KHQR photo."""

from __future__ import annotations

import pytest

from bot.core import ConversationCore
from bot.messages import Attachment
from bot.settings import Settings
from tests.conftest import open_chat
from tests.core.shops import Seller, certify
from tests.khqr.codes import Khqr, phone_photo, qr_image
from tests.telegram.conftest import StartBot, as_replies, assert_shows, new_user, seed_registry
from tests.telegram.fake_bot_api import FakeBotApi

LARGEST_PHOTO = "AgACAgUAAxkBAAIBdGLarge"  # the largest size in the replayed photo message


async def inline_results(
    start_bot: StartBot, fake_api: FakeBotApi, locale: str, typed: str
) -> list[dict[str, object]]:
    """What ``@cets_test_bot <typed>`` offers in any chat."""
    bot = await start_bot()
    user = new_user(bot, locale)
    query = user.payload("inline_query")
    query["inline_query"]["query"] = typed
    await user.say(query)
    [answer] = fake_api.of("answerInlineQuery")
    results: list[dict[str, object]] = answer.params["results"]
    return results


@pytest.mark.parametrize(("locale", "typed"), [("en", "Sokha Fashion"), ("km", "សុខា ហ្វេសិន")])
async def test_an_inline_name_search_never_posts_a_green_card(
    start_bot: StartBot, fake_api: FakeBotApi, settings: Settings, locale: str, typed: str
) -> None:
    await seed_registry(settings)
    results = await inline_results(start_bot, fake_api, locale, typed)
    assert results
    for article in results:
        posted = article["input_message_content"]
        assert isinstance(posted, dict)
        assert "\u2705" not in str(article["description"]) + str(posted["message_text"])


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_an_inline_search_for_a_certificate_never_issued_says_so(
    start_bot: StartBot, fake_api: FakeBotApi, settings: Settings, locale: str
) -> None:
    await seed_registry(settings)
    [article] = await inline_results(start_bot, fake_api, locale, "CETS-2024-999999")
    assert "CETS-2024-999999" in str(article["title"])
    assert {"en": "likely fake", "km": "ទំនងជាក្លែងក្លាយ"}[locale] in str(article["description"])


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_khqr_photo_message_is_checked_against_the_registry(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    settings: Settings,
    core: ConversationCore,
    locale: str,
) -> None:
    await seed_registry(settings)
    shop = Seller(
        "Mekong Fashions",
        "មេគង្គ ហ្វេសិនស៍",
        ("https://www.facebook.com/mekongfashions.kh",),
        payments=("000123456@abaa",),
    )
    certificate = (await certify(settings.database_url, [shop]))["Mekong Fashions"]
    code = Khqr(
        "abaakhppxxx@abaa",
        "MEKONG FASHIONS",
        merchant=True,
        account="000123456",
        bank="ABA Bank",
        currency="840",
        amount="15.50",
    )
    picture = phone_photo(qr_image(code.payload()), angle=8, blur=1.1)
    fake_api.add_file(LARGEST_PHOTO, picture, "photos/file_3.jpg")
    bot = await start_bot()
    user = new_user(bot, locale)
    shown = await user.say(user.payload("message_photo"))

    [answer] = as_replies(shown)
    assert "MEKONG FASHIONS" in answer.text and "000123456" in answer.text  # type: ignore[union-attr]
    assert certificate in answer.text  # type: ignore[union-attr]
    assert {"en": "$15.50", "km": "15.50$"}[locale] in answer.text  # type: ignore[union-attr]
    # Exactly what the core answers for that photo.
    reference = await open_chat(core, locale, user_id="reference")
    assert_shows(
        shown,
        await reference.say(
            "", attachments=(Attachment("image", "photo-AQADlarge.jpg", "image/jpeg", picture),)
        ),
    )
