"""The complaint wizard as a user goes through it, in English and Khmer, and what the registry
keeps: the shop, the problem, the date, the money, the evidence and the consent given."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest

from backend_client import (
    ComplaintCategory,
    ComplaintStatus,
    PaymentMethod,
    RegistryBackend,
    open_backend,
)
from bot.channels.collecting import CollectingChannel
from bot.core import ConversationCore
from bot.settings import Settings
from registry.embedded import EmbeddedOfficer, open_store
from tests.complaints.conftest import photo
from tests.conftest import open_chat
from tests.language_check import assert_single_language

REFERENCE = re.compile(r"CMP-\d{4}-\d{6}")


@pytest.fixture
async def registry(settings: Settings) -> AsyncIterator[RegistryBackend]:
    """The registry the core files into, read as the bot's backend."""
    backend = await open_backend(
        backend_url=None, database_url=settings.database_url, bot_token=None
    )
    yield backend
    await backend.close()


def reference_in(chat: CollectingChannel) -> str:
    found = REFERENCE.search(chat.text())
    assert found is not None, chat.text()
    return found.group(0)


async def test_a_complaint_in_english_with_photos_reaches_the_registry(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    chat = await open_chat(seeded, "en", "cmp-en")
    await chat.say("hello")
    await chat.press("Complain")  # in the main menu
    assert "never asks you for money or passwords" in chat.text()
    assert "Which shop is your complaint about?" in chat.text()
    await chat.say("https://www.facebook.com/sokhafashion.demo")
    assert "What went wrong?" in chat.text()  # a registered shop: no link is asked for
    assert "Fake trustmark" in [b.label for b in chat.buttons()]
    await chat.press("Not delivered")
    await chat.say("I ordered a silk dress and paid, but nothing arrived after two weeks.")
    await chat.say("yesterday")
    await chat.say("25$")
    await chat.press("ABA")
    assert "☐ the chat with the seller" in chat.text()
    assert "☐ the payment slip or transfer" in chat.text()
    await chat.say("", attachments=(photo(1, "chat.jpg"), photo(2, "slip.jpg")))
    assert "So far:" in chat.text() and "2. " in chat.text()
    await chat.say("https://www.facebook.com/sokhafashion.demo/posts/123")
    await chat.press("Done")
    assert "May an officer of the Ministry contact you" in chat.text()
    await chat.press("Yes, you may contact me")
    await chat.press("Yes, they may see it")
    await chat.say("Chan Dara")
    review = chat.text()
    assert "Please check your answers" in review
    assert "Shop: Sokha Fashion (in the Ministry's register)" in review
    assert "Problem: Not delivered" in review and "Amount: $25" in review
    assert "Paid by: ABA" in review and "Your name: Chan Dara" in review
    await chat.press("Submit")
    reference = reference_in(chat)
    assert "Your complaint has been received" in chat.text()
    assert "each time its status changes" in chat.text()
    assert_single_language(chat.transcript, "en")

    complaint = await registry.get_complaint(("test", "cmp-en"), reference)
    assert complaint.shop_name == "Sokha Fashion"
    assert complaint.category is ComplaintCategory.NON_DELIVERY
    assert (complaint.amount, complaint.currency) == (Decimal("25.00"), "USD")
    assert complaint.payment_method is PaymentMethod.BANK_TRANSFER
    assert complaint.payment_provider == "ABA"
    assert complaint.incident_date == seeded.clock.now().date() - timedelta(days=1)
    assert len(complaint.evidence) == 2
    assert all(e.mime_type == "image/jpeg" for e in complaint.evidence)
    assert complaint.links == ("https://www.facebook.com/sokhafashion.demo/posts/123",)
    assert (complaint.contact_allowed, complaint.anonymous) == (True, False)
    assert complaint.complainant_name == "Chan Dara"
    # A double tap on Submit files nothing more.
    await chat.press_payload("cpl:!submit")
    assert reference in chat.text()
    assert len(await registry.list_complaints(("test", "cmp-en"))) == 1


async def test_a_complaint_in_khmer_typed_answers_and_anonymous(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    chat = await open_chat(seeded, "km", "cmp-km")
    await chat.say("ខ្ញុំចង់ដាក់បណ្តឹង")
    assert "តើបណ្តឹងរបស់អ្នកទាក់ទងនឹងហាងណា?" in chat.text()
    await chat.say("012 999 888")  # a phone no registered shop has: no second question
    assert "តើមានបញ្ហាអ្វី?" in chat.text()
    await chat.say("ទូរស័ព្ទខូច")
    await chat.say("ខ្ញុំបានទិញទូរស័ព្ទមួយគ្រឿង ប៉ុន្តែពេលទទួលបាន អេក្រង់បែកហើយ។")
    await chat.say("ម្សិលមិញ")
    await chat.say("១០០០០០ រៀល")
    await chat.press("Wing")
    await chat.say("", attachments=(photo(3, "phone.jpg"),))
    await chat.press("រួចរាល់")
    await chat.press("ទេ កុំទាក់ទងខ្ញុំ")
    await chat.press("ទេ សូមលាក់ឈ្មោះខ្ញុំ")
    review = chat.text()
    assert "សូមពិនិត្យចម្លើយរបស់អ្នក" in review
    assert "ឈ្មោះរបស់អ្នក" not in review  # no name is asked for an anonymous complaint
    await chat.press("ដាក់ស្នើ")
    reference = reference_in(chat)
    assert "បណ្តឹងរបស់អ្នកត្រូវបានទទួលហើយ" in chat.text()
    assert_single_language(chat.transcript, "km")

    complaint = await registry.get_complaint(("test", "cmp-km"), reference)
    assert complaint.category is ComplaintCategory.DEFECTIVE
    assert complaint.shop_reference == "+85512999888" and complaint.shop_name is None
    assert (complaint.amount, complaint.currency) == (Decimal("100000.00"), "KHR")
    assert (complaint.payment_method, complaint.payment_provider) == (
        PaymentMethod.E_WALLET,
        "Wing",
    )
    assert (complaint.anonymous, complaint.complainant_name) == (True, None)
    assert complaint.contact_allowed is False
    assert [e.filename for e in complaint.evidence] == ["phone.jpg"]


async def test_a_report_button_names_the_shop_and_skips_the_question(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    chat = await open_chat(seeded, "en", "cmp-report")
    await chat.press_payload("cmp:shop:CETS-2025-000001")
    assert "Your complaint is about Sokha Fashion." in chat.text()
    assert "What went wrong?" in chat.text() and "Which shop" not in chat.text()
    await chat.press("Scam")
    await chat.say("They asked me to pay again before sending anything.")
    await chat.press("Skip")  # no date
    await chat.press("Skip")  # nothing paid: no payment question
    assert "Evidence helps" in chat.text()
    await chat.press("I don't have this yet")
    await chat.press("No, do not contact me")
    await chat.press("No, keep my name private")
    assert "Evidence: not yet, you can add it later" in chat.text()
    await chat.press("Submit")
    complaint = await registry.get_complaint(("test", "cmp-report"), reference_in(chat))
    assert complaint.registration_no == "EC-2024-000101"
    assert (complaint.amount, complaint.payment_method, complaint.evidence) == (None, None, ())


async def test_a_report_of_a_certificate_never_issued_is_about_a_fake_trustmark(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    chat = await open_chat(seeded, "en", "cmp-fake")
    await chat.press_payload("cmp:cert:CETS-2031-999999")
    assert "Please tell me what happened" in chat.text()  # shop and problem are known
    await chat.say("The page shows this certificate number on its banner.")
    await chat.press("Skip")
    await chat.press("Skip")
    await chat.press("I don't have this yet")
    await chat.press("No, do not contact me")
    await chat.press("No, keep my name private")
    assert "Problem: Fake trustmark" in chat.text()
    await chat.press("Submit")
    complaint = await registry.get_complaint(("test", "cmp-fake"), reference_in(chat))
    assert complaint.category is ComplaintCategory.MISUSE_OF_MARK
    assert complaint.shop_reference == "CETS-2031-999999"


async def test_a_copied_badge_is_reported_against_the_page_that_shows_it(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    chat = await open_chat(seeded, "en", "cmp-copied")
    await chat.press_payload("cmp:cert:CETS-2025-000001")
    assert "You are reporting the badge CETS-2025-000001, which was issued to Sokha" in chat.text()
    assert "Which shop is your complaint about?" in chat.text()
    await chat.say("facebook.com/cheap.silk.copycat")
    assert "Please tell me what happened" in chat.text()  # the problem is known: a fake badge
    await chat.say("This page shows the Sokha Fashion certificate on its banner.")
    await chat.press("Skip")
    await chat.press("Skip")
    await chat.press("I don't have this yet")
    await chat.press("No, do not contact me")
    await chat.press("No, keep my name private")
    await chat.press("Submit")
    complaint = await registry.get_complaint(("test", "cmp-copied"), reference_in(chat))
    assert complaint.category is ComplaintCategory.MISUSE_OF_MARK
    assert complaint.shop_reference == "facebook.com/cheap.silk.copycat"
    assert complaint.registration_no is None  # not filed against the certificate's owner
    assert complaint.description.startswith(
        "Badge shown: CETS-2025-000001 (issued to Sokha Fashion)\n"
    )


async def test_a_name_offers_the_registered_shops_it_resembles(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    chat = await open_chat(seeded, "en", "cmp-name")
    await chat.press_payload("i:complain")
    await chat.say("Mekong Mobile")
    assert "Is it one of these?" in chat.text()
    await chat.press("Mekong Mobile Shop")
    assert "What went wrong?" in chat.text()
    await chat.press("Refund refused")
    await chat.say("The phone stopped working and they refuse to take it back.")
    await chat.say("15/11/2026")
    await chat.say("USD 120")
    await chat.press("KHQR")
    await chat.press("I don't have this yet")
    await chat.press("No, do not contact me")
    await chat.press("No, keep my name private")
    assert "Shop: Mekong Mobile Shop (in the Ministry's register)" in chat.text()
    await chat.press("Submit")
    complaint = await registry.get_complaint(("test", "cmp-name"), reference_in(chat))
    assert complaint.shop_name == "Mekong Mobile Shop"
    assert complaint.payment_method is PaymentMethod.BAKONG_KHQR


async def test_an_unknown_seller_is_kept_with_its_link(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    chat = await open_chat(seeded, "en", "cmp-unknown")
    await chat.press_payload("i:complain")
    await chat.say("Bopha Beauty Corner")
    if "Is it one of these?" in chat.text():
        await chat.press("None of these")
    assert "not in the Ministry's register" in chat.text()
    await chat.say("I don't know")
    assert "page link or phone number" in chat.text()  # not a link: asked again
    await chat.say("facebook.com/bopha.beauty.corner")
    await chat.press("Not as described")
    await chat.say("The cream they sent is not the brand shown in the photos.")
    await chat.say("3 days ago")
    await chat.say("50k riel")
    await chat.press("Cash on delivery")
    await chat.press("I don't have this yet")
    await chat.press("Yes, you may contact me")
    await chat.press("No, keep my name private")
    await chat.press("Submit")
    complaint = await registry.get_complaint(("test", "cmp-unknown"), reference_in(chat))
    assert complaint.shop_reference == "facebook.com/bopha.beauty.corner"
    assert complaint.description.startswith("Seller's name: Bopha Beauty Corner\n")
    assert (complaint.amount, complaint.currency) == (Decimal("50000.00"), "KHR")
    assert complaint.payment_method is PaymentMethod.CASH_ON_DELIVERY


async def test_wrong_answers_are_explained_and_asked_again(seeded: ConversationCore) -> None:
    chat = await open_chat(seeded, "en", "cmp-wrong")
    await chat.press_payload("cmp:shop:CETS-2025-000001")
    await chat.press("Scam")
    await chat.say("bad")
    assert "tell me a little more" in chat.text()
    await chat.say("They took my money and then blocked me on Messenger.")
    await chat.say("next week sometime")
    assert "15/11/2026" in chat.text()
    future = (seeded.clock.now().date() + timedelta(days=5)).strftime("%d/%m/%Y")
    await chat.say(future)
    assert "in the future" in chat.text()
    await chat.say("today")
    await chat.say("a lot")
    assert "amount with its currency" in chat.text()


async def test_the_same_complaint_twice_in_a_day_gets_the_first_reference(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    chat = await open_chat(seeded, "en", "cmp-twice")
    references = []
    for _attempt in range(2):
        await chat.press_payload("cmp:shop:EC-2024-000103")
        await chat.press("Not delivered")
        await chat.say("Paid for a phone charger, it never came.")
        await chat.press("Skip")
        await chat.press("Skip")
        await chat.press("I don't have this yet")
        await chat.press("No, do not contact me")
        await chat.press("No, keep my name private")
        await chat.press("Submit")
        references.append(reference_in(chat))
    assert references[0] == references[1]
    assert "already sent this complaint" in chat.text()
    assert len(await registry.list_complaints(("test", "cmp-twice"))) == 1


async def test_a_daily_limit_on_complaints(
    seeded: ConversationCore, registry: RegistryBackend
) -> None:
    guard = seeded.services["complaint_guard"]
    guard.per_day = 2  # type: ignore[attr-defined]
    chat = await open_chat(seeded, "en", "cmp-limit")
    for category in ("Not delivered", "Scam"):
        await chat.press_payload("cmp:shop:EC-2024-000101")
        await chat.press(category)
        await chat.say("Something went wrong with my order from this shop.")
        await chat.press("Skip")
        await chat.press("Skip")
        await chat.press("I don't have this yet")
        await chat.press("No, do not contact me")
        await chat.press("No, keep my name private")
        await chat.press("Submit")
        assert "has been received" in chat.text()
    await chat.press_payload("i:complain")
    assert "You have sent 2 complaints in the last 24 hours" in chat.text()
    assert "Which shop" not in chat.text()
    assert len(await registry.list_complaints(("test", "cmp-limit"))) == 2


async def test_a_complaint_can_be_left_and_continued(seeded: ConversationCore) -> None:
    chat = await open_chat(seeded, "en", "cmp-later")
    await chat.press_payload("i:complain")
    await chat.say("https://t.me/angkorcrafts_demo")
    await chat.press("Defective or fake goods")
    await chat.say("how much is the fee for a sole proprietorship?")
    assert "You have an unfinished complaint" in chat.text()
    await chat.say("continue")
    assert "Please tell me what happened" in chat.text()


async def test_an_officer_update_is_told_in_the_complainants_language(
    seeded: ConversationCore, registry: RegistryBackend, settings: Settings
) -> None:
    from bot.handlers.my_complaints import complaint_update_replies
    from bot.i18n import use_locale

    chat = await open_chat(seeded, "km", "cmp-update")
    await chat.press_payload("cmp:shop:EC-2024-000101")
    await chat.press("មិនបានទទួលទំនិញ")
    await chat.say("ខ្ញុំបានបង់ប្រាក់ ប៉ុន្តែមិនទាន់ទទួលបានទំនិញទេ។")
    for _step in range(2):
        await chat.press("រំលង")
    await chat.press("ខ្ញុំមិនទាន់មានទេ")
    await chat.press("ទេ កុំទាក់ទងខ្ញុំ")
    await chat.press("ទេ សូមលាក់ឈ្មោះខ្ញុំ")
    await chat.press("ដាក់ស្នើ")
    reference = reference_in(chat)
    store = await open_store(settings.database_url)
    try:
        await EmbeddedOfficer(store).update_complaint_status(
            reference, ComplaintStatus.UNDER_REVIEW, officer="sophea", note="កំពុងទាក់ទងហាង"
        )
    finally:
        await store.close()
    complaint = await registry.get_complaint(("test", "cmp-update"), reference)
    change = complaint.history[-1]
    with use_locale("km"):
        (reply,) = complaint_update_replies(change)
    assert reference in reply.text and "កំពុងត្រូវបានមន្ត្រីពិនិត្យ" in reply.text  # type: ignore[union-attr]
    assert "កំពុងទាក់ទងហាង" in reply.text  # type: ignore[union-attr]
    assert_single_language([reply], "km")
