"""Status histories of records and the feed of status changes the bot turns into notifications."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.models import Owner, StatusChange, StatusChangePage, SubjectType
from registry.models import StatusChangeRecord

MAX_PAGE = 500
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def to_status_change(row: StatusChangeRecord) -> StatusChange:
    """The public form of a stored status change."""
    owner = (
        Owner(row.owner_channel, row.owner_user_id)
        if row.owner_channel is not None and row.owner_user_id is not None
        else None
    )
    return StatusChange(
        change_id=row.id,
        subject_type=SubjectType(row.subject_type),
        subject_id=row.subject_id,
        owner=owner,
        old_status=row.old_status,
        new_status=row.new_status,
        note=row.note,
        actor=row.actor,
        at=row.at,
    )


async def history_for(
    session: AsyncSession, subject_type: SubjectType, subject_ids: Sequence[str]
) -> dict[str, tuple[StatusChange, ...]]:
    """Status changes of each record, oldest first."""
    history: dict[str, list[StatusChange]] = {s: [] for s in subject_ids}
    if subject_ids:
        rows = await session.execute(
            select(StatusChangeRecord)
            .where(
                StatusChangeRecord.subject_type == subject_type.value,
                StatusChangeRecord.subject_id.in_(subject_ids),
            )
            .order_by(StatusChangeRecord.id)
        )
        for row in rows.scalars():
            history[row.subject_id].append(to_status_change(row))
    return {k: tuple(v) for k, v in history.items()}


async def changes_since(session: AsyncSession, cursor: int, *, limit: int) -> StatusChangePage:
    """Changes with an id above ``cursor``, oldest first, and the cursor to continue from."""
    limit = max(1, min(limit, MAX_PAGE))
    cursor = min(max(cursor, 0), MAX_ID)
    rows = await session.execute(
        select(StatusChangeRecord)
        .where(StatusChangeRecord.id > cursor)
        .order_by(StatusChangeRecord.id)
        .limit(limit)
    )
    changes = tuple(to_status_change(r) for r in rows.scalars())
    return StatusChangePage(changes=changes, cursor=changes[-1].change_id if changes else cursor)
