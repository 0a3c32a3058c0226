"""Conversations survive a restart, and each user's messages are handled in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.channels.collecting import CollectingChannel
from bot.core import ConversationCore
from bot.messages import InboundMessage, TextReply
from bot.runtime import start_runtime
from bot.settings import Settings


async def test_restart_mid_flow_resumes_the_same_step(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    )
    first = await start_runtime(settings)
    chat = CollectingChannel(first.core, user_id="seller-7")
    await first.core.set_language("test", "seller-7", "en")
    await chat.press_payload("i:ask_eligibility")
    await chat.press_payload("elig:cat:sole_proprietorship")
    await chat.press_payload("elig:act:goods")
    assert "Step 3 of 4" in chat.text()
    await first.close()

    second = await start_runtime(settings)
    try:
        chat = CollectingChannel(second.core, user_id="seller-7")
        await chat.say("back")
        assert "Step 2 of 4" in chat.text()  # the saved flow, in the saved language
        await chat.press_payload("elig:act:goods")
        await chat.press_payload("elig:ch:facebook")
        await chat.press_payload("elig:reg:yes")
        assert "eligible as a sole proprietorship" in chat.text().lower() or (
            "Yes, you are eligible" in chat.text()
        )
    finally:
        await second.close()


async def test_messages_of_one_user_are_handled_in_order(core: ConversationCore) -> None:
    """A burst of button presses sent at once walks the flow step by step, none lost."""
    await core.set_language("test", "burst", "en")
    payloads = [
        "i:ask_eligibility",
        "elig:cat:individual",
        "elig:act:goods",
        "elig:ch:facebook",
        "elig:reg:yes",
    ]
    results = await asyncio.gather(
        *(core.handle(InboundMessage(channel="test", user_id="burst", payload=p)) for p in payloads)
    )
    texts = [" ".join(r.text for r in replies if isinstance(r, TextReply)) for replies in results]
    assert "Step 1 of 4" in texts[0]
    assert "Step 2 of 4" in texts[1]
    assert "Step 3 of 4" in texts[2]
    assert "Step 4 of 4" in texts[3]
    assert "Yes, you are eligible" in texts[4]
