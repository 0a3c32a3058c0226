"""Fixtures of the seller's journey: a bot core with an injected clock on a real SQLite file,
the registry's officer side on the same database, and the knowledge base."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from backend_client import OfficerBackend, RegistryBackend, open_backend, open_officer_backend
from bot.clock import ManualClock
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.settings import Settings
from kb import KnowledgeBase
from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu

OpenCore = Callable[[], Awaitable[ConversationCore]]


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock, moved by the tests (reminders, windows)."""
    return ManualClock(datetime.now(UTC))


@pytest.fixture
async def backend(settings: Settings) -> AsyncIterator[RegistryBackend]:
    """The bot's registry on the test database."""
    await prepare_database(settings.database_url)
    found = await open_backend(backend_url=None, database_url=settings.database_url, bot_token=None)
    yield found
    await found.close()


@pytest.fixture
async def officer(settings: Settings, backend: RegistryBackend) -> AsyncIterator[OfficerBackend]:
    """The officers' registry on the same database."""
    found = await open_officer_backend(
        backend_url=None, database_url=settings.database_url, officer_token=None
    )
    yield found
    await found.close()


@pytest.fixture
async def open_core(
    settings: Settings,
    nlu_engine: EmbeddedNlu,
    knowledge_base: KnowledgeBase,
    backend: RegistryBackend,
    clock: ManualClock,
) -> AsyncIterator[OpenCore]:
    """Opens a conversation core on the test database; each call is a new "process"."""
    engines = []

    async def open_one() -> ConversationCore:
        engine = open_engine(settings.database_url)
        engines.append(engine)
        return ConversationCore(
            store=ConversationStore(engine),
            nlu=nlu_engine,
            kb=knowledge_base,
            settings=settings,
            backend=backend,
            clarify_threshold=CLARIFY_THRESHOLD,
            clock=clock,
        )

    yield open_one
    for engine in engines:
        await engine.dispose()
