"""A turn's outcome is stored with the dialogue state or not at all: a save is a compare-and-swap
on ``version`` (a lost update is detected, not overwritten), and the inbox event's status and
replies are committed in the same transaction as the state."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import open_engine, prepare_database
from bot.dialogue.state import FlowState
from bot.dialogue.store import ConversationStore, StaleStateError
from bot.inbox import EventAlreadyHandled, Inbox, TurnCommit
from bot.messages import TextReply
from bot.retry import utc_now
from bot.settings import Settings


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    yield engine
    await engine.dispose()


async def test_a_save_over_a_newer_state_is_refused_and_the_newer_answers_kept(
    engine: AsyncEngine,
) -> None:
    store = ConversationStore(engine)
    first = await store.load("test", "u")
    first.open_flow(FlowState.new("elig", "cat", utc_now()))
    await store.save(first)

    mine, theirs = await store.load("test", "u"), await store.load("test", "u")
    theirs.flows["elig"].answers["cat"] = "individual"
    await store.save(theirs)
    mine.flows["elig"].answers["cat"] = "legal_person"
    with pytest.raises(StaleStateError):
        await store.save(mine)

    saved = await store.load("test", "u")
    assert saved.flows["elig"].answers == {"cat": "individual"}
    assert saved.version == 2
    await store.close()


async def test_a_stale_save_stores_nothing_of_the_turn_on_the_event(engine: AsyncEngine) -> None:
    store, inbox = ConversationStore(engine), Inbox(engine)
    await store.save(await store.load("test", "u"))
    event = await inbox.accept("test", "e1", "u", {"text": "hi"})
    assert event is not None

    stale = await store.load("test", "u")
    await store.save(await store.load("test", "u"))  # another writer got there first
    commit = TurnCommit(inbox, event)
    with pytest.raises(StaleStateError):
        await store.save(stale, lambda session: commit(session, [TextReply("lost")]))

    stored = await inbox.get(event.id)
    assert stored is not None and (stored.status, stored.replies) == ("pending", None)
    assert not commit.committed
    await store.close()
    await inbox.close()


async def test_an_event_committed_already_rolls_back_the_state_saved_with_it(
    engine: AsyncEngine,
) -> None:
    store, inbox = ConversationStore(engine), Inbox(engine)
    event = await inbox.accept("test", "e1", "u", {"text": "hi"})
    assert event is not None
    first = TurnCommit(inbox, event)
    await store.save(await store.load("test", "u"), lambda s: first(s, [TextReply("first")]))

    again = await store.load("test", "u")
    again.open_flow(FlowState.new("elig", "cat", utc_now()))
    second = TurnCommit(inbox, event)  # a second worker that ran the same event's turn
    with pytest.raises(EventAlreadyHandled):
        await store.save(again, lambda s: second(s, [TextReply("second")]))

    saved = await store.load("test", "u")
    assert saved.version == 1 and saved.flows == {}  # the second turn's state is not kept
    stored = await inbox.get(event.id)
    assert stored is not None and stored.status == "replying"
    assert stored.replies == [{"$type": "TextReply", "text": "first", "buttons": []}]
    await store.close()
    await inbox.close()
