"""The deliveries table: messages no turn asked for, with their state, attempts and errors.

With several worker processes (``owner`` set) a delivery is claimed for ``claim_for``: the
worker records each platform message before it goes out (:meth:`DeliveryStore.sending`), every
change is fenced on the claim, and a delivery left "sending" by a worker that died is due again
once its claim runs out (the sweep is part of :meth:`DeliveryStore.due`). Only each user's
oldest due delivery is due, so two workers never send one user's deliveries at once or out of
order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session, aliased

from bot.channels.base import Sent
from bot.database import NO_SYNC, Transactions
from bot.dialogue.models import DeliveryRecord
from bot.messages import Reply
from bot.reply_codec import decode_replies, encode_replies
from bot.retry import as_utc, utc_now

log = logging.getLogger(__name__)

QUEUED: Final = "queued"
SENDING: Final = "sending"
HELD: Final = "held"
SENT: Final = "sent"
FAILED: Final = "failed"
_ERROR_LIMIT: Final = 2000
CLAIM_FOR: Final = timedelta(minutes=2)


class ClaimLost(RuntimeError):
    """Another worker took the delivery over (this worker's claim ran out): stop sending."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One stored delivery."""

    id: int
    channel: str
    user_id: str
    kind: str
    replies: list[Reply]
    status: str
    attempts: int
    sent: int
    method: str | None
    last_error: str | None
    dedupe_key: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


def _delivery(record: DeliveryRecord) -> Delivery:
    return Delivery(
        id=record.id,
        channel=record.channel,
        user_id=record.user_id,
        kind=record.kind,
        replies=decode_replies(record.replies),
        status=record.status,
        attempts=record.attempts,
        sent=record.sent,
        method=record.method,
        last_error=record.last_error,
        dedupe_key=record.dedupe_key,
        created_at=as_utc(record.created_at) or record.created_at,
        next_attempt_at=as_utc(record.next_attempt_at),
        sent_at=as_utc(record.sent_at),
    )


class DeliveryStore:
    """Reads and changes deliveries; every change of status is a compare-and-set."""

    def __init__(
        self, engine: AsyncEngine, *, owner: str | None = None, claim_for: timedelta = CLAIM_FOR
    ) -> None:
        self._tx = Transactions(engine)
        self.owner = owner
        self.claim_for = claim_for

    @property
    def shared(self) -> bool:
        """True when several workers share the table (claims with an owner and an expiry)."""
        return self.owner is not None

    async def close(self) -> None:
        """Release the store's own connections."""
        await self._tx.close()

    async def by_key(self, dedupe_key: str) -> int | None:
        """The delivery stored under this dedupe key, if any."""

        def read(session: Session) -> int | None:
            return session.scalar(
                select(DeliveryRecord.id).where(DeliveryRecord.dedupe_key == dedupe_key)
            )

        return await self._tx.read(read)

    async def add(
        self,
        channel: str,
        user_id: str,
        replies: Sequence[Reply],
        *,
        kind: str,
        dedupe_key: str | None,
        now: datetime,
    ) -> int:
        """Store a queued delivery; with a dedupe key already used, the existing one's id."""
        encoded = encode_replies(replies)

        def insert(session: Session) -> int:
            record = DeliveryRecord(
                channel=channel,
                user_id=user_id,
                dedupe_key=dedupe_key,
                kind=kind,
                replies=encoded,
                status=QUEUED,
                attempts=0,
                sent=0,
                created_at=now,
            )
            session.add(record)
            session.flush()
            return record.id

        try:
            return await self._tx.write(insert)
        except IntegrityError:
            if dedupe_key is None:
                raise
            existing = await self.by_key(dedupe_key)
            if existing is None:
                raise
            return existing

    async def get(self, delivery_id: int) -> Delivery | None:
        """One delivery as stored now."""

        def read(session: Session) -> Delivery | None:
            record = session.get(DeliveryRecord, delivery_id)
            return _delivery(record) if record is not None else None

        return await self._tx.read(read)

    async def due(self, channels: Sequence[str], now: datetime, limit: int = 100) -> list[Delivery]:
        """Queued deliveries whose time has come, for these channels, oldest first.

        Shared by several workers: also those whose worker's claim ran out, and only each
        user's oldest (none while another of the user's is being sent).
        """
        conditions: list[ColumnElement[bool]] = [
            DeliveryRecord.channel.in_(list(channels)),
            _due(DeliveryRecord, now, self.shared),
        ]
        if self.shared:
            earlier = aliased(DeliveryRecord)
            conditions.append(
                ~exists().where(
                    earlier.channel == DeliveryRecord.channel,
                    earlier.user_id == DeliveryRecord.user_id,
                    earlier.id < DeliveryRecord.id,
                    or_(
                        _due(earlier, now, shared=True),
                        and_(earlier.status == SENDING, earlier.claimed_until >= now),
                    ),
                )
            )

        def read(session: Session) -> list[Delivery]:
            rows = session.scalars(
                select(DeliveryRecord).where(*conditions).order_by(DeliveryRecord.id).limit(limit)
            )
            return [_delivery(row) for row in rows]

        return await self._tx.read(read)

    async def next_due(self, channels: Sequence[str]) -> datetime | None:
        """When the earliest queued delivery that waits for a retry is due."""

        def read(session: Session) -> datetime | None:
            return session.scalar(
                select(func.min(DeliveryRecord.next_attempt_at)).where(
                    DeliveryRecord.status == QUEUED,
                    DeliveryRecord.channel.in_(list(channels)),
                )
            )

        return as_utc(await self._tx.read(read))

    async def for_user(self, channel: str, user_id: str, statuses: Sequence[str]) -> list[Delivery]:
        """A user's deliveries in these states, oldest first."""

        def read(session: Session) -> list[Delivery]:
            rows = session.scalars(
                select(DeliveryRecord)
                .where(
                    DeliveryRecord.channel == channel,
                    DeliveryRecord.user_id == user_id,
                    DeliveryRecord.status.in_(list(statuses)),
                )
                .order_by(DeliveryRecord.id)
            )
            return [_delivery(row) for row in rows]

        return await self._tx.read(read)

    async def claim(self, delivery: Delivery, now: datetime | None = None) -> bool:
        """Take a queued or held delivery for sending; False when someone else has it.

        Shared: also one whose worker's claim ran out; claimed by this worker for a while.
        """
        if not self.shared:
            return await self._change(delivery.id, (QUEUED, HELD), status=SENDING)
        now = now or utc_now()

        def change(session: Session) -> bool:
            result = session.execute(
                update(DeliveryRecord)
                .where(
                    DeliveryRecord.id == delivery.id,
                    or_(
                        DeliveryRecord.status.in_((QUEUED, HELD)),
                        and_(
                            DeliveryRecord.status == SENDING,
                            DeliveryRecord.claimed_until < now,
                        ),
                    ),
                )
                .values(status=SENDING, claimed_by=self.owner, claimed_until=now + self.claim_for),
                execution_options=NO_SYNC,
            )
            claimed: bool = result.rowcount == 1  # type: ignore[attr-defined]
            return claimed

        return await self._tx.write(change)

    async def sending(self, delivery: Delivery, count: int, now: datetime | None = None) -> None:
        """Shared: record, before it goes out, that ``count`` messages will have been sent.

        Raises :class:`ClaimLost` when another worker has the delivery now.
        """
        if not self.shared:
            return
        now = now or utc_now()

        def change(session: Session) -> bool:
            result = session.execute(
                update(DeliveryRecord)
                .where(
                    DeliveryRecord.id == delivery.id,
                    DeliveryRecord.status == SENDING,
                    DeliveryRecord.claimed_by == self.owner,
                )
                .values(sent=count, claimed_until=now + self.claim_for),
                execution_options=NO_SYNC,
            )
            changed: bool = result.rowcount == 1  # type: ignore[attr-defined]
            return changed

        if not await self._tx.write(change):
            raise ClaimLost(f"delivery {delivery.id} is not this worker's any more")

    async def release_interrupted(self, now: datetime | None = None) -> int:
        """Deliveries left 'sending' by a process that stopped go back to the queue.

        Shared by several workers: only those whose claim ran out (the others' are live).
        """
        condition: ColumnElement[bool] = DeliveryRecord.status == SENDING
        if self.shared:
            condition = and_(
                condition,
                or_(
                    DeliveryRecord.claimed_until.is_(None),
                    DeliveryRecord.claimed_until < (now or utc_now()),
                ),
            )

        def change(session: Session) -> int:
            result = session.execute(
                update(DeliveryRecord).where(condition).values(status=QUEUED),
                execution_options=NO_SYNC,
            )
            count: int = result.rowcount  # type: ignore[attr-defined]
            return count

        return await self._tx.write(change)

    async def sent(self, delivery: Delivery, how: Sent, count: int, now: datetime) -> None:
        """Record a delivery that went out (or, ``how`` HELD, waits for the user's next message)."""
        if how is Sent.HELD:
            await self._change(delivery.id, (SENDING,), status=HELD, sent=count)
            return
        await self._change(
            delivery.id,
            (SENDING, QUEUED, HELD),
            status=SENT,
            sent=count,
            method=how.value,
            sent_at=now,
            attempts=delivery.attempts + 1,
            next_attempt_at=None,
        )

    async def retry(self, delivery: Delivery, error: str, count: int, at: datetime) -> None:
        """Record a failed attempt, to be tried again ``at``."""
        await self._change(
            delivery.id,
            (SENDING,),
            status=QUEUED,
            sent=count,
            attempts=delivery.attempts + 1,
            last_error=error[:_ERROR_LIMIT],
            next_attempt_at=at,
        )

    async def failed(self, delivery: Delivery, error: str, count: int) -> None:
        """Record that the delivery failed for good."""
        await self._change(
            delivery.id,
            (SENDING, QUEUED, HELD),
            status=FAILED,
            sent=count,
            attempts=delivery.attempts + 1,
            last_error=error[:_ERROR_LIMIT],
            next_attempt_at=None,
        )

    async def _change(self, delivery_id: int, expected: Sequence[str], **values: Any) -> bool:
        fence: list[ColumnElement[bool]] = []
        if self.shared and values.get("status") != SENDING:
            # Only the worker holding the claim ends an attempt; the claim ends with it.
            fence.append(
                or_(DeliveryRecord.status != SENDING, DeliveryRecord.claimed_by == self.owner)
            )
            values.setdefault("claimed_until", None)

        def change(session: Session) -> bool:
            result = session.execute(
                update(DeliveryRecord)
                .where(
                    DeliveryRecord.id == delivery_id,
                    DeliveryRecord.status.in_(list(expected)),
                    *fence,
                )
                .values(**values),
                execution_options=NO_SYNC,
            )
            changed: bool = result.rowcount == 1  # type: ignore[attr-defined]
            return changed

        return await self._tx.write(change)


def _due(table: type[DeliveryRecord], now: datetime, shared: bool) -> ColumnElement[bool]:
    """Queued and its time has come; shared: or left sending by a worker whose claim ran out."""
    queued = and_(
        table.status == QUEUED,
        or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
    )
    if not shared:
        return queued
    return or_(queued, and_(table.status == SENDING, table.claimed_until < now))
