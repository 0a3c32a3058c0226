"""The Send API client: rate limits and errors retried without losing the reply, tokens kept
secret, and no retired message tag ever sent."""

from __future__ import annotations

import logging

import pytest

from bot.channels.messenger.render import render_replies
from bot.i18n import use_locale
from bot.messages import FileReply, TextReply
from tests.messenger.conftest import StartBot
from tests.messenger.fake_graph_api import PAGE_TOKEN
from tests.messenger.harness import MessengerBot, load_payload
from tests.messenger.seen import message_texts

PSID = "7012345678901234"
USER_TEXT = "hello"


@pytest.fixture
def messenger_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Everything the bot logs, at every level."""
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_no_secrets_or_text(caplog: pytest.LogCaptureFixture) -> None:
    logged = caplog.text
    assert PAGE_TOKEN not in logged
    assert "What would you like to know" not in logged
    assert "Ministry of Commerce assistant" not in logged


@pytest.mark.parametrize(
    ("status", "code", "retry_after", "times"),
    [
        pytest.param(400, 613, None, 1, id="messenger-rate-limit-613"),
        pytest.param(403, 4, None, 1, id="app-rate-limit-4"),
        pytest.param(429, None, "0", 1, id="http-429-retry-after"),
        pytest.param(503, None, None, 2, id="http-503-twice"),
        pytest.param(400, 1200, None, 1, id="temporary-send-failure-1200"),
    ],
)
async def test_a_rate_limit_or_outage_is_retried_and_the_reply_arrives(
    bot: MessengerBot,
    messenger_logs: pytest.LogCaptureFixture,
    status: int,
    code: int | None,
    retry_after: str | None,
    times: int,
) -> None:
    bot.graph.fail_next(status=status, code=code, retry_after=retry_after, times=times + 1)
    # The first failure hits the typing indicator (not retried: it is only a courtesy).
    assert await bot.deliver(load_payload("text_message")) == 200
    await bot.settle()
    replies = bot.graph.messages(PSID)
    assert "CETS" in " ".join(message_texts(replies))
    assert len([c for c in bot.graph.rejected() if c.rejected == "queued failure"]) == times + 1
    [stored] = await bot.stored_events()
    assert stored.status == "done"
    assert "retry" in messenger_logs.text
    assert_no_secrets_or_text(messenger_logs)


async def test_an_error_that_will_not_pass_is_logged_and_not_retried(
    bot: MessengerBot, messenger_logs: pytest.LogCaptureFixture
) -> None:
    bot.graph.fail_next(status=200, code=1)  # the typing indicator
    bot.graph.fail_next(status=400, code=551)  # "This person isn't available right now."
    assert await bot.deliver(load_payload("text_message")) == 200
    await bot.settle()
    assert len(bot.graph.calls) == 2  # no retry, and the rest of the answer is not attempted
    assert "code 551" in messenger_logs.text
    [stored] = await bot.stored_events()
    assert stored.status == "done"
    assert_no_secrets_or_text(messenger_logs)


async def test_an_outage_longer_than_the_retries_keeps_the_event_for_another_attempt(
    start_bot: StartBot, messenger_logs: pytest.LogCaptureFixture
) -> None:
    bot = await start_bot(MESSENGER_SEND_ATTEMPTS="2")
    bot.graph.fail_next(status=500, times=50)
    assert await bot.deliver(load_payload("text_message")) == 200
    await bot.settle()
    [stored] = await bot.stored_events()
    assert stored.attempts == 3  # the inbox tried the whole event again, three times
    assert stored.status == "failed"
    assert stored.last_error is not None and "status=500" in stored.last_error
    assert_no_secrets_or_text(messenger_logs)


async def test_the_token_travels_only_in_the_authorization_header(bot: MessengerBot) -> None:
    assert await bot.deliver(load_payload("text_message")) == 200
    await bot.settle()
    assert bot.graph.calls
    for call in bot.graph.calls:
        assert call.authorization == f"Bearer {PAGE_TOKEN}"
        assert call.query == {}
        assert PAGE_TOKEN not in call.path


@pytest.mark.parametrize(
    "tag", ["ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"]
)
async def test_a_retired_message_tag_is_never_sent(bot: MessengerBot, tag: str) -> None:
    with use_locale("en"):
        [outgoing] = render_replies([TextReply("Your application was approved.")])
    with pytest.raises(ValueError, match="retired"):
        await bot.channel.client.send_message(PSID, outgoing, messaging_type="MESSAGE_TAG", tag=tag)
    assert bot.graph.calls == []


async def test_a_file_reply_is_uploaded_as_multipart(bot: MessengerBot) -> None:
    pdf = b"%PDF-1.7\n" + b"certificate " * 100
    with use_locale("en"):
        messages = render_replies(
            [FileReply("CETS-2025-000001.pdf", "application/pdf", pdf, caption="Your certificate")]
        )
    for outgoing in messages:
        await bot.channel.client.send_message(PSID, outgoing)
    upload, caption = bot.graph.send_calls(PSID)
    assert upload.upload == ("CETS-2025-000001.pdf", "application/pdf", pdf)
    assert upload.body["messaging_type"] == "RESPONSE"
    assert upload.message == {"attachment": {"type": "file", "payload": {"is_reusable": False}}}
    assert caption.message == {"text": "Your certificate"}
