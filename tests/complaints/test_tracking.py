"""My complaints: the owner sees the list and each history; nobody else sees or tracks it."""

from __future__ import annotations

import re

from backend_client import ComplaintStatus
from bot.channels.collecting import CollectingChannel
from bot.core import ConversationCore
from bot.settings import Settings
from registry.embedded import EmbeddedOfficer, open_store
from tests.conftest import open_chat
from tests.language_check import assert_single_language

REFERENCE = re.compile(r"CMP-\d{4}-\d{6}")


WHAT = {
    "en": "I paid for two shirts a month ago and they never came.",
    "km": "ខ្ញុំបានបង់ប្រាក់ទិញអាវពីរ កាលពីមួយខែមុន ប៉ុន្តែមិនទាន់ទទួលបានទេ។",
}


async def _complain(chat: CollectingChannel, shop: str, locale: str = "en") -> str:
    await chat.press_payload(f"cmp:shop:{shop}")
    await chat.press_payload("cpl:cat:non_delivery")
    await chat.say(WHAT[locale])
    await chat.press_payload("cpl:!skip:when")
    await chat.press_payload("cpl:!skip:amt")
    await chat.press_payload("cpl:!skip:ev")
    await chat.press_payload("cpl:contact:no")
    await chat.press_payload("cpl:share:no")
    await chat.press_payload("cpl:!submit")
    found = REFERENCE.search(chat.text())
    assert found is not None, chat.text()
    return found.group(0)


async def test_the_owner_follows_a_complaint_and_a_stranger_cannot(
    seeded: ConversationCore, settings: Settings
) -> None:
    owner = await open_chat(seeded, "en", "tracker-owner")
    reference = await _complain(owner, "EC-2024-000101")
    store = await open_store(settings.database_url)
    try:
        await EmbeddedOfficer(store).update_complaint_status(
            reference,
            ComplaintStatus.FORWARDED_TO_BUSINESS,
            officer="sophea",
            note="Sent to the shop; it must answer within 7 days",
        )
    finally:
        await store.close()

    await owner.say("what is the status of my complaint?")
    assert "Your complaints:" in owner.text()
    assert f"1. {reference} about Sokha Fashion: sent to the shop for its answer" in owner.text()
    await owner.press(reference)
    page = owner.text()
    assert f"Complaint {reference} about Sokha Fashion" in page
    assert "Problem: Not delivered" in page
    assert "received, waiting for an officer" in page
    assert "Sent to the shop; it must answer within 7 days" in page
    await owner.say(f"status of {reference}")
    assert f"Complaint {reference}" in owner.text()

    stranger = await open_chat(seeded, "en", "tracker-stranger")
    await stranger.say("my complaints")
    assert "You have not made any complaint in this chat yet." in stranger.text()
    assert reference not in stranger.text()
    await stranger.press_payload(f"cmps:{reference}")
    assert f"I found no complaint {reference} among yours." in stranger.text()
    assert "Sokha Fashion" not in stranger.text()
    await stranger.say(f"where is my complaint {reference}?")
    assert "I found no complaint" in stranger.text()
    # The same user id on another channel is another person too.
    elsewhere = CollectingChannel(seeded, user_id="tracker-owner", channel="messenger")
    await seeded.set_language("messenger", "tracker-owner", "en")
    await elsewhere.press_payload(f"cmps:{reference}")
    assert "I found no complaint" in elsewhere.text()


async def test_my_complaints_in_khmer(seeded: ConversationCore) -> None:
    chat = await open_chat(seeded, "km", "tracker-km")
    await chat.press_payload("i:complaint_status")
    assert "អ្នកមិនទាន់បានដាក់បណ្តឹងណាមួយ" in chat.text()
    reference = await _complain(chat, "EC-2024-000103", "km")
    await chat.press_payload("i:complaint_status")
    assert "បណ្តឹងរបស់អ្នក៖" in chat.text() and reference in chat.text()
    await chat.press_payload(f"cmps:{reference}")
    assert "បានទទួល កំពុងរង់ចាំមន្ត្រី" in chat.text()
    assert_single_language(chat.transcript, "km")
