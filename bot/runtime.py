"""Build and close the bot's long-lived resources: database, NLU, knowledge base, core, inbox,
deliveries."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backend_client import RegistryBackend, open_backend
from bot.applications.service import SellerNotifications
from bot.backend_outbox import BackendOutbox
from bot.complaints import guard as complaint_guard
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.delivery import Deliveries, DeliveryStore
from bot.dialogue.store import ConversationStore
from bot.env import env_positive_int
from bot.handoff import service as handoff
from bot.inbox import MAX_ATTEMPTS, InboundEvent, Inbox, InboxWorker
from bot.metrics import metered_backend
from bot.retry import RetryPolicy
from bot.settings import Settings
from bot.warm_up import warm_up
from kb import KnowledgeBase, load_knowledge_base
from nlu import NluEngine
from nlu.embedded import CLARIFY_THRESHOLD
from nlu.factory import open_nlu_engine

if TYPE_CHECKING:
    from bot.channels.base import Channel

# Events processed at once (across users; each user's one at a time).
DEFAULT_CONCURRENCY = 16


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
    deliveries: Deliveries
    inbox_policy: RetryPolicy
    backend_outbox: BackendOutbox
    seller: SellerNotifications

    def inbox_worker(self, channel: Channel) -> InboxWorker:
        """The worker that processes a channel's inbox events, retrying and apologising.

        After each event the user's held deliveries (Messenger) go out, after its replies.
        """
        return InboxWorker(
            self.inbox,
            channel,
            policy=self.inbox_policy,
            concurrency=env_positive_int("CETS_INBOX_CONCURRENCY", DEFAULT_CONCURRENCY),
            on_failure=self.deliveries.apologise,
            after_event=self._release_held if channel.holds_deliveries else None,
        )

    async def _release_held(self, event: InboundEvent) -> None:
        await self.deliveries.release_held(event.channel, event.user_id)

    async def ping(self) -> None:
        """Check that the database answers (raises when it does not)."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def start_background(self) -> None:
        """Start the workers that run without a user turn (submissions waiting for the
        registry)."""
        self.backend_outbox.start()
        self.seller.start()

    async def close(self) -> None:
        """Release the NLU engine, the registry backend and the database connections."""
        await self.seller.stop()
        await self.backend_outbox.stop()
        await self.deliveries.stop()
        await self.deliveries.store.close()
        await self.inbox.close()
        await self.core.close()
        await self.nlu.close()
        await self.backend.close()
        await self.engine.dispose()


async def start_runtime(settings: Settings) -> BotRuntime:
    """Open the database (creating tables), the NLU engine and the knowledge base."""
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    kb = load_knowledge_base()
    nlu = await open_nlu_engine(settings.nlu_url)
    # Models and locale data loaded on first use would stall the first user's turn.
    await asyncio.to_thread(warm_up)
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
    deliveries = Deliveries(
        DeliveryStore(engine),
        locale_of=core.saved_locale,
        policy=RetryPolicy.from_env(
            "CETS_DELIVERY", attempts=12, base_seconds=2.0, max_seconds=1800.0
        ),
    )
    backend_outbox = BackendOutbox(engine, backend, core.intake, deliver=deliveries.deliver)
    core.services["deliveries"] = deliveries
    core.services["backend_outbox"] = backend_outbox
    complaint_guard.install(core.services, engine)
    handoff.install(core.services, engine, core.clock).deliver = deliveries.deliver
    seller = SellerNotifications(engine, backend, deliveries.deliver, clock=core.clock)
    seller.attach(core)
    return BotRuntime(
        settings=settings,
        engine=engine,
        nlu=nlu,
        kb=kb,
        backend=backend,
        core=core,
        inbox=Inbox(engine),
        deliveries=deliveries,
        inbox_policy=RetryPolicy.from_env(
            "CETS_INBOX", attempts=MAX_ATTEMPTS, base_seconds=2.0, max_seconds=60.0
        ),
        backend_outbox=backend_outbox,
        seller=seller,
    )
