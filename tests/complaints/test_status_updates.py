"""Every status change of a complaint reaches its complainant, in their language, once: the
one status-feed consumer, the complaint handler registered with it, the real deliveries."""

from __future__ import annotations

import asyncio
import dataclasses
import re

from backend_client import ComplaintStatus, open_backend
from bot.applications.feed import FeedContext, StatusFeedConsumer
from bot.applications.schedule import NoticeSchedule
from bot.core import ConversationCore
from bot.database import open_engine
from bot.delivery import Deliveries, DeliveryStore
from bot.handlers.my_complaints import on_status_change
from bot.messages import TextReply
from bot.settings import Settings
from registry.embedded import EmbeddedOfficer, open_store
from tests.conftest import open_chat
from tests.language_check import assert_single_language
from tests.recording_channel import ChatUsers

REFERENCE = re.compile(r"CMP-\d{4}-\d{6}")


async def test_each_status_change_is_told_once_in_the_users_language(
    seeded: ConversationCore, settings: Settings
) -> None:
    chat = await open_chat(seeded, "km", "feed-km")
    await chat.press_payload("cmp:shop:EC-2024-000101")
    await chat.press_payload("cpl:cat:refund_refused")
    await chat.say("ហាងមិនព្រមសងប្រាក់វិញ ទោះបីជាទំនិញខូចក៏ដោយ។")
    await chat.press_payload("cpl:!skip:when")
    await chat.press_payload("cpl:!skip:amt")
    await chat.press_payload("cpl:!skip:ev")
    await chat.press_payload("cpl:contact:yes")
    await chat.press_payload("cpl:share:no")
    await chat.press_payload("cpl:!submit")
    found = REFERENCE.search(chat.text())
    assert found is not None
    reference = found.group(0)

    store = await open_store(settings.database_url)
    try:
        officer = EmbeddedOfficer(store)
        await officer.update_complaint_status(
            reference, ComplaintStatus.UNDER_REVIEW, officer="sophea", note=None
        )
        await officer.update_complaint_status(
            reference, ComplaintStatus.RESOLVED, officer="sophea", note="ហាងបានសងប្រាក់វិញ"
        )
    finally:
        await store.close()

    engine = open_engine(settings.database_url)
    users = ChatUsers()
    deliveries = Deliveries(DeliveryStore(engine), locale_of=seeded.saved_locale)
    deliveries.register(users)
    await deliveries.start()
    backend = await open_backend(
        backend_url=None, database_url=settings.database_url, bot_token=None
    )
    try:
        feed = StatusFeedConsumer(NoticeSchedule(engine), backend, deliveries.deliver)
        assert await feed.run_once() >= 3  # received, under review, resolved (and the demo's)
        # A crash before the cursor moved: the same changes handled again tell nobody twice.
        page = await backend.status_changes_since(0, limit=500)
        again = FeedContext(
            backend=backend,
            deliver=deliveries.deliver,
            schedule=NoticeSchedule(engine),
            now=seeded.clock.now(),
            fresh=True,
        )
        for change in page.changes:
            await on_status_change(again, change)
        # Changes too old to announce are told to nobody.
        stale = dataclasses.replace(again, fresh=False)
        for change in page.changes:
            await on_status_change(stale, change)
        async with asyncio.timeout(30):
            await deliveries.wait_idle()
    finally:
        await deliveries.stop()
        await backend.close()
        await engine.dispose()
    told = users.sent["feed-km"]
    texts = [r.text for r in told if isinstance(r, TextReply)]
    assert len(texts) == 2  # under review, resolved: once each; "received" was said at once
    assert reference in texts[0] and "កំពុងត្រូវបានមន្ត្រីពិនិត្យ" in texts[0]
    assert "ត្រូវបានដោះស្រាយ" in texts[1] and "ហាងបានសងប្រាក់វិញ" in texts[1]
    assert_single_language(told, "km")
    assert "cmps:" + reference in [b.payload for b in told[1].buttons]  # type: ignore[union-attr]
