"""Fixtures of the core tests: a core on an HTTP registry (the bot's real client)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend_client.http_client import HttpRegistryBackend
from backend_client.transport import RetryPolicy
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.settings import Settings
from kb import KnowledgeBase
from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu
from tests.backend.support import BOT_TOKEN
from tests.core.shops import CoreOn


@pytest.fixture
async def core_on(
    settings: Settings, nlu_engine: EmbeddedNlu, knowledge_base: KnowledgeBase
) -> AsyncIterator[CoreOn]:
    """Make a core whose registry is the HTTP server at a URL (the bot's real HTTP client)."""
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    backends: list[HttpRegistryBackend] = []

    async def make(url: str) -> ConversationCore:
        backend = HttpRegistryBackend(
            url, BOT_TOKEN, retry=RetryPolicy(attempts=2, first_delay=0.05)
        )
        backends.append(backend)
        return ConversationCore(
            store=ConversationStore(engine),
            nlu=nlu_engine,
            kb=knowledge_base,
            settings=settings,
            backend=backend,
            clarify_threshold=CLARIFY_THRESHOLD,
        )

    yield make
    for backend in backends:
        await backend.close()
    await engine.dispose()
