"""Build and close the bot's long-lived resources: database, NLU, knowledge base, core, inbox,
deliveries; with several workers (PostgreSQL) also the leased inbox, the leader lease, the
LISTEN connection and Redis (docs/workers.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backend_client import RegistryBackend, open_backend
from bot.applications.service import SellerNotifications
from bot.backend_outbox import BackendOutbox
from bot.complaints import guard as complaint_guard
from bot.core import ConversationCore
from bot.database import ensure_schema, open_engine
from bot.delivery import Deliveries, DeliveryStore
from bot.dialogue.store import ConversationStore
from bot.env import env_positive_int
from bot.handoff import service as handoff
from bot.inbox import MAX_ATTEMPTS, InboundEvent, Inbox, InboxWorker
from bot.leases import LeaderLease, process_identity
from bot.metrics import metered_backend
from bot.retry import RetryPolicy
from bot.send_budget import SendBudget, open_redis, send_budget
from bot.settings import Settings
from bot.warm_up import warm_up
from bot.workers.config import WorkerConfig
from bot.workers.leased_inbox import NOTIFY_CHANNEL, LeasedInbox
from bot.workers.leased_worker import ClaimingInboxWorker
from bot.workers.wakeups import PgWakeups
from kb import KnowledgeBase, load_knowledge_base
from nlu import NluEngine
from nlu.embedded import CLARIFY_THRESHOLD
from nlu.factory import open_nlu_engine
from registry.database import create_engine

if TYPE_CHECKING:
    from redis.asyncio import Redis

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
    workers: WorkerConfig = field(default_factory=WorkerConfig)
    # With several workers: the lease for singleton duties (webhook registration, polling).
    leader: LeaderLease | None = None
    wakeups: PgWakeups | None = None
    redis: Redis | None = None
    _singletons: list[asyncio.Task[None]] = field(default_factory=list)

    def run_as_leader(self, name: str, duty: Callable[[], Awaitable[None]]) -> None:
        """Run ``duty`` in exactly one process: the leader lease's holder with several
        workers (started again on the next holder if this one dies), else in this process.

        For singleton work such as consuming the registry's status feed; the duty should be
        idempotent, as a holder that stalls past its lease may overlap its successor briefly.
        """
        if self.leader is not None:
            self.leader.on_duty(name, duty)
            return

        async def run() -> None:
            await duty()

        self._singletons.append(asyncio.create_task(run(), name=f"singleton-{name}"))

    async def _seller_duty(self) -> None:
        self.seller.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.seller.stop()

    def send_budget(self, platform: str, token: str, rate: float) -> SendBudget:
        """The send budget of one bot token or Page (shared through Redis when configured)."""
        return send_budget(self.redis, platform, token, rate)

    def inbox_worker(self, channel: Channel) -> InboxWorker:
        """The worker that processes a channel's inbox events, retrying and apologising.

        After each event the user's held deliveries (Messenger) go out, after its replies.
        With several workers it claims events from the shared inbox instead.
        """
        concurrency = env_positive_int("CETS_INBOX_CONCURRENCY", DEFAULT_CONCURRENCY)
        if isinstance(self.inbox, LeasedInbox):
            return ClaimingInboxWorker(
                self.inbox,
                channel,
                policy=self.inbox_policy,
                concurrency=concurrency,
                on_failure=self.deliveries.apologise,
                after_event=self._release_held if channel.holds_deliveries else None,
                poll_seconds=self.workers.poll_seconds,
                wakeups=self.wakeups,
            )
        return InboxWorker(
            self.inbox,
            channel,
            policy=self.inbox_policy,
            concurrency=concurrency,
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
        # The registry's status feed and the scheduled notices: on the leader only with several
        # workers (they keep their own lease too, so a brief overlap during a change of leader
        # is harmless); started here at once on a single process.
        if self.leader is None:
            self.seller.start()
        else:
            self.run_as_leader("seller", self._seller_duty)
        if self.wakeups is not None:
            self.wakeups.start()
        if self.leader is not None:
            self.leader.launch()

    async def close(self) -> None:
        """Release the NLU engine, the registry backend and the database connections."""
        for task in self._singletons:
            task.cancel()
        await asyncio.gather(*self._singletons, return_exceptions=True)
        await self.seller.stop()
        if self.leader is not None:
            await self.leader.stop()
        if self.wakeups is not None:
            await self.wakeups.stop()
        if self.redis is not None:
            await self.redis.aclose()
        await self.backend_outbox.stop()
        await self.deliveries.stop()
        await self.deliveries.store.close()
        await self.inbox.close()
        await self.core.close()
        await self.nlu.close()
        await self.backend.close()
        await self.engine.dispose()


async def start_runtime(settings: Settings) -> BotRuntime:
    """Open the database (checked to be migrated), the NLU engine and the knowledge base."""
    workers = WorkerConfig.from_env(settings.database_url)
    identity = process_identity() if workers.claims else None
    await ensure_schema(settings.database_url)
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
        DeliveryStore(engine, owner=identity),
        locale_of=core.saved_locale,
        policy=RetryPolicy.from_env(
            "CETS_DELIVERY", attempts=12, base_seconds=2.0, max_seconds=1800.0
        ),
    )
    backend_outbox = BackendOutbox(engine, backend, core.intake, deliver=deliveries.deliver)
    core.services["deliveries"] = deliveries
    inbox: Inbox = Inbox(engine)
    leader: LeaderLease | None = None
    wakeups: PgWakeups | None = None
    if identity is not None:
        # Claims and lease renewals on connections of their own: a busy worker whose turns
        # hold every pooled connection must still renew in time.
        lease_engine = create_engine(settings.database_url, pool_size=2, max_overflow=2)
        inbox = LeasedInbox(
            engine,
            owner=identity,
            lease=timedelta(seconds=workers.lease_seconds),
            notify=workers.notify,
            lease_engine=lease_engine,
        )
        leader = LeaderLease(lease_engine, "platform", holder=identity, ttl=workers.leader_seconds)
        if workers.notify:
            wakeups = PgWakeups(settings.database_url, NOTIFY_CHANNEL)
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
        inbox=inbox,
        deliveries=deliveries,
        inbox_policy=RetryPolicy.from_env(
            "CETS_INBOX", attempts=MAX_ATTEMPTS, base_seconds=2.0, max_seconds=60.0
        ),
        backend_outbox=backend_outbox,
        seller=seller,
        workers=workers,
        leader=leader,
        wakeups=wakeups,
        redis=open_redis(workers.redis_url) if workers.redis_url else None,
    )
