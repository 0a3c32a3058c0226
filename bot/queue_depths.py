"""How much work is waiting, per channel: read by ``/metrics``.

``cets_inbox_depth``: inbox events not finished (waiting for their turn, or with their replies
stored but not all sent yet). ``cets_outbox_depth``: messages no turn asked for (notifications,
officers' replies, apologies) not sent yet (queued, being sent, or held for the user's next
message on Messenger).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogue.models import DeliveryRecord, InboundEventRecord

_EVENTS_WAITING: Final = ("pending", "replying")
_DELIVERIES_WAITING: Final = ("queued", "sending", "held")


async def _count_by_channel(
    engine: AsyncEngine,
    table: type[InboundEventRecord] | type[DeliveryRecord],
    statuses: Collection[str],
) -> dict[str, int]:
    query = (
        select(table.channel, func.count())
        .where(table.status.in_(statuses))
        .group_by(table.channel)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {str(channel): int(count) for channel, count in rows}


async def pending_events(engine: AsyncEngine) -> dict[str, int]:
    """Inbox events not finished, per channel (channels with none are left out)."""
    return await _count_by_channel(engine, InboundEventRecord, _EVENTS_WAITING)


async def unsent_deliveries(engine: AsyncEngine) -> dict[str, int]:
    """Deliveries not sent (nor failed for good) yet, per channel."""
    return await _count_by_channel(engine, DeliveryRecord, _DELIVERIES_WAITING)
