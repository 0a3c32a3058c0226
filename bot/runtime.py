"""Build and close the bot's long-lived resources: database, NLU, knowledge base, core."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
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
    core: ConversationCore

    async def close(self) -> None:
        """Release the NLU engine and the database connections."""
        await self.nlu.close()
        await self.engine.dispose()


async def start_runtime(settings: Settings) -> BotRuntime:
    """Open the database (creating tables), the NLU engine and the knowledge base."""
    engine = open_engine(settings.database_url)
    await prepare_database(engine)
    kb = load_knowledge_base()
    nlu = await open_nlu_engine(settings.nlu_url)
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=nlu,
        kb=kb,
        settings=settings,
        clarify_threshold=CLARIFY_THRESHOLD,
    )
    return BotRuntime(settings=settings, engine=engine, nlu=nlu, kb=kb, core=core)
