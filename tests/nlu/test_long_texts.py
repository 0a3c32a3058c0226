"""A long message is parsed in a worker thread, so other users' turns go on meanwhile."""

from __future__ import annotations

import asyncio

from nlu.embedded import INLINE_PARSE_CHARS, EmbeddedNlu


async def test_the_event_loop_runs_while_a_long_text_is_parsed(nlu_engine: EmbeddedNlu) -> None:
    long_text = "តើថ្លៃសេវាប៉ុន្មាន how much is the fee " * 110  # about 4,000 characters
    assert len(long_text) > INLINE_PARSE_CHARS
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    result = await nlu_engine.parse(long_text)
    during = ticks - before
    task.cancel()
    assert result.intent.name == nlu_engine.parse_sync(long_text).intent.name
    assert during > 1, "the loop was blocked for the whole parse"


async def test_a_short_text_is_parsed_inline_with_the_same_result(nlu_engine: EmbeddedNlu) -> None:
    result = await nlu_engine.parse("how much is the fee?")
    assert result == nlu_engine.parse_sync("how much is the fee?")
