"""A whole complaint over the fake Bot API, in English and in Khmer, with photos: buttons and
typed answers, the review, the CMP- reference, and what the registry keeps (photos without
their GPS position)."""

from __future__ import annotations

import itertools
import re

import pytest

from backend_client import ComplaintCategory, PaymentMethod, open_backend
from bot.settings import Settings
from tests.complaints.conftest import photo
from tests.intake.samples import jpeg_with_gps
from tests.language_check import assert_single_language
from tests.telegram.conftest import (
    StartBot,
    TelegramUser,
    as_replies,
    new_user,
    seed_registry,
    texts,
)

REFERENCE = re.compile(r"CMP-\d{4}-\d{6}")
_files = itertools.count(1)

STEPS = {
    "en": {
        "hello": "hello",
        "complain": "Complain",
        "category": "Not delivered",
        "what": "I paid for a silk scarf two weeks ago and it never came.",
        "when": "yesterday",
        "amount": "25$",
        "done": "Done",
        "contact": "Yes, you may contact me",
        "share": "No, keep my name private",
        "submit": "Submit",
        "received": "Your complaint has been received",
        "review": "Please check your answers",
    },
    "km": {
        "hello": "សួស្តី",
        "complain": "ដាក់បណ្តឹង",
        "category": "មិនបានទទួលទំនិញ",
        "what": "ខ្ញុំបានបង់ប្រាក់ទិញក្រមាសូត្រ កាលពីពីរសប្តាហ៍មុន ប៉ុន្តែមិនបានទទួលទេ។",
        "when": "ម្សិលមិញ",
        "amount": "១០០០០០ រៀល",
        "done": "រួចរាល់",
        "contact": "បាទ/ចាស អាចទាក់ទងខ្ញុំបាន",
        "share": "ទេ សូមលាក់ឈ្មោះខ្ញុំ",
        "submit": "ដាក់ស្នើ",
        "received": "បណ្តឹងរបស់អ្នកត្រូវបានទទួលហើយ",
        "review": "សូមពិនិត្យចម្លើយរបស់អ្នក",
    },
}


def photo_update(user: TelegramUser, data: bytes) -> dict[str, object]:
    """The user sends a photo (served by the fake's file URL)."""
    file_id = f"complaint-photo-{next(_files)}"
    user.bot.fake.add_file(file_id, data, f"photos/{file_id}.jpg")
    body = user.payload("message_photo")
    body["message"]["photo"] = [
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 640, "height": 480}
    ]
    return body


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_whole_complaint_with_photos_over_telegram(
    start_bot: StartBot, settings: Settings, locale: str
) -> None:
    bot = await start_bot()
    await seed_registry(settings)
    step = STEPS[locale]
    user = new_user(bot, locale)
    seen = await user.say(user.text(step["hello"]))
    seen += await user.say(user.press(step["complain"]))
    if locale == "en":
        seen += await user.say(user.text("https://www.facebook.com/sokhafashion.demo"))
    else:  # by its Khmer name, then the registered shop it names
        seen += await user.say(user.text("សុខា ហ្វេសិន"))
        seen += await user.say(user.press("សុខា ហ្វេសិន"))
    seen += await user.say(user.press(step["category"]))
    seen += await user.say(user.text(step["what"]))
    seen += await user.say(user.text(step["when"]))
    seen += await user.say(user.text(step["amount"]))
    seen += await user.say(user.press("ABA"))
    seen += await user.say(photo_update(user, jpeg_with_gps()))
    seen += await user.say(photo_update(user, photo(21).data))
    assert "2. " in texts(seen)[-1]  # two photos so far
    seen += await user.say(user.press(step["done"]))
    seen += await user.say(user.press(step["contact"]))
    seen += await user.say(user.press(step["share"]))
    assert step["review"] in texts(seen)[-1]
    seen += await user.say(user.press(step["submit"]))
    assert step["received"] in texts(seen)[-1]
    found = REFERENCE.search(texts(seen)[-1])
    assert found is not None
    assert_single_language(as_replies(seen), locale)

    backend = await open_backend(
        backend_url=None, database_url=settings.database_url, bot_token=None
    )
    try:
        owner = ("telegram", str(user.user_id))
        complaint = await backend.get_complaint(owner, found.group(0))
        assert complaint.shop_name == "Sokha Fashion"
        assert complaint.category is ComplaintCategory.NON_DELIVERY
        assert complaint.payment_method is PaymentMethod.BANK_TRANSFER
        assert complaint.anonymous and complaint.contact_allowed
        assert len(complaint.evidence) == 2
        first = await backend.get_evidence(owner, complaint.evidence[0].evidence_id)
        assert first.mime_type == "image/jpeg" and b"GPS" not in first.data
        assert b"taken at the shop" not in first.data  # the photo's comment is gone too
    finally:
        await backend.close()
