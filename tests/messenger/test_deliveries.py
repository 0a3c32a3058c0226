"""Signed deliveries over real HTTP: every batched event answered once, in order, nothing lost."""

from __future__ import annotations

import pytest

from tests.messenger.conftest import StartBot
from tests.messenger.harness import MessengerBot, first_event, load_payload
from tests.messenger.seen import assert_one_language, message_texts


async def test_a_single_text_is_answered_with_the_menu(bot: MessengerBot) -> None:
    psid = "7012345678901234"
    assert await bot.deliver(load_payload("text_message")) == 200
    await bot.settle()
    messages = bot.graph.messages(psid)
    assert messages, "no reply reached the user"
    assert "CETS" in " ".join(message_texts(messages))
    assert messages[-1]["quick_replies"]
    calls = bot.graph.send_calls(psid)
    assert all(c.body["messaging_type"] == "RESPONSE" for c in calls if c.message is not None)
    # The typing indicator goes out before the slow step (understanding free text).
    assert calls[0].body == {"recipient": {"id": psid}, "sender_action": "typing_on"}
    assert not bot.graph.rejected()


async def test_a_batch_of_two_entries_with_three_messages_each_gets_all_six_answered(
    bot: MessengerBot,
) -> None:
    assert await bot.deliver(load_payload("batch_two_entries")) == 200
    await bot.settle()
    khmer_users = {"7000000000000002", "7000000000000004"}
    for n in range(1, 7):
        psid = f"700000000000000{n}"
        messages = bot.graph.messages(psid)
        assert messages, f"user {psid} got no answer"
        assert_one_language(messages, "km" if psid in khmer_users else "en")
    assert "$50" in " ".join(message_texts(bot.graph.messages("7000000000000003")))
    assert "(ក)" in " ".join(message_texts(bot.graph.messages("7000000000000004")))
    stored = await bot.stored_events()
    assert len(stored) == 6
    assert {row.status for row in stored} == {"done"}


async def test_the_same_mid_delivered_twice_is_answered_once(bot: MessengerBot) -> None:
    psid = "7012345678901234"
    assert await bot.deliver(load_payload("text_message")) == 200
    await bot.settle()
    answered = len(bot.graph.messages(psid))
    assert answered > 0
    assert await bot.deliver(load_payload("text_message")) == 200  # Meta retries the delivery
    await bot.settle()
    assert len(bot.graph.messages(psid)) == answered
    assert len(await bot.stored_events()) == 1


@pytest.mark.parametrize("name", ["echo", "delivery", "read", "reaction"])
async def test_echoes_receipts_and_unknown_events_are_acknowledged_and_ignored(
    bot: MessengerBot, name: str
) -> None:
    assert await bot.deliver(load_payload(name)) == 200
    await bot.settle()
    assert bot.graph.calls == []
    assert await bot.stored_events() == []


async def test_in_a_mixed_entry_only_the_message_is_answered(bot: MessengerBot) -> None:
    assert await bot.deliver(load_payload("mixed_receipts_and_text")) == 200
    await bot.settle()
    assert {c.psid for c in bot.graph.send_calls()} == {"7012345678912345"}
    [stored] = await bot.stored_events()
    assert stored.event_id == "m_mixed-text"


async def test_one_users_events_are_answered_in_order(bot: MessengerBot) -> None:
    psid = "7012345678901234"
    delivery = load_payload("text_message")
    template = first_event(delivery)
    events = []
    for n, (text, payload) in enumerate(
        [("hello", None), ("Fees", "fee:all"), ("Documents", "i:ask_documents")]
    ):
        event = {
            **template,
            "timestamp": template["timestamp"] + n,
            "message": {"mid": f"m_order-{n}", "text": text},
        }
        if payload:
            event["message"]["quick_reply"] = {"payload": payload}
        events.append(event)
    delivery["entry"][0]["messaging"] = events
    assert await bot.deliver(delivery) == 200
    await bot.settle()
    texts = message_texts(bot.graph.messages(psid))
    greeting = next(i for i, t in enumerate(texts) if "CETS" in t)
    fees = next(i for i, t in enumerate(texts) if "$100" in t)
    documents = next(i for i, t in enumerate(texts) if "(a)" in t)
    assert greeting < fees < documents


async def test_an_event_accepted_before_a_crash_is_answered_after_the_restart(
    start_bot: StartBot,
) -> None:
    first = await start_bot()
    delivery = load_payload("text_message")
    event = first_event(delivery)
    psid = event["sender"]["id"]
    # What the webhook does before answering 200; then the process stops before processing.
    accepted = await first.runtime.inbox.accept("messenger", event["message"]["mid"], psid, event)
    assert accepted is not None
    await first.stop()
    assert first.graph.messages(psid) == []

    second = await start_bot()
    await second.settle()
    assert "CETS" in " ".join(message_texts(second.graph.messages(psid)))
    [stored] = await second.stored_events()
    assert stored.status == "done"
