"""Fee questions, typed and by button, in Khmer and English."""

from __future__ import annotations

from bot.core import ConversationCore
from tests.conftest import open_chat
from tests.language_check import assert_single_language


async def test_fee_for_sole_proprietorship_in_english(core: ConversationCore) -> None:
    chat = await open_chat(core, "en")
    await chat.say("hello")
    replies = await chat.say("how much is the fee for a sole proprietorship?")
    text = chat.text()
    assert "$100" in text
    assert "2 years" in text
    assert "Sole proprietorship" in text or "sole proprietorship" in text
    assert "$75" in text  # renewal at 75%
    assert "proposed" in text.lower()
    assert_single_language(replies, "en")


async def test_fee_for_sole_proprietorship_in_khmer(core: ConversationCore) -> None:
    chat = await open_chat(core, "km")
    replies = await chat.say("ថ្លៃសេវាសម្រាប់សហគ្រាសឯកបុគ្គលប៉ុន្មាន?")
    text = chat.text()
    assert "100$" in text
    assert "2 ឆ្នាំ" in text
    assert "សហគ្រាសឯកបុគ្គល" in text
    assert_single_language(replies, "km")


async def test_khmer_question_gets_khmer_answer_without_a_language_choice(
    core: ConversationCore,
) -> None:
    from bot.channels.collecting import CollectingChannel

    chat = CollectingChannel(core, user_id="new-khmer-user")
    replies = await chat.say("តម្លៃប៉ុន្មានសម្រាប់សហគ្រាសឯកបុគ្គល")
    assert "100$" in chat.text()
    assert_single_language(replies, "km")


async def test_all_fees_show_four_categories_and_renewal_rule(core: ConversationCore) -> None:
    for locale, question, expected in (
        ("en", "what are all the fees?", ["$50", "$100", "$200", "$250", "75%"]),
        ("km", "ថ្លៃសេវាទាំងអស់ប៉ុន្មាន", ["50$", "100$", "200$", "250$", "75%"]),
    ):
        chat = await open_chat(core, locale, user_id=f"all-{locale}")
        replies = await chat.say(question)
        text = chat.text()
        for amount in expected:
            assert amount in text, (locale, amount, text)
        assert_single_language(replies, locale)


async def test_fee_buttons_show_riel_equivalent(core: ConversationCore) -> None:
    chat = await open_chat(core, "en")
    await chat.press_payload("fee:individual")
    text = chat.text()
    assert "$50" in text
    assert "riel" in text
    assert "205,000 riel" in text  # 50 x the configured 4,100 riel per dollar
