"""The same conversations as the terminal chat, over the webhook, in Khmer and English."""

from __future__ import annotations

import pytest

from bot.core import ConversationCore
from bot.language import contains_khmer
from bot.messages import Reply, TextReply
from tests.conftest import open_chat
from tests.language_check import assert_single_language
from tests.telegram.conftest import (
    StartBot,
    as_replies,
    assert_shows,
    labels,
    new_user,
    texts,
)
from tests.telegram.fake_bot_api import FakeBotApi


async def test_english_fee_question_as_in_the_terminal(
    start_bot: StartBot, fake_api: FakeBotApi, core: ConversationCore
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    reference = await open_chat(core, "en", user_id="reference-en")
    reference.channel = "reference"

    hello = await user.say(user.text("hello"))
    assert_shows(hello, await reference.say("hello"))
    assert "Hello" in texts(hello)[0]

    answer = await user.say(user.text("how much is the fee for a sole proprietorship?"))
    assert_shows(answer, await reference.say("how much is the fee for a sole proprietorship?"))
    assert "$100" in "\n".join(texts(answer))
    assert "2 years" in "\n".join(texts(answer))
    assert_single_language(as_replies(hello + answer), "en")


async def test_khmer_script_wins_over_an_english_telegram_and_buttons_work(
    start_bot: StartBot, fake_api: FakeBotApi, core: ConversationCore
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")  # an English-language Telegram app, a Khmer first message
    reference = await open_chat(core, "km", user_id="reference-km")

    greeting = await user.say(user.text("សួស្តី"))
    assert_shows(greeting, await reference.say("សួស្តី"))
    fees_label = next(label for label in labels(greeting) if "ថ្លៃ" in label)
    [fee_button] = [b for b in reference.buttons() if b.label == fees_label]

    fees = await user.say(user.press(fees_label))
    assert_shows(fees, await reference.press_payload(fee_button.payload))
    shown = "\n".join(texts(fees))
    assert "50$" in shown and "250$" in shown
    assert_single_language(as_replies(greeting + fees), "km")

    # The press was answered (the spinner stops) and its message shows the choice.
    [answered] = fake_api.of("answerCallbackQuery")
    assert answered.params["callback_query_id"].startswith("cq-")
    [marked] = fake_api.of("editMessageText")
    assert marked.params["text"].endswith(f"\u203a {fees_label}")
    assert "reply_markup" not in marked.params


@pytest.mark.parametrize(("language_code", "locale"), [("km", "km"), ("en", "en"), (None, "km")])
async def test_start_answers_in_the_telegram_language_with_khmer_by_default(
    start_bot: StartBot, core: ConversationCore, language_code: str | None, locale: str
) -> None:
    bot = await start_bot()
    user = new_user(bot, language_code)
    menu = await user.say(user.text("/start"))
    reference = await open_chat(core, locale, user_id=f"reference-{locale}")
    assert_shows(menu, await reference.press_payload("i:greet"))
    assert_single_language(as_replies(menu), locale)


async def test_the_saved_language_choice_wins_afterwards(start_bot: StartBot) -> None:
    bot = await start_bot()
    user = new_user(bot, "km")
    await user.say(user.text("/language"))
    chosen = await user.say(user.press("English"))
    assert "English" in texts(chosen)[0]
    # Khmer Telegram, a Khmer greeting: the choice of English still wins.
    later = await user.say(user.text("/start"), user.text("សួស្តី"))
    assert_single_language(as_replies(later), "en")


COMMANDS = (
    ("/help", "i:help"),
    ("/language", "i:change_language"),
    ("/check", "i:check_shop"),
    ("/apply", "i:apply"),
    ("/complain", "i:complain"),
    ("/start", "i:greet"),
    ("/help@cets_test_bot", "i:help"),
    ("/start apply", "i:apply"),
    ("/start check", "i:check_shop"),
    ("/start unknown-link", "i:greet"),
)


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_menu_commands_do_what_their_buttons_do(
    start_bot: StartBot, core: ConversationCore, locale: str
) -> None:
    bot = await start_bot()
    user = new_user(bot, locale)
    reference = await open_chat(core, locale, user_id=f"reference-{locale}")
    for command, payload in COMMANDS:
        shown = await user.say(user.text(command))
        assert_shows(shown, await reference.press_payload(payload))
        assert_single_language(as_replies(shown), locale)


async def test_the_command_menu_is_registered_in_khmer_and_english(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    await start_bot()
    khmer, english = fake_api.of("setMyCommands")
    assert "language_code" not in khmer.params  # the default menu, for every other language
    assert english.params["language_code"] == "en"
    names = ["start", "help", "language", "check", "apply", "status", "complain"]
    for menu in (khmer, english):
        assert [c["command"] for c in menu.params["commands"]] == names
    english_descriptions: list[Reply] = [
        TextReply(c["description"]) for c in english.params["commands"]
    ]
    khmer_descriptions: list[Reply] = [
        TextReply(c["description"]) for c in khmer.params["commands"]
    ]
    assert english.params["commands"][0]["description"] == "Main menu"
    assert_single_language(english_descriptions, "en")
    assert_single_language(khmer_descriptions, "km")
    assert all(contains_khmer(c["description"]) for c in khmer.params["commands"])


async def test_an_edited_message_is_answered_like_a_new_one(start_bot: StartBot) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    await user.say(user.text("hello"))
    edited = user.payload("edited_message")
    edited["edited_message"]["text"] = "how much is the fee for a sole proprietorship?"
    answer = await user.say(edited)
    assert "$100" in "\n".join(texts(answer))


async def test_every_press_is_answered_even_an_unknown_or_stale_one(
    start_bot: StartBot, fake_api: FakeBotApi, core: ConversationCore
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    # A keyboard from an older version of the bot: the press is answered, the menu shown.
    stale = user.payload("callback_query")
    stale["callback_query"]["data"] = "old:button"
    shown = await user.say(stale)
    [answered] = fake_api.of("answerCallbackQuery")
    assert answered.params["callback_query_id"] == "4382bfdwdsb323b2d9"
    reference = await open_chat(core, "en", user_id="reference")
    assert_shows(shown, await reference.press_payload("old:button"))
