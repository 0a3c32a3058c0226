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


async def test_concurrent_turns_of_one_user_lose_no_update(core: ConversationCore) -> None:
    """Two turns racing on one conversation: the later save sees the conflict and re-runs.

    Ordering a user's messages is the inbox's job; the core's compare-and-swap makes sure a
    race (e.g. a language set from outside while a turn runs) never overwrites an answer.
    """
    await core.set_language("test", "race", "en")
    await core.handle(InboundMessage(channel="test", user_id="race", payload="i:ask_eligibility"))
    results = await asyncio.gather(
        core.handle(InboundMessage(channel="test", user_id="race", payload="elig:cat:individual")),
        core.set_language("test", "race", "en"),
    )
    texts = " ".join(r.text for r in results[0] if isinstance(r, TextReply))
    assert "Step 2 of 4" in texts
    replies = await core.handle(
        InboundMessage(channel="test", user_id="race", payload="elig:act:goods")
    )
    assert "Step 3 of 4" in " ".join(r.text for r in replies if isinstance(r, TextReply))
    state = await core._store.load("test", "race")
    assert state.flows["elig"].answers == {"cat": "individual", "act": "goods"}
    assert state.version == 5  # every save counted: language, start, answer, language, answer
