"""Photos and documents reach the core as attachments with their bytes; too-large files are
explained to the user in their language."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram.application import TelegramBot
from bot.channels.telegram.inbound import from_message
from bot.core import ConversationCore
from bot.language import contains_khmer
from bot.messages import Attachment
from tests.conftest import open_chat
from tests.language_check import assert_single_language
from tests.telegram.conftest import (
    StartBot,
    TelegramUser,
    as_replies,
    assert_shows,
    load_update,
    new_user,
    texts,
)
from tests.telegram.fake_bot_api import FakeBotApi

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 300 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"0123456789" * 1000 + b"\n%%EOF\n"
LARGEST_PHOTO = "AgACAgUAAxkBAAIBdGLarge"
PDF_FILE = "BQACAgUAAxkBAAIBdWPdf"


def serve_files(fake_api: FakeBotApi) -> None:
    """The files of the replayed photo and document payloads."""
    fake_api.add_file("AgACAgUAAxkBAAIBdGSmall", b"small", "photos/file_1.jpg")
    fake_api.add_file("AgACAgUAAxkBAAIBdGMedium", b"medium", "photos/file_2.jpg")
    fake_api.add_file(LARGEST_PHOTO, JPEG, "photos/file_3.jpg")
    fake_api.add_file(PDF_FILE, PDF, "documents/file_4.pdf")


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("message_photo", Attachment("image", "photo-AQADlarge.jpg", "image/jpeg", JPEG)),
        (
            "message_document",
            Attachment("file", "business-registration.pdf", "application/pdf", PDF),
        ),
    ],
)
async def test_the_core_gets_the_file_with_its_bytes(
    fake_api: FakeBotApi, ptb_bot: TelegramBot, payload: str, expected: Attachment
) -> None:
    serve_files(fake_api)
    update = Update.de_json(load_update(payload), ptb_bot)
    assert update.message is not None and update.message.from_user is not None
    received = await from_message(
        update.message, update.message.from_user, ptb_bot, max_download_bytes=20 * 2**20
    )
    assert received.message.attachments == (expected,)
    assert received.message.channel == "telegram"
    assert received.message.user_id == "1111111"
    assert not received.file_refused


@pytest.mark.parametrize("locale", ["km", "en"])
@pytest.mark.parametrize(
    ("payload", "file_id", "path", "attachment"),
    [
        (
            "message_photo",
            LARGEST_PHOTO,
            "photos/file_3.jpg",
            Attachment("image", "photo-AQADlarge.jpg", "image/jpeg", JPEG),
        ),
        (
            "message_document",
            PDF_FILE,
            "documents/file_4.pdf",
            Attachment("file", "business-registration.pdf", "application/pdf", PDF),
        ),
    ],
)
async def test_a_photo_and_a_pdf_sent_over_the_webhook_reach_the_core(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    core: ConversationCore,
    locale: str,
    payload: str,
    file_id: str,
    path: str,
    attachment: Attachment,
) -> None:
    serve_files(fake_api)
    bot = await start_bot()
    user = new_user(bot, locale)
    shown = await user.say(user.payload(payload))

    [get_file] = fake_api.of("getFile")
    assert get_file.params["file_id"] == file_id  # the largest size of a photo
    assert fake_api.file_downloads == [path]
    # The core answered a message with exactly this attachment (it needs no file right now).
    reference = await open_chat(core, locale, user_id="reference")
    assert_shows(shown, await reference.say("", attachments=(attachment,)))
    assert_single_language(as_replies(shown), locale)
    [event] = await bot.inbox()
    assert event.status == "done"


def too_large_document(user: TelegramUser, size: int | None) -> dict[str, Any]:
    """The replayed PDF message with another declared size (None: Telegram gave none)."""
    body = user.payload("message_document")
    document = body["message"]["document"]
    if size is None:
        document.pop("file_size")
    else:
        document["file_size"] = size
    return body


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_a_file_over_20_mb_is_explained_and_nothing_is_lost(
    start_bot: StartBot, fake_api: FakeBotApi, locale: str
) -> None:
    serve_files(fake_api)
    bot = await start_bot()
    user = new_user(bot, locale)
    shown = await user.say(too_large_document(user, 25 * 1024 * 1024))

    [notice] = texts(shown)
    assert "20" in notice
    assert_single_language(as_replies(shown), locale)
    if locale == "en":
        assert notice.startswith("Sorry, this file is too large for me to receive")
    else:
        assert contains_khmer(notice)
    assert not fake_api.of("getFile") and not fake_api.file_downloads
    [event] = await bot.inbox()
    assert event.status == "done" and event.last_error is None
    # The conversation goes on: a smaller file is received.
    shown = await user.say(user.payload("message_document"))
    assert fake_api.file_downloads == ["documents/file_4.pdf"]


async def test_a_configured_limit_is_checked_against_the_file_telegram_reports(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    fake_api.add_file(PDF_FILE, PDF * 120, "documents/big.pdf")  # 1.2 MB, no size in the update
    bot = await start_bot(TELEGRAM_MAX_DOWNLOAD_MB="1")
    user = new_user(bot, "en")
    shown = await user.say(too_large_document(user, None))
    assert texts(shown) == [
        "Sorry, this file is too large for me to receive (the limit is 1 MB), so please send a "
        "smaller one, such as a screenshot or a PDF with fewer pages."
    ]
    assert len(fake_api.of("getFile")) == 1 and not fake_api.file_downloads


async def test_a_file_the_bot_api_will_not_serve_is_explained(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    fake_api.add_file(PDF_FILE, PDF, "documents/file_4.pdf", too_big=True)
    bot = await start_bot()
    user = new_user(bot, "en")
    body = too_large_document(user, None)
    body["message"]["caption"] = "how much is the fee for a sole proprietorship?"
    shown = await user.say(body)
    notice, answer = texts(shown)
    assert notice.startswith("Sorry, this file is too large")
    assert "$100" in answer  # the caption still reaches the core


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_a_file_telegram_does_not_know_is_asked_for_again_at_once(
    start_bot: StartBot, fake_api: FakeBotApi, locale: str
) -> None:
    # No file is registered with the fake Bot API: getFile answers "Invalid file_id".
    bot = await start_bot()
    user = new_user(bot, locale)
    shown = await user.say(too_large_document(user, None))
    [notice] = texts(shown)
    assert_single_language(as_replies(shown), locale)
    if locale == "en":
        assert notice == "Sorry, I could not receive your file. Please send it again."
    else:
        assert contains_khmer(notice)
    assert len(fake_api.of("getFile")) == 1  # refused for good: not tried again
    [event] = await bot.inbox()
    assert event.status == "done" and event.last_error is None


async def test_a_document_with_fields_of_the_wrong_type_is_still_received(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    serve_files(fake_api)
    bot = await start_bot()
    user = new_user(bot, "en")
    body = user.payload("message_document")
    body["message"]["document"]["mime_type"] = ["application/pdf"]  # a list, not a string
    body["message"]["document"]["file_name"] = 42
    body["message"]["document"]["file_size"] = "big"
    shown = await user.say(body)
    assert texts(shown)  # answered, not an apology after retries
    assert fake_api.file_downloads == ["documents/file_4.pdf"]
    [event] = await bot.inbox()
    assert event.status == "done" and event.last_error is None
