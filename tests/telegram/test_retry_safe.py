"""A reply that fails to send is sent again from what was stored with the turn: the user sees it
once, the conversation stays at the right step, and nothing says "did not understand"."""

from __future__ import annotations

import pytest

from tests.telegram.conftest import StartBot, TelegramUser, new_user, texts
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.test_files import PDF_FILE, serve_files, too_large_document

NOT_UNDERSTOOD = "did not understand"


async def start_eligibility(user: TelegramUser) -> None:
    [question] = texts(await user.say(user.text("am I eligible?")))
    assert question.startswith("Step 1 of 4")


@pytest.mark.parametrize(
    "failure",
    ["http-500", "http-502", "http-429"],
)
async def test_a_send_that_fails_once_mid_eligibility_is_seen_once_at_the_right_step(
    start_bot: StartBot, fake_api: FakeBotApi, failure: str
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    await start_eligibility(user)

    # Telegram fails the reply to the first answer once.
    if failure == "http-429":
        fake_api.fail_next("sendMessage", retry_after=1)
    else:
        fake_api.break_next("sendMessage", status=int(failure.removeprefix("http-")))
    [step_two] = texts(await user.say(user.text("I am a sole proprietorship")))
    assert step_two.startswith("Step 2 of 4\nWhat do you sell online?")
    attempted = [c for c in fake_api.calls if c.method == "sendMessage"][-2:]
    assert attempted[0].rejected and attempted[0].params["text"] == attempted[1].params["text"]

    # The next typed answers are taken as the answers to the next questions.
    [step_three] = texts(await user.say(user.text("clothes and shoes")))
    assert step_three.startswith("Step 3 of 4")
    [step_four] = texts(await user.say(user.text("on my facebook page")))
    assert step_four.startswith("Step 4 of 4")
    [verdict] = texts(await user.say(user.text("yes")))
    assert verdict.startswith("Yes, you are eligible. Business type: Sole proprietorship.")

    seen = fake_api.texts_to(user.user_id)
    assert len(seen) == len(set(seen)) == 5  # every reply exactly once
    assert not any(NOT_UNDERSTOOD in text for text in seen)
    events = await bot.inbox()
    assert [e.status for e in events] == ["done"] * 5
    retried = events[1]
    assert retried.attempts == (1 if failure == "http-429" else 2)
    assert retried.sent == 1 and retried.replies is not None and len(retried.replies) == 1


async def test_only_the_messages_not_yet_sent_are_sent_again(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    fake_api.add_file(PDF_FILE, b"%PDF-1.4", "documents/file_4.pdf", too_big=True)
    bot = await start_bot()
    user = new_user(bot, "en")
    body = too_large_document(user, None)
    body["message"]["caption"] = "how much is the fee for a sole proprietorship?"
    # The answer is two messages, the notice and the fee; the second fails once.
    fake_api.break_call("sendMessage", after=1, status=500)
    notice, answer = texts(await user.say(body))
    assert notice.startswith("Sorry, this file is too large")
    assert "$100" in answer
    sends = [c for c in fake_api.calls if c.method == "sendMessage"]
    assert [c.rejected for c in sends] == [False, True, False]
    [event] = await bot.inbox()
    assert (event.status, event.attempts, event.sent) == ("done", 2, 2)
    assert len(fake_api.of("getFile")) == 1  # the turn (and its download) ran once


async def test_a_fast_answer_has_no_typing_indicator_and_a_slow_one_has(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    serve_files(fake_api)
    bot = await start_bot()
    user = new_user(bot, "en")
    await user.say(user.text("hello"), user.text("how much is the fee for a sole proprietorship?"))
    assert fake_api.of("sendChatAction") == []

    fake_api.delay("getFile", 1.5)  # downloading the photo takes a while
    [answer] = await user.say(user.payload("message_photo"))
    [typing] = fake_api.of("sendChatAction")
    assert (str(typing.params["chat_id"]), typing.params["action"]) == (str(user.user_id), "typing")
    assert fake_api.calls.index(typing) < fake_api.calls.index(answer)


async def test_a_user_who_blocked_the_bot_ends_the_event_without_retries(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    fake_api.break_next("sendMessage", status=403)
    assert await user.say(user.text("hello")) == []
    [event] = await bot.inbox()
    assert event.status == "done" and event.attempts == 1
    assert event.last_error is not None and event.last_error.startswith("Forbidden")
    assert len([c for c in fake_api.calls if c.method == "sendMessage"]) == 1
