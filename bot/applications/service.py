"""The seller journey's background work, wired into the runtime in one place.

:class:`SellerNotifications` runs the one consumer of the registry's status feed and the sweep
of scheduled notices (renewal and missing-evidence reminders), both delivering through
``deliver`` and both under a database lease, so any number of bot processes may run them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from backend_client import BackendError, RegistryBackend
from bot.applications import decisions
from bot.applications.feed import StatusFeedConsumer
from bot.applications.schedule import SERVICE, NoticeSchedule, NoticeSweeper
from bot.backend_outbox import Deliver
from bot.clock import Clock
from bot.core import ConversationCore

log = logging.getLogger(__name__)

CHANNELS: Final = ("telegram", "messenger", "terminal")
"""The channels whose users the bot tells about decisions (others, e.g. demo data, are not)."""

__all__ = ["CHANNELS", "SellerNotifications", "decisions"]


class SellerNotifications:
    """The status feed consumer and the notice sweeper, started and stopped together."""

    def __init__(
        self,
        engine: AsyncEngine,
        backend: RegistryBackend,
        deliver: Deliver,
        *,
        clock: Clock | None = None,
        channels: Collection[str] | None = CHANNELS,
    ) -> None:
        self.schedule = NoticeSchedule(engine)
        self.feed = StatusFeedConsumer(
            self.schedule, backend, deliver, clock=clock, channels=channels
        )
        self.sweeper = NoticeSweeper(
            self.schedule, backend, deliver, clock=clock, channels=channels
        )

    def attach(self, core: ConversationCore) -> None:
        """Let the wizard schedule its reminders (``turn.services``)."""
        core.services[SERVICE] = self.schedule

    async def catch_up(self) -> None:
        """One round of the feed and of the notices now (the terminal chat, before it opens)."""
        try:
            await self.feed.run_once()
            await self.sweeper.run_once()
        except BackendError:
            log.info("the registry's status feed could not be read; going on without it")

    def start(self) -> None:
        """Follow the feed and sweep the notices in the background."""
        self.feed.start()
        self.sweeper.start()

    async def stop(self) -> None:
        """Stop both, releasing their leases."""
        await self.feed.stop()
        await self.sweeper.stop()
