"""Messages no turn asked for (``deliver``) on Messenger: RESPONSE inside the 24-hour window;
outside it a utility template when configured, else held and sent right after the answer to the
user's next message; HUMAN_AGENT only for an officer's reply and only when switched on; never a
retired tag; failures retried and the final state recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.database import writer
from bot.delivery import Deliveries, apology
from bot.dialogue.models import ConversationRecord, InboundEventRecord
from bot.i18n import use_locale
from bot.messages import Button, TextReply
from tests.messenger.conftest import StartBot
from tests.messenger.fake_graph_api import RETIRED_TAGS
from tests.messenger.harness import MessengerBot
from tests.messenger.seen import message_texts

STATUS_TEXT = "Your application APP-2025-000123 was approved. Certificate: CETS-2025-000123."


def status_update() -> list[TextReply]:
    """A status-change notification as the registry feed would compose it."""
    return [TextReply(STATUS_TEXT, (Button("Main menu", "nav:menu"),))]


def deliveries(bot: MessengerBot) -> Deliveries:
    return bot.runtime.deliveries


async def last_wrote(bot: MessengerBot, psid: str, ago: timedelta) -> None:
    """Let time pass: the user's messages to the Page, and their last turn, were ``ago``."""
    then = datetime.now(UTC) - ago
    async with async_sessionmaker(writer(bot.runtime.engine)).begin() as session:
        await session.execute(
            update(InboundEventRecord)
            .where(InboundEventRecord.channel == "messenger", InboundEventRecord.user_id == psid)
            .values(received_at=then)
        )
        await session.execute(
            update(ConversationRecord)
            .where(ConversationRecord.channel == "messenger", ConversationRecord.user_id == psid)
            .values(last_seen_at=then)
        )


def assert_no_retired_tag(bot: MessengerBot) -> None:
    assert not [c for c in bot.graph.calls if c.body.get("tag") in RETIRED_TAGS]


async def test_inside_the_window_a_delivery_is_a_normal_response(bot: MessengerBot) -> None:
    psid = "7100000000000001"
    await bot.say(psid, "hello")
    before = len(bot.graph.send_calls(psid))
    delivery_id = await deliveries(bot).deliver("messenger", psid, status_update)
    await deliveries(bot).wait_idle()
    [call] = bot.graph.send_calls(psid)[before:]
    assert call.body["messaging_type"] == "RESPONSE" and "tag" not in call.body
    assert call.message is not None and call.message["text"] == STATUS_TEXT
    delivery = await deliveries(bot).get(delivery_id)
    assert delivery is not None and (delivery.status, delivery.method) == ("sent", "sent")


async def test_25_hours_later_without_a_template_it_waits_for_the_users_next_message(
    bot: MessengerBot,
) -> None:
    psid = "7100000000000002"
    await bot.say(psid, "hello")
    await last_wrote(bot, psid, timedelta(hours=25))
    before = len(bot.graph.calls)

    delivery_id = await deliveries(bot).deliver("messenger", psid, status_update)
    await deliveries(bot).wait_idle()
    assert bot.graph.calls[before:] == []  # nothing may be sent now, with or without a tag
    held = await deliveries(bot).get(delivery_id)
    assert held is not None and held.status == "held"

    # The user writes again: first the answer to that message, then the held delivery.
    shown = message_texts(await bot.say(psid, "how much is the fee for a sole proprietorship?"))
    assert "$100" in shown[0] and shown[-1] == STATUS_TEXT
    calls = bot.graph.send_calls(psid)[-2:]
    assert all(c.body["messaging_type"] == "RESPONSE" and "tag" not in c.body for c in calls)
    sent = await deliveries(bot).get(delivery_id)
    assert sent is not None and (sent.status, sent.method) == ("sent", "sent")
    # Once only: the next message brings nothing else.
    assert STATUS_TEXT not in message_texts(await bot.say(psid, "thanks"))
    assert_no_retired_tag(bot)


async def test_25_hours_later_a_configured_utility_template_is_sent_in_the_users_language(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(
        MESSENGER_UTILITY_TEMPLATE="cets_status_update",
        MESSENGER_UTILITY_TEMPLATE_LANGUAGES="km=km,en=en_US",
    )
    psid = "7100000000000003"
    await bot.say(psid, "សួស្តី")  # a Khmer conversation
    await last_wrote(bot, psid, timedelta(hours=25))
    before = len(bot.graph.send_calls(psid))

    delivery_id = await deliveries(bot).deliver("messenger", psid, apology, dedupe_key="k-1")
    await deliveries(bot).wait_idle()
    [call] = bot.graph.send_calls(psid)[before:]
    assert call.body["messaging_type"] == "UTILITY" and "tag" not in call.body
    with use_locale("km"):
        [expected] = apology()
    assert call.message == {
        "template": {
            "name": "cets_status_update",
            "language": {"code": "km"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": expected.text}]}
            ],
        }
    }
    delivery = await deliveries(bot).get(delivery_id)
    assert delivery is not None and (delivery.status, delivery.method) == ("sent", "utility")
    # The same dedupe key again: nothing new.
    assert (
        await deliveries(bot).deliver("messenger", psid, apology, dedupe_key="k-1") == delivery_id
    )
    await deliveries(bot).wait_idle()
    assert len(bot.graph.send_calls(psid)) == before + 1


async def test_the_human_agent_tag_only_for_an_officer_and_only_when_switched_on(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(MESSENGER_HUMAN_AGENT_TAG="on")
    psid = "7100000000000004"
    await bot.say(psid, "hello")
    await last_wrote(bot, psid, timedelta(days=3))
    before = len(bot.graph.send_calls(psid))

    officer = await deliveries(bot).deliver(
        "messenger",
        psid,
        lambda: [TextReply("An officer: we received your documents.")],
        human=True,
    )
    notice = await deliveries(bot).deliver("messenger", psid, status_update)
    await deliveries(bot).wait_idle()
    [call] = bot.graph.send_calls(psid)[before:]
    assert (call.body["messaging_type"], call.body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    sent, held = await deliveries(bot).get(officer), await deliveries(bot).get(notice)
    assert sent is not None and sent.method == "human_agent"
    assert held is not None and held.status == "held"  # not an officer's reply: no tag


async def test_without_the_switch_an_officers_reply_is_held_too(bot: MessengerBot) -> None:
    psid = "7100000000000005"
    await bot.say(psid, "hello")
    await last_wrote(bot, psid, timedelta(days=3))
    before = len(bot.graph.calls)
    officer = await deliveries(bot).deliver(
        "messenger",
        psid,
        lambda: [TextReply("An officer: we received your documents.")],
        human=True,
    )
    await deliveries(bot).wait_idle()
    assert bot.graph.calls[before:] == []
    held = await deliveries(bot).get(officer)
    assert held is not None and held.status == "held"


async def test_when_meta_says_the_window_closed_the_delivery_is_held(bot: MessengerBot) -> None:
    psid = "7100000000000006"
    await bot.say(psid, "hello")
    await last_wrote(bot, psid, timedelta(hours=23, minutes=40))  # our clock: still open
    bot.graph.close_window(psid)
    delivery_id = await deliveries(bot).deliver("messenger", psid, status_update)
    await deliveries(bot).wait_idle()
    held = await deliveries(bot).get(delivery_id)
    assert held is not None and held.status == "held" and held.sent == 0
    assert_no_retired_tag(bot)


async def test_a_failing_delivery_is_retried_and_its_final_state_recorded(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(MESSENGER_SEND_ATTEMPTS="1", CETS_DELIVERY_ATTEMPTS="3")
    psid = "7100000000000007"
    await bot.say(psid, "hello")

    bot.graph.fail_next(status=503, times=2)  # two attempts meet an outage, the third goes
    recovered = await deliveries(bot).deliver("messenger", psid, status_update)
    await deliveries(bot).wait_idle()
    sent = await deliveries(bot).get(recovered)
    assert sent is not None and (sent.status, sent.attempts) == ("sent", 3)
    assert sent.last_error is not None and "status=503" in sent.last_error
    assert message_texts(bot.graph.messages(psid))[-1] == STATUS_TEXT

    bot.graph.fail_next(status=503, times=3)  # longer than the attempts: failed for good
    lost = await deliveries(bot).deliver("messenger", psid, status_update)
    await deliveries(bot).wait_idle()
    failed = await deliveries(bot).get(lost)
    assert failed is not None and (failed.status, failed.attempts) == ("failed", 3)

    bot.graph.fail_next(status=400, code=100)  # refused as malformed: not retried
    refused = await deliveries(bot).deliver("messenger", psid, status_update)
    await deliveries(bot).wait_idle()
    rejected = await deliveries(bot).get(refused)
    assert rejected is not None and (rejected.status, rejected.attempts) == ("failed", 1)
    assert rejected.last_error is not None and "code=100" in rejected.last_error
