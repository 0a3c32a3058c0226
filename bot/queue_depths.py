"""How much work is waiting, per channel: read by ``/metrics`` (``cets_inbox_depth``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogue.models import InboundEventRecord


async def pending_events(engine: AsyncEngine) -> dict[str, int]:
    """Inbox events not processed yet, per channel (channels with none are left out)."""
    query = (
        select(InboundEventRecord.channel, func.count())
        .where(InboundEventRecord.status == "pending")
        .group_by(InboundEventRecord.channel)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {str(channel): int(count) for channel, count in rows}
