"""A whole complaint over the fake Graph API, in English and in Khmer, with images downloaded
from the (fake) CDN: quick replies, typed answers, the review and the CMP- reference."""

from __future__ import annotations

import itertools
import re

import pytest

from backend_client import ComplaintCategory, PaymentMethod, open_backend
from bot.settings import Settings
from tests.complaints.conftest import photo
from tests.messenger.conftest import StartBot, seed_registry
from tests.messenger.harness import MessengerBot, first_event, load_payload
from tests.messenger.seen import assert_one_language, message_texts

REFERENCE = re.compile(r"CMP-\d{4}-\d{6}")
_images = itertools.count(1)

WORDS = {
    "en": {
        "hello": "hello",
        "shop": "facebook.com/mekongmobile.demo",
        "what": "The phone they sent is a fake: the box and the logo are wrong.",
        "when": "15/11/2026",
        "amount": "USD 120",
        "received": "Your complaint has been received",
    },
    "km": {
        "hello": "សួស្តី",
        "shop": "012 345 603",
        "what": "ទូរស័ព្ទដែលគេផ្ញើមកជាទូរស័ព្ទក្លែងក្លាយ៖ ប្រអប់ និងស្លាកសញ្ញាមិនត្រឹមត្រូវ។",
        "when": "ថ្ងៃទី15 ខែវិច្ឆិកា ឆ្នាំ2026",
        "amount": "៤៨០០០០ រៀល",
        "received": "បណ្តឹងរបស់អ្នកត្រូវបានទទួលហើយ",
    },
}


async def send_image(bot: MessengerBot, psid: str, seed: int) -> list[dict[str, object]]:
    """The user sends a screenshot: Meta's delivery points at a CDN URL."""
    name = f"complaint-{next(_images)}.jpg"
    bot.graph.add_file(name, photo(seed).data, "image/jpeg")
    delivery = load_payload("image", bot.graph.origin)
    event = first_event(delivery)
    event["sender"]["id"] = psid
    event["message"]["mid"] = f"m_complaint-image-{name}"
    event["message"]["attachments"][0]["payload"]["url"] = f"{bot.graph.origin}/cdn/{name}"
    return await bot.exchange(delivery, psid)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_a_whole_complaint_with_images_over_messenger(
    start_bot: StartBot, settings: Settings, locale: str
) -> None:
    bot = await start_bot()
    await seed_registry(settings)
    words = WORDS[locale]
    psid = f"70123456111{len(locale)}0001"
    seen = await bot.say(psid, words["hello"])
    seen += await bot.choose(psid, seen, "i:complain")
    seen += await bot.say(psid, words["shop"])
    seen += await bot.choose(psid, seen, "cpl:cat:defective")
    seen += await bot.say(psid, words["what"])
    seen += await bot.say(psid, words["when"])
    seen += await bot.say(psid, words["amount"])
    seen += await bot.choose(psid, seen, "cpl:pay:acleda")
    seen += await send_image(bot, psid, 31)
    seen += await send_image(bot, psid, 32)
    seen += await bot.choose(psid, seen, "cpl:!done:ev")
    seen += await bot.choose(psid, seen, "cpl:contact:no")
    seen += await bot.choose(psid, seen, "cpl:share:yes")
    seen += await bot.say(psid, {"en": "Sok Lina", "km": "សុខ លីណា"}[locale])
    seen += await bot.choose(psid, seen, "cpl:!submit")
    final = " ".join(message_texts(seen[-2:]))
    assert words["received"] in final
    found = REFERENCE.search(final)
    assert found is not None
    assert_one_language(seen, locale)

    backend = await open_backend(
        backend_url=None, database_url=settings.database_url, bot_token=None
    )
    try:
        complaint = await backend.get_complaint(("messenger", psid), found.group(0))
        assert complaint.shop_name == "Mekong Mobile Shop"
        assert complaint.category is ComplaintCategory.DEFECTIVE
        assert complaint.payment_method is PaymentMethod.BANK_TRANSFER
        assert complaint.payment_provider == "ACLEDA"
        assert complaint.incident_date is not None and complaint.incident_date.day == 15
        assert [e.mime_type for e in complaint.evidence] == ["image/jpeg", "image/jpeg"]
        assert complaint.anonymous is False
        assert complaint.complainant_name == {"en": "Sok Lina", "km": "សុខ លីណា"}[locale]
    finally:
        await backend.close()
