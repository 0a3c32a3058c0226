"""Build and close the bot's long-lived resources: database, NLU, knowledge base, core."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backend_client import RegistryBackend, open_backend
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.inbox import Inbox
from bot.metrics import metered_backend
from bot.settings import Settings
from kb import KnowledgeBase, load_knowledge_base
from nlu import NluEngine
from nlu.embedded import CLARIFY_THRESHOLD
from nlu.factory import open_nlu_engine


@dataclass(slots=True)
class BotRuntime:
    """Everything a channel needs to run the conversation core."""

    settings: Settings
    engine: AsyncEngine
    nlu: NluEngine
    kb: KnowledgeBase
    backend: RegistryBackend
    core: ConversationCore
    inbox: Inbox

    async def ping(self) -> None:
        """Check that the database answers (raises when it does not)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Release the NLU engine, the registry backend and the database connections."""
        await self.nlu.close()
        await self.backend.close()
        await self.engine.dispose()


async def start_runtime(settings: Settings) -> BotRuntime:
    """Open the database (creating tables), the NLU engine and the knowledge base."""
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    kb = load_knowledge_base()
    nlu = await open_nlu_engine(settings.nlu_url)
    backend = metered_backend(
        await open_backend(
            backend_url=settings.backend_url,
            database_url=settings.database_url,
            bot_token=settings.backend_token,
        )
    )
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=nlu,
        kb=kb,
        settings=settings,
        backend=backend,
        clarify_threshold=CLARIFY_THRESHOLD,
    )
    return BotRuntime(
        settings=settings,
        engine=engine,
        nlu=nlu,
        kb=kb,
        backend=backend,
        core=core,
        inbox=Inbox(engine),
    )
