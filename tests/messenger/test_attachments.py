"""Files users send: downloaded at once from the (expiring) CDN URL, handed to the core as bytes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.channels.messenger.processing import MessengerProcessor
from bot.core import ConversationCore
from bot.i18n import _, use_locale
from bot.inbox import CommitHook, InboundEvent, TurnCommit
from bot.messages import InboundMessage, Reply
from tests.messenger.conftest import StartBot
from tests.messenger.harness import MessengerBot, first_event, load_payload
from tests.messenger.seen import assert_one_language, message_texts

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
PDF = b"%PDF-1.7\n" + b"registration certificate " * 500


@dataclass
class RecordingCore:
    """The real core, with a record of every message it was handed."""

    core: ConversationCore
    received: list[InboundMessage] = field(default_factory=list)

    async def handle(
        self, message: InboundMessage, *, commit: CommitHook | None = None
    ) -> list[Reply]:
        self.received.append(message)
        return await self.core.handle(message, commit=commit)

    async def saved_locale(self, channel: str, user_id: str) -> str | None:
        return await self.core.saved_locale(channel, user_id)


async def process_replayed(bot: MessengerBot, name: str) -> tuple[RecordingCore, str]:
    """Store a replayed delivery's event in the inbox and process it as the worker would."""
    event = first_event(load_payload(name, bot.graph.origin))
    psid = event["sender"]["id"]
    accepted = await bot.runtime.inbox.accept("messenger", event["message"]["mid"], psid, event)
    assert isinstance(accepted, InboundEvent)
    recording = RecordingCore(bot.runtime.core)
    processor = MessengerProcessor(
        core=recording,
        client=bot.channel.client,
        config=bot.channel.config,
    )
    replies = await processor.handle(accepted, TurnCommit(bot.runtime.inbox, accepted))
    assert replies is not None
    await bot.channel.send(psid, replies)  # what the worker does with the stored replies
    return recording, psid


async def test_an_image_arrives_in_the_core_with_its_bytes(bot: MessengerBot) -> None:
    bot.graph.add_file("receipt_screenshot_n.jpg", PNG, "image/png")
    recording, psid = await process_replayed(bot, "image")
    [message] = recording.received
    [attachment] = message.attachments
    assert attachment.kind == "image"
    assert attachment.data == PNG
    assert attachment.mime_type == "image/png"
    assert attachment.filename == "receipt_screenshot_n.jpg"
    assert message.channel == "messenger" and message.user_id == psid
    assert bot.graph.downloads == ["receipt_screenshot_n.jpg"]
    assert bot.graph.messages(psid), "the core's answer reached the user"


async def test_a_file_arrives_in_the_core_with_its_bytes(bot: MessengerBot) -> None:
    bot.graph.add_file("business_registration.pdf", PDF, "application/pdf")
    recording, _psid = await process_replayed(bot, "file")
    [attachment] = recording.received[0].attachments
    assert (attachment.kind, attachment.mime_type) == ("file", "application/pdf")
    assert attachment.filename == "business_registration.pdf"
    assert attachment.data == PDF


async def test_an_image_sent_through_the_webhook_is_downloaded_and_answered(
    bot: MessengerBot,
) -> None:
    bot.graph.add_file("receipt_screenshot_n.jpg", PNG, "image/jpeg")
    psid = "7012345678907777"
    assert await bot.deliver(load_payload("image", bot.graph.origin)) == 200
    await bot.settle()
    assert bot.graph.downloads == ["receipt_screenshot_n.jpg"]
    assert bot.graph.sender_actions(psid) == ["typing_on"]
    answer = bot.graph.messages(psid)
    assert message_texts(answer) and answer[-1]["quick_replies"]
    assert_one_language(answer, "km")  # a new user who wrote nothing gets Khmer


async def test_an_expired_url_gets_a_please_send_again_and_nothing_reaches_the_core(
    bot: MessengerBot,
) -> None:
    bot.graph.add_file("receipt_screenshot_n.jpg", PNG, "image/jpeg")
    bot.graph.expire("receipt_screenshot_n.jpg")
    recording, psid = await process_replayed(bot, "image")
    assert recording.received == []
    [notice] = bot.graph.messages(psid)
    with use_locale("km"):  # a new user who wrote nothing yet: Khmer
        assert notice["text"] == _("Sorry, I could not receive your file. Please send it again.")


async def test_a_file_over_the_limit_is_refused_politely(start_bot: StartBot) -> None:
    bot = await start_bot(MESSENGER_MAX_ATTACHMENT_BYTES="4096")
    bot.graph.add_file("business_registration.pdf", PDF, "application/pdf")
    recording, psid = await process_replayed(bot, "file")
    assert recording.received == []
    [notice] = bot.graph.messages(psid)
    assert notice["text"].startswith("សូមទោស ឯកសារនេះធំពេក ខ្ញុំមិនអាចទទួលបានទេ")
    assert "0.004 មេកាបៃ" in notice["text"]


@pytest.mark.parametrize(("locale", "greeting"), [("km", "សួស្តី"), ("en", "hello")])
async def test_the_notice_is_in_the_users_language(
    bot: MessengerBot, locale: str, greeting: str
) -> None:
    psid = "7012345678900000"
    await bot.say(psid, greeting)
    before = len(bot.graph.messages(psid))
    assert await bot.deliver(load_payload("fallback_unavailable")) == 200
    await bot.settle()
    with use_locale(locale):
        expected = _("Sorry, I could not receive your file. Please send it again.")
    assert [m["text"] for m in bot.graph.messages(psid)[before:]] == [expected]


async def test_a_shared_link_becomes_text_for_the_core(bot: MessengerBot) -> None:
    recording, psid = await process_replayed(bot, "fallback_link")
    [message] = recording.received
    assert message.attachments == ()
    assert message.text == "is this shop certified?\nhttps://www.facebook.com/sokhafashionkh"
    assert bot.graph.downloads == []
    assert bot.graph.messages(psid)


async def test_a_like_sticker_is_not_downloaded(bot: MessengerBot) -> None:
    recording, psid = await process_replayed(bot, "sticker_like")
    [message] = recording.received
    assert (message.text, message.attachments) == ("", ())
    assert bot.graph.downloads == []
    assert bot.graph.messages(psid)
