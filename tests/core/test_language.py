"""Which language the bot answers in: detection, platform hints, and a remembered choice."""

from __future__ import annotations

import pytest

from bot.channels.collecting import CollectingChannel
from bot.core import ConversationCore
from bot.language import LocaleSource, decide_locale
from tests.language_check import assert_single_language


async def test_new_user_writing_khmer_gets_khmer(core: ConversationCore) -> None:
    chat = CollectingChannel(core, user_id="k1")
    replies = await chat.say("សួស្តី")
    assert_single_language(replies, "km")
    assert "ម៉ឺនុយ" in " ".join(b.label for b in chat.buttons()) or chat.buttons()


async def test_new_user_writing_english_gets_english(core: ConversationCore) -> None:
    chat = CollectingChannel(core, user_id="e1")
    replies = await chat.say("hello")
    assert "Hello" in chat.text()
    assert_single_language(replies, "en")


async def test_romanized_khmer_gets_khmer(core: ConversationCore) -> None:
    chat = CollectingChannel(core, user_id="r1")
    replies = await chat.say("bong tlai ponman?")
    assert_single_language(replies, "km")
    assert "$" in chat.text()


async def test_platform_language_code_decides_for_ambiguous_first_message(
    core: ConversationCore,
) -> None:
    chat = CollectingChannel(core, user_id="p1", language_code="km-KH")
    replies = await chat.say("ok")
    assert_single_language(replies, "km")


async def test_default_is_khmer(core: ConversationCore) -> None:
    chat = CollectingChannel(core, user_id="d1")
    replies = await chat.say("123")
    assert_single_language(replies, "km")


async def test_choice_is_remembered_over_script(core: ConversationCore) -> None:
    chat = CollectingChannel(core, user_id="c1")
    await chat.say("សួស្តី")
    await chat.press_payload("i:change_language")
    assert {"lang:km", "lang:en"} <= {b.payload for b in chat.buttons()}
    await chat.press("English")
    assert "English" in chat.text()
    replies = await chat.say("ថ្លៃសេវាប៉ុន្មាន")  # Khmer script, but the user chose English
    assert "$50" in chat.text()
    assert_single_language(replies, "en")


async def test_typed_language_request_switches(core: ConversationCore) -> None:
    chat = CollectingChannel(core, user_id="c2")
    await chat.say("hello")
    replies = await chat.say("ប្តូរទៅភាសាខ្មែរ")
    assert_single_language(replies, "km")
    replies = await chat.say("fees please")  # the choice sticks
    assert_single_language(replies, "km")


@pytest.mark.parametrize(
    ("current", "source", "text", "platform", "expected"),
    [
        # Before any choice the first message with real words decides.
        (None, LocaleSource.NONE, "hello", None, "en"),
        (None, LocaleSource.NONE, "hello", "km", "en"),
        (None, LocaleSource.NONE, "សួស្តី", "en", "km"),
        (None, LocaleSource.NONE, "chong dak peak", "en", "km"),
        (None, LocaleSource.NONE, "sahakreas ek bokkol", "en", "km"),
        (None, LocaleSource.NONE, "", None, "km"),
        (None, LocaleSource.NONE, "facebook.com/shop", "en", "en"),
        (None, LocaleSource.NONE, "012 345 678", None, "km"),
        (None, LocaleSource.NONE, "ok", "km-KH", "km"),
        # A platform guess is replaced by the first real words.
        ("km", LocaleSource.PLATFORM, "how much", None, "en"),
        ("en", LocaleSource.PLATFORM, "tlai ponman", None, "km"),
        # Links, handles, phones, ids, names, numbers, emoji and fragments never switch.
        ("km", LocaleSource.DETECTED, "ok", None, "km"),
        ("km", LocaleSource.DETECTED, "facebook.com/BestPriceKH", None, "km"),
        ("km", LocaleSource.DETECTED, "t.me/cheapbags", None, "km"),
        ("km", LocaleSource.DETECTED, "@cheapbags", None, "km"),
        ("km", LocaleSource.DETECTED, "012 345 678", None, "km"),
        ("km", LocaleSource.DETECTED, "CETS-2024-000321", None, "km"),
        ("km", LocaleSource.DETECTED, "Best Price KH", None, "km"),
        ("km", LocaleSource.DETECTED, "Trustmark Deals KH", None, "km"),
        ("km", LocaleSource.DETECTED, "Thank You Shop", None, "km"),
        ("km", LocaleSource.DETECTED, "99", None, "km"),
        ("km", LocaleSource.DETECTED, "\U0001f44d\U0001f44d", None, "km"),
        ("km", LocaleSource.DETECTED, "ok thanks", None, "km"),
        ("en", LocaleSource.DETECTED, "តម្លៃ", None, "en"),
        ("en", LocaleSource.DETECTED, "ហាងសុខា", None, "en"),
        ("en", LocaleSource.DETECTED, "Khmer Shop", None, "en"),
        ("en", LocaleSource.DETECTED, "Angkor", None, "en"),
        ("en", LocaleSource.DETECTED, "tov krauy", None, "en"),
        # A full sentence clearly in the other language does.
        ("km", LocaleSource.DETECTED, "how much is the fee", None, "en"),
        ("en", LocaleSource.DETECTED, "តើខ្ញុំត្រូវបង់ថ្លៃប៉ុន្មាន", None, "km"),
        ("en", LocaleSource.DETECTED, "knhom chong dak peak", None, "km"),
        # A choice is never overridden by text.
        ("en", LocaleSource.CHOSEN, "តើខ្ញុំត្រូវបង់ថ្លៃប៉ុន្មាន", None, "en"),
        ("km", LocaleSource.CHOSEN, "how much is the fee for a company", None, "km"),
    ],
)
def test_decide_locale(
    current: str | None, source: LocaleSource, text: str, platform: str | None, expected: str
) -> None:
    assert decide_locale(current, source, text, platform).locale == expected
