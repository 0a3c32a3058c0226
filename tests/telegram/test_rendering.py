"""Rendering rules: HTML escaping, splitting under 4096 characters, keyboards, callback data."""

from __future__ import annotations

import pytest

from bot.channels.graphemes import text_length as utf16_length
from bot.channels.telegram.application import TelegramBot
from bot.channels.telegram.keyboard import callback_data, inline_keyboard
from bot.channels.telegram.rendering import send_replies
from bot.channels.telegram.text_split import MESSAGE_LIMIT, split_text
from bot.messages import Button, CardReply, FileReply, TextReply
from tests.telegram.fake_bot_api import FakeBotApi

CHAT = 424242


def paragraphs(count: int, line: str) -> str:
    """``count`` numbered paragraphs of ``line``."""
    return "\n\n".join(f"{number}. {line}" for number in range(count))


async def test_a_long_text_is_split_at_paragraphs_with_the_buttons_on_the_last_part(
    fake_api: FakeBotApi, ptb_bot: TelegramBot
) -> None:
    text = paragraphs(120, " ".join(["Fees <as proposed> & renewals at 75%"] * 3))
    assert len(text) > 3 * MESSAGE_LIMIT
    buttons = (Button("Main menu", "nav:menu"), Button("ម៉ឺនុយដើម", "nav:back"))
    await send_replies(ptb_bot, CHAT, [TextReply(text, buttons)])

    sent = fake_api.sent_to(CHAT)
    assert len(sent) >= 4
    received = [call.result["text"] for call in sent]  # as Telegram parses the HTML
    assert all(utf16_length(part) <= MESSAGE_LIMIT for part in received)
    assert "\n\n".join(received) == text
    assert all(part.endswith("75%") for part in received)  # whole paragraphs
    assert all(call.params["parse_mode"] == "HTML" for call in sent)
    assert "&lt;as proposed&gt; &amp; renewals" in sent[0].params["text"]
    assert [call.keyboard() != [] for call in sent] == [False] * (len(sent) - 1) + [True]


async def test_a_card_has_a_bold_escaped_title_and_its_buttons(
    fake_api: FakeBotApi, ptb_bot: TelegramBot
) -> None:
    card = CardReply(
        "Tom & Jerry <Shop> · CETS-2025-000009",
        "✅ Certified",
        url="https://example.org/a?b=1&c=2",
        buttons=(Button("Share this check", "share:CETS-2025-000009"), Button("ប្តឹង", "i:complain")),
    )
    await send_replies(ptb_bot, CHAT, [card])
    [sent] = fake_api.sent_to(CHAT)
    assert sent.params["text"] == (
        "<b>Tom &amp; Jerry &lt;Shop&gt; · CETS-2025-000009</b>\n✅ Certified\n"
        "https://example.org/a?b=1&amp;c=2"
    )
    share, complain = sent.buttons()
    assert share == {"text": "Share this check", "switch_inline_query": "CETS-2025-000009"}
    assert complain == {"text": "ប្តឹង", "callback_data": "i:complain"}


async def test_a_file_reply_is_sent_as_a_document(
    fake_api: FakeBotApi, ptb_bot: TelegramBot
) -> None:
    await send_replies(
        ptb_bot, CHAT, [FileReply("form.pdf", "application/pdf", b"%PDF-1.4 x", "Form <A>")]
    )
    [sent] = fake_api.sent_to(CHAT)
    assert sent.method == "sendDocument"
    assert sent.params["document"] == b"%PDF-1.4 x"
    assert sent.params["caption"] == "Form &lt;A&gt;"


def test_khmer_labels_never_go_into_callback_data() -> None:
    keyboard = inline_keyboard(
        (
            Button("ថ្លៃសេវា", "fee:all"),
            Button("ភាសា", "i:change_language"),
            Button("English", "lang:en"),
        )
    )
    assert keyboard is not None
    for row in keyboard.inline_keyboard:
        for button in row:
            assert isinstance(button.callback_data, str)
            assert button.callback_data.isascii() and len(button.callback_data.encode()) <= 64
    assert [b.text for row in keyboard.inline_keyboard for b in row] == [
        "ថ្លៃសេវា",
        "ភាសា",
        "English",
    ]


def test_callback_data_over_64_bytes_is_refused() -> None:
    too_long = Button.__new__(Button)
    object.__setattr__(too_long, "label", "x")
    object.__setattr__(too_long, "payload", "p" * 65)
    object.__setattr__(too_long, "short_label", None)
    with pytest.raises(ValueError, match="callback data"):
        callback_data(too_long)


def test_khmer_without_spaces_is_split_between_syllables() -> None:
    # Khmer is often written without spaces; a hard cut must not split a syllable.
    syllable = "ស្លាក"  # with a coeng (subscript consonant)
    text = syllable * 2000
    parts = split_text(text)
    assert "".join(parts) == text
    assert all(utf16_length(part) <= MESSAGE_LIMIT for part in parts)
    assert all(part.startswith("ស") and part.endswith("ក") for part in parts)


def test_emoji_count_as_two_utf16_units() -> None:
    text = "✅ ok 👍 " * 700
    parts = split_text(text)
    assert all(utf16_length(part) <= MESSAGE_LIMIT for part in parts)
    assert " ".join(parts).split() == text.split()


def test_a_short_text_is_one_message() -> None:
    assert split_text("hello\n\nworld") == ["hello\n\nworld"]
