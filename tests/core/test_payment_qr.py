"""A shopper sends the seller's KHQR as a photo or screenshot: whom it pays, and is that a
certified shop? Through the real core, registry and decoder, in Khmer and English."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.core import ConversationCore
from bot.database import open_engine
from bot.messages import Attachment, Reply, TextReply
from bot.settings import Settings
from registry.demo import seed_demo
from tests.conftest import open_chat
from tests.core.shops import CoreOn, Seller, certify, dead_port, seen, without
from tests.core.test_shop_verdicts import SAFETY, UNAVAILABLE
from tests.khqr.codes import Khqr, jpeg, phone_photo, png, qr_image, screenshot
from tests.language_check import assert_single_language

# Bakong ids of individuals; ABA's generic merchant id before the seller's own merchant id.
MEKONG = Seller(
    "Mekong Fashions",
    "មេគង្គ ហ្វេសិនស៍",
    ("https://www.facebook.com/mekongfashions.kh",),
    payments=("mekong_fashions@aclb",),
)
DARA = Seller(
    "Dara Phone Shop",
    "ហាងទូរស័ព្ទ ដារ៉ា",
    ("https://www.facebook.com/daraphone.kh",),
    payments=("000123456@abaa",),
)
INDIVIDUAL_RIEL = Khqr("mekong_fashions@aclb", "MEKONG FASHIONS", bank="ACLEDA Bank")
MERCHANT_DOLLARS = Khqr(
    "abaakhppxxx@abaa",
    "DARA PHONE SHOP",
    merchant=True,
    account="000123456",
    bank="ABA Bank",
    currency="840",
    amount="15.50",
    bill="INV-12",
)
# Another seller at the same bank, behind the same generic id: not Dara's account.
SAME_BANK_STRANGER = Khqr(
    "abaakhppxxx@abaa", "SOK SHOP", merchant=True, account="000999888", bank="ABA Bank"
)
UNKNOWN_IN_RIEL = Khqr("quick_deals99@wing", "QUICK DEALS", currency="116", amount="60000")

LINKED = {
    "en": "This is a payment account of the certified shop",
    "km": "នេះជាគណនីទទួលប្រាក់របស់ហាងដែលមានវិញ្ញាបនបត្រ",
}
NOT_LINKED = {"en": "not linked to any certified shop", "km": "មិនភ្ជាប់ជាមួយហាងណាដែលមានវិញ្ញាបនបត្រទេ"}
INVALID = {"en": "This is not a valid KHQR", "km": "នេះមិនមែនជា KHQR ត្រឹមត្រូវទេ"}
NO_FILE_NEEDED = {
    "en": "Thank you. I do not need a file right now.",
    "km": "អរគុណ។ ឥឡូវនេះខ្ញុំមិនត្រូវការឯកសារទេ។",
}


@pytest.fixture
async def certified(core: ConversationCore, settings: Settings) -> dict[str, str]:
    """The demo shops, and two certified shops with payment accounts."""
    engine = open_engine(settings.database_url)
    async with async_sessionmaker(engine).begin() as session:
        await seed_demo(session)
    await engine.dispose()
    return await certify(settings.database_url, [MEKONG, DARA])


def photo(data: bytes, kind: str = "image", mime: str = "image/jpeg") -> tuple[Attachment, ...]:
    return (Attachment(kind, "photo.jpg", mime, data),)  # type: ignore[arg-type]


def assert_khqr_answer_in(replies: list[Reply], locale: str, *data: str) -> None:
    """One reminder, one language (the code's own names and accounts are data)."""
    assert seen(replies).count(SAFETY[locale]) == 1, seen(replies)
    assert_single_language(without(replies, *data), locale)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_phone_photo_of_an_individual_code_in_riel_pays_a_certified_shop(
    core: ConversationCore, certified: dict[str, str], locale: str
) -> None:
    chat = await open_chat(core, locale)
    picture = phone_photo(qr_image(INDIVIDUAL_RIEL.payload()), angle=-6, blur=1.2)
    replies = await chat.say("", attachments=photo(picture))
    text = chat.text()
    assert "MEKONG FASHIONS" in text and "mekong_fashions@aclb" in text and "ACLEDA Bank" in text
    assert LINKED[locale] in text
    assert {"en": "Mekong Fashions", "km": "មេគង្គ ហ្វេសិនស៍"}[locale] in text
    assert certified["Mekong Fashions"] in text
    assert f"cert:{certified['Mekong Fashions']}" in [b.payload for b in chat.buttons()]
    assert_khqr_answer_in(replies, locale, "MEKONG FASHIONS", "mekong_fashions@aclb", "ACLEDA Bank")


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_bank_merchant_code_in_dollars_inside_a_screenshot(
    core: ConversationCore, certified: dict[str, str], locale: str
) -> None:
    chat = await open_chat(core, locale)
    replies = await chat.say(
        "", attachments=photo(screenshot(qr_image(MERCHANT_DOLLARS.payload())))
    )
    text = chat.text()
    assert "DARA PHONE SHOP" in text and "000123456" in text and "ABA Bank" in text
    assert {"en": "Amount: $15.50", "km": "15.50$"}[locale] in text
    assert LINKED[locale] in text and certified["Dara Phone Shop"] in text
    assert_khqr_answer_in(
        replies, locale, "DARA PHONE SHOP", "abaakhppxxx@abaa", "000123456", "ABA Bank"
    )


async def test_another_seller_behind_the_same_bank_id_is_not_the_certified_shop(
    core: ConversationCore, certified: dict[str, str]
) -> None:
    chat = await open_chat(core, "en")
    await chat.say("", attachments=photo(png(qr_image(SAME_BANK_STRANGER.payload()))))
    assert "SOK SHOP" in chat.text() and "000999888" in chat.text()
    assert NOT_LINKED["en"] in chat.text()
    assert certified["Dara Phone Shop"] not in chat.text()
    assert LINKED["en"] not in chat.text()


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_an_account_of_no_certified_shop(
    core: ConversationCore, certified: dict[str, str], locale: str
) -> None:
    del certified
    chat = await open_chat(core, locale)
    picture = phone_photo(qr_image(UNKNOWN_IN_RIEL.payload()), angle=11, blur=1.0, seed=4)
    replies = await chat.say("", attachments=photo(picture))
    assert "QUICK DEALS" in chat.text() and "quick_deals99@wing" in chat.text()
    assert {"en": "Amount: 60,000 riel", "km": "60,000 រៀល"}[locale] in chat.text()
    assert NOT_LINKED[locale] in chat.text()
    assert LINKED[locale] not in chat.text()
    assert_khqr_answer_in(replies, locale, "QUICK DEALS", "quick_deals99@wing", "WING")


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_code_with_a_wrong_crc_is_not_a_valid_khqr(
    core: ConversationCore, certified: dict[str, str], locale: str
) -> None:
    del certified
    genuine = INDIVIDUAL_RIEL.payload()
    altered = genuine.replace("mekong_fashions@aclb", "mekong_fashionz@aclb")  # CRC kept
    chat = await open_chat(core, locale)
    replies = await chat.say("", attachments=photo(jpeg(qr_image(altered), 50)))
    assert INVALID[locale] in chat.text()
    assert LINKED[locale] not in chat.text() and NOT_LINKED[locale] not in chat.text()
    assert "mekong_fashionz" not in chat.text()  # nothing read from an altered code
    assert_khqr_answer_in(replies, locale)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_photo_without_a_qr_code_keeps_todays_answer(
    core: ConversationCore, certified: dict[str, str], locale: str
) -> None:
    del certified
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (800, 600), (210, 190, 170))
    ImageDraw.Draw(picture).rectangle((100, 100, 500, 400), fill=(40, 80, 160))
    chat = await open_chat(core, locale)
    replies = await chat.say("", attachments=photo(jpeg(picture, 60)))
    reference = await open_chat(core, locale, user_id="reference")
    pdf = Attachment("file", "form.pdf", "application/pdf", b"%PDF-1.4 not a picture")
    assert replies == await reference.say("", attachments=(pdf,))
    assert next(r.text for r in replies if isinstance(r, TextReply)).startswith(
        NO_FILE_NEEDED[locale]
    )


async def test_a_photo_of_a_trustmark_badge_qr_opens_its_verification(
    core: ConversationCore, certified: dict[str, str]
) -> None:
    del certified
    chat = await open_chat(core, "en")
    badge = qr_image("https://t.me/cets_bot?start=cert_CETS-2025-000001")
    replies = await chat.say("", attachments=photo(phone_photo(badge, angle=5, blur=0.8)))
    reference = await open_chat(core, "en", user_id="reference")
    assert replies == await reference.press_payload("cert:CETS-2025-000001")


async def test_a_registry_outage_reads_the_code_but_gives_no_verdict(core_on: CoreOn) -> None:
    core = await core_on(f"http://127.0.0.1:{dead_port()}")
    chat = await open_chat(core, "en")
    await chat.say("", attachments=photo(png(qr_image(INDIVIDUAL_RIEL.payload()))))
    assert "mekong_fashions@aclb" in chat.text()
    assert "I cannot reach the registry right now to tell whose account it is" in chat.text()
    assert LINKED["en"] not in chat.text() and NOT_LINKED["en"] not in chat.text()
    assert UNAVAILABLE["en"] in chat.text()
