"""The durable inbox: accept webhook events fast, process each user's in order, retry safely.

A channel's webhook stores each event here before answering 200; a repeated delivery of the
same event id is recognised and dropped. The worker then processes each user's events one at a
time, in arrival order — the bot's one per-user ordering mechanism.

A turn's outcome is committed with the dialogue state: the core calls the event's
:class:`TurnCommit` inside the transaction that saves the state, which stores the rendered
replies on the event (status ``replying``). Sending comes after; the number of platform
messages that went out is recorded when sending stops. A retry therefore re-sends what is
missing and never runs the turn again. Failures wait (``next_attempt_at``, doubling); after
the last attempt the event is marked failed with its reason, the user is sent an apology
through the deliveries, and the user's later events go on.

Every state change is a compare-and-set on the row's status, so that several worker processes
can never both commit one event's turn; with several processes the events are also claimed
with leases, and every change is fenced on the lease (:mod:`bot.workers.leased_inbox`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from sqlalchemy import ColumnElement, Table, Update, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from bot import metrics
from bot.channels.base import SendFailed, SendResult
from bot.database import Transactions
from bot.dialogue.models import ConversationRecord, InboundEventRecord
from bot.lifecycle import LIFECYCLE
from bot.messages import Reply
from bot.reply_codec import decode_replies, encode_replies
from bot.retry import RetryPolicy, as_utc, seconds_until, utc_now

if TYPE_CHECKING:
    from bot.channels.base import Channel

log = logging.getLogger(__name__)

PENDING: Final = "pending"
REPLYING: Final = "replying"
DONE: Final = "done"
FAILED: Final = "failed"
UNFINISHED: Final = (PENDING, REPLYING)
MAX_ATTEMPTS: Final = 3
_ERROR_LIMIT: Final = 2000

Clock = Callable[[], datetime]
CommitHook = Callable[[Session, Sequence[Reply]], None]
"""What the core runs inside the transaction that saves a turn (``bot.core.CommitHook``)."""
T = TypeVar("T")

_EVENTS: Final = cast(Table, InboundEventRecord.__table__)
# Built once: a message binds its values instead of building (and cache-keying) statements.
_INSERT: Final = insert(_EVENTS).returning(_EVENTS.c.id)
_MERGED: Final = (
    update(_EVENTS)
    .where(_EVENTS.c.id.in_(bindparam("k_ids", expanding=True)), _EVENTS.c.status == PENDING)
    .values(status=DONE, processed_at=bindparam("processed_at"), last_error=None)
)


class EventAlreadyHandled(RuntimeError):
    """Another worker committed this event's turn first; the transaction is rolled back."""


class LeaseLost(RuntimeError):
    """This worker's lease on the event ran out and another worker may have it: stop."""


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """An accepted event as stored, with how far its processing got."""

    id: int
    channel: str
    event_id: str
    user_id: str
    body: dict[str, Any]
    attempts: int = 0
    status: str = PENDING
    replies: list[Any] | None = None
    sent: int = 0
    next_attempt_at: datetime | None = None
    group_key: str | None = None
    received_at: datetime | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None

    @property
    def finished(self) -> bool:
        """True once the event is done or failed for good."""
        return self.status not in UNFINISHED


def _event(record: InboundEventRecord) -> InboundEvent:
    return InboundEvent(
        id=record.id,
        channel=record.channel,
        event_id=record.event_id,
        user_id=record.user_id,
        body=dict(record.body),
        attempts=record.attempts,
        status=record.status,
        replies=list(record.replies) if record.replies is not None else None,
        sent=record.sent or 0,
        next_attempt_at=as_utc(record.next_attempt_at),
        group_key=record.group_key,
        received_at=as_utc(record.received_at),
        lease_owner=record.lease_owner,
        lease_until=as_utc(record.lease_until),
    )


class Inbox:
    """Stores accepted events and their processing state.

    Each operation is one short transaction (:class:`bot.database.Transactions`), so a writer
    holds SQLite's lock for a moment only.
    """

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utc_now) -> None:
        self._tx = Transactions(engine)
        self.clock = clock
        self._updates: dict[frozenset[str], Update] = {}

    async def close(self) -> None:
        """Release the inbox's own connections."""
        await self._tx.close()

    def _owned(self) -> list[ColumnElement[bool]]:
        """Extra conditions on every change of an event (a leased inbox: held by this worker)."""
        return []

    def _released(self) -> dict[str, Any]:
        """Extra values when an attempt ends (a leased inbox: the lease is given back)."""
        return {}

    def _accepted(self, session: Session, channel: str) -> None:
        """Inside the transaction storing a new event (a leased inbox tells other workers)."""

    async def accept(
        self,
        channel: str,
        event_id: str,
        user_id: str,
        body: dict[str, Any],
        *,
        group_key: str | None = None,
    ) -> InboundEvent | None:
        """Store a new event; None when this event id was accepted before (a redelivery)."""
        received = self.clock()
        values = {
            "channel": channel,
            "event_id": event_id,
            "user_id": user_id,
            "body": body,
            "status": PENDING,
            "attempts": 0,
            "sent": 0,
            "group_key": group_key,
            "received_at": received,
        }

        def insert(session: Session) -> InboundEvent:
            stored = session.execute(_INSERT, values).scalar_one()
            self._accepted(session, channel)
            return InboundEvent(
                id=stored,
                channel=channel,
                event_id=event_id,
                user_id=user_id,
                body=dict(body),
                group_key=group_key,
                received_at=received,
            )

        try:
            return await self._tx.write(insert)
        except IntegrityError:
            log.info("duplicate %s event dropped", channel)
            return None

    async def get(self, event_id: int) -> InboundEvent | None:
        """The event as stored now."""

        def read(session: Session) -> InboundEvent | None:
            record = session.get(InboundEventRecord, event_id)
            return _event(record) if record is not None else None

        return await self._tx.read(read)

    async def unfinished(self, channel: str) -> list[InboundEvent]:
        """Events not yet done (pending or replying), oldest first."""

        def read(session: Session) -> list[InboundEvent]:
            rows = session.scalars(
                select(InboundEventRecord)
                .where(
                    InboundEventRecord.channel == channel,
                    InboundEventRecord.status.in_(UNFINISHED),
                )
                .order_by(InboundEventRecord.id)
            )
            return [_event(row) for row in rows]

        return await self._tx.read(read)

    async def pending(self, channel: str) -> list[InboundEvent]:
        """Events whose turn has not run yet, oldest first."""
        return [e for e in await self.unfinished(channel) if e.status == PENDING]

    async def group(self, channel: str, user_id: str, group_key: str) -> list[InboundEvent]:
        """A user's pending events of one group (a Telegram album), oldest first."""

        def read(session: Session) -> list[InboundEvent]:
            rows = session.scalars(
                select(InboundEventRecord)
                .where(
                    InboundEventRecord.channel == channel,
                    InboundEventRecord.user_id == user_id,
                    InboundEventRecord.group_key == group_key,
                    InboundEventRecord.status == PENDING,
                )
                .order_by(InboundEventRecord.id)
            )
            return [_event(row) for row in rows]

        return await self._tx.read(read)

    async def last_contact(self, channel: str, user_id: str) -> datetime | None:
        """When the user last wrote to the bot: their newest accepted event, or the last turn
        of their conversation (``conversations.last_seen_at``), whichever is later."""

        def read(session: Session) -> list[datetime | None]:
            received = session.scalar(
                select(func.max(InboundEventRecord.received_at)).where(
                    InboundEventRecord.channel == channel,
                    InboundEventRecord.user_id == user_id,
                )
            )
            seen = session.scalar(
                select(ConversationRecord.last_seen_at).where(
                    ConversationRecord.channel == channel,
                    ConversationRecord.user_id == user_id,
                )
            )
            return [received, seen]

        known = [as_utc(when) for when in await self._tx.read(read) if when is not None]
        return max((when for when in known if when is not None), default=None)

    @functools.cached_property
    def _record_statement(self) -> Update:
        """Pending to replying, with the replies (built on first use: ``_owned`` may need
        what a subclass sets up after this class's ``__init__``)."""
        return (
            update(_EVENTS)
            .where(_EVENTS.c.id == bindparam("k_id"), _EVENTS.c.status == PENDING, *self._owned())
            .values(status=REPLYING, replies=bindparam("replies"), sent=0)
        )

    def record_turn(
        self,
        session: Session,
        event: InboundEvent,
        replies: Sequence[Reply],
        *,
        merged: Sequence[int] = (),
    ) -> None:
        """Store the turn's replies on the event inside the caller's write transaction.

        Raises :class:`EventAlreadyHandled` when the event's turn was committed already, so
        that the caller's transaction (the dialogue state) is rolled back with it.
        """
        result = session.execute(
            self._record_statement, {"k_id": event.id, "replies": encode_replies(replies)}
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise EventAlreadyHandled(f"event {event.id} was handled already")
        if merged:
            session.execute(_MERGED, {"k_ids": list(merged), "processed_at": self.clock()})

    async def store_replies(
        self, event: InboundEvent, replies: Sequence[Reply], *, merged: Sequence[int] = ()
    ) -> None:
        """Store replies made without a turn of the core (e.g. a file-too-large notice)."""
        await self._tx.write(
            lambda session: self.record_turn(session, event, replies, merged=merged)
        )

    async def finish(self, event: InboundEvent, *, sent: int, note: str | None = None) -> None:
        """Record that the event was processed (``note``: why some replies did not go out).

        The error of an earlier failed attempt, if any, stays in ``last_error``.
        """
        values: dict[str, Any] = {
            "status": DONE,
            "processed_at": self.clock(),
            "attempts": event.attempts + 1,
            "sent": sent,
            "next_attempt_at": None,
        }
        if note:
            values["last_error"] = note[:_ERROR_LIMIT]
        await self._update(event.id, {**values, **self._released()})

    async def fail(
        self, event: InboundEvent, error: str, *, sent: int, retry_at: datetime | None
    ) -> None:
        """Record a failed attempt: to try again at ``retry_at``, or (None) failed for good."""
        values: dict[str, Any] = {
            "attempts": event.attempts + 1,
            "sent": sent,
            "last_error": error[:_ERROR_LIMIT],
            "next_attempt_at": retry_at,
        }
        if retry_at is None:
            values.update(status=FAILED, processed_at=self.clock())
        # The status is left alone on a retry: a turn committed meanwhile stays committed.
        await self._update(event.id, {**values, **self._released()})

    async def _update(self, event_id: int, values: dict[str, Any]) -> None:
        names = frozenset(values)
        statement = self._updates.get(names)
        if statement is None:
            statement = self._updates[names] = (
                update(_EVENTS)
                .where(_EVENTS.c.id == bindparam("k_id"), *self._owned())
                .values({name: bindparam(name) for name in names})
            )
        bound = {"k_id": event_id, **values}
        await self._tx.write(lambda session: session.execute(statement, bound))


@dataclass(slots=True)
class TurnCommit:
    """The core's commit hook for one event: stores the turn's replies with its state.

    A channel may add replies of its own before the turn's (``prefix``, e.g. "this file is too
    large") and name events merged into this one (an album's other photos), marked done in the
    same transaction.
    """

    inbox: Inbox
    event: InboundEvent
    prefix: list[Reply] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)
    committed: bool = False

    def __call__(self, session: Session, replies: Sequence[Reply]) -> None:
        """The CommitHook: run inside the transaction that saves the dialogue state."""
        self.inbox.record_turn(session, self.event, [*self.prefix, *replies], merged=self.merged)
        self.committed = True


FailureHandler = Callable[[InboundEvent, str], Awaitable[None]]
AfterEvent = Callable[[InboundEvent], Awaitable[None]]


class InboxWorker:
    """Processes a channel's accepted events: one at a time per user, in arrival order.

    Users are served concurrently, at most ``concurrency`` events at once. Nothing that goes
    wrong with one event (the turn, sending, even storing its status) ends the user's queue.
    """

    def __init__(
        self,
        inbox: Inbox,
        channel: Channel,
        *,
        policy: RetryPolicy | None = None,
        concurrency: int = 16,
        on_failure: FailureHandler | None = None,
        after_event: AfterEvent | None = None,
    ) -> None:
        self._inbox = inbox
        self._channel = channel
        self._policy = policy or RetryPolicy(attempts=MAX_ATTEMPTS)
        self._slots = asyncio.Semaphore(concurrency)
        self._on_failure = on_failure
        self._after_event = after_event
        self._queues: dict[str, deque[InboundEvent]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        """Resume the events left unfinished by a previous run."""
        for event in await self._inbox.unfinished(self._channel.name):
            self.submit(event)

    def submit(self, event: InboundEvent) -> None:
        """Queue an accepted event behind the same user's earlier events."""
        queue = self._queues.setdefault(event.user_id, deque())
        queue.append(event)
        self._idle.clear()
        if event.user_id not in self._tasks:
            self._tasks[event.user_id] = asyncio.create_task(
                self._drain(event.user_id, queue), name=f"inbox-{self._channel.name}"
            )

    async def _drain(self, user_id: str, queue: deque[InboundEvent]) -> None:
        try:
            while queue:
                await self._run(queue[0])
                queue.popleft()
        finally:
            del self._tasks[user_id]
            del self._queues[user_id]
            if not self._tasks:
                self._idle.set()

    async def _run(self, queued: InboundEvent) -> None:
        """Process one event until it is done or failed for good; never raises (but cancel)."""
        # A freshly queued event is as stored, unless another one may have taken it over (an
        # album's first photo merges the others); after a failed attempt it is read again.
        fresh: InboundEvent | None = queued if queued.group_key is None else None
        while True:
            event = fresh or await self._stored(lambda: self._inbox.get(queued.id), queued, "read")
            fresh = None
            if event is None or not self._mine(event):
                return  # merged into another event, or finished (or held) by another worker
            wait = seconds_until(event.next_attempt_at, self._inbox.clock())
            if wait > 0:
                await asyncio.sleep(wait)
            # Counted as in flight; while the process drains (SIGTERM) the event waits instead.
            async with LIFECYCLE.event(), self._slots:
                if await self._attempt(event):
                    return

    async def _stored(
        self, operation: Callable[[], Awaitable[T]], event: InboundEvent, what: str
    ) -> T:
        """Run a storage operation until it succeeds, waiting longer after each failure.

        What was done before it (a turn, sent messages) is kept in memory meanwhile, so a
        database that is briefly unwell costs time, never a repeated or lost reply.
        """
        troubles = 0
        while True:
            try:
                return await operation()
            except asyncio.CancelledError:
                raise
            except Exception:
                troubles += 1
                delay = self._policy.delay(troubles)
                log.exception(
                    "inbox %s event %s: could not %s; again in %.1fs",
                    self._channel.name,
                    event.id,
                    what,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _attempt(self, event: InboundEvent) -> bool:
        """One attempt; True when the event is finished (done or failed for good)."""
        sent = event.sent
        try:
            if event.replies is None:
                commit = TurnCommit(self._inbox, event)
                replies = await self._channel.handle_event(event, commit)
                if replies is None:
                    await self._stored(lambda: self._inbox.finish(event, sent=0), event, "finish")
                    return True
                if not commit.committed:
                    stored = replies
                    await self._stored(
                        lambda: self._inbox.store_replies(event, stored, merged=commit.merged),
                        event,
                        "store replies",
                    )
                event = replace(event, status=REPLYING)
            else:
                replies = decode_replies(event.replies)
            result = await self._send(event, replies)
            sent = result.sent
        except asyncio.CancelledError:
            raise
        except LeaseLost:
            log.warning(
                "inbox %s event %s: lease lost; left to its new holder", event.channel, event.id
            )
            return True
        except EventAlreadyHandled:
            log.info("inbox %s event %s was handled elsewhere", self._channel.name, event.id)
            return False  # reloaded and sent from what is stored
        except SendFailed as exc:
            if not exc.reachable:
                log.info("inbox %s event %s: the user cannot be messaged", event.channel, event.id)
                metrics.delivery_failed(event.channel)
                done, note = exc.sent, exc.reason
                await self._stored(
                    lambda: self._inbox.finish(event, sent=done, note=note), event, "finish"
                )
                return True
            return await self._failed(event, exc.reason, sent=exc.sent, retryable=exc.retryable)
        except Exception as exc:
            log.exception("processing %s event %s failed", self._channel.name, event.id)
            reason = f"{type(exc).__name__}: {exc}"
            return await self._failed(event, reason, sent=sent, retryable=True)
        await self._stored(lambda: self._inbox.finish(event, sent=sent), event, "finish")
        await self._after(event)
        return True

    def _mine(self, event: InboundEvent) -> bool:
        """Whether this worker is to go on with the event as just read (not finished)."""
        return not event.finished

    async def _send(self, event: InboundEvent, replies: Sequence[Reply]) -> SendResult:
        """Send the event's replies after those already out."""
        return await self._channel.send(event.user_id, replies, skip=event.sent)

    async def _failed(
        self, event: InboundEvent, reason: str, *, sent: int, retryable: bool
    ) -> bool:
        failures = event.attempts + 1
        if retryable and not self._policy.gives_up(failures):
            delay = self._policy.delay(failures)
            log.warning(
                "inbox %s event %s: attempt %d failed (%s); again in %.1fs",
                event.channel,
                event.id,
                failures,
                reason,
                delay,
            )
            retry_at = self._inbox.clock() + timedelta(seconds=delay)
            await self._stored(
                lambda: self._inbox.fail(event, reason, sent=sent, retry_at=retry_at),
                event,
                "record a failure",
            )
            return False
        log.error("inbox %s event %s failed for good: %s", event.channel, event.id, reason)
        metrics.delivery_failed(event.channel)
        await self._stored(
            lambda: self._inbox.fail(event, reason, sent=sent, retry_at=None),
            event,
            "record a failure",
        )
        if self._on_failure is not None:
            try:
                await self._on_failure(event, reason)
            except Exception:
                log.exception(
                    "could not queue the apology for %s event %s", event.channel, event.id
                )
        return True

    async def _after(self, event: InboundEvent) -> None:
        if self._after_event is None:
            return
        try:
            await self._after_event(event)
        except Exception:
            log.exception("after %s event %s", event.channel, event.id)

    async def wait_idle(self) -> None:
        """Wait until every queued event has been processed (for tests and shutdown)."""
        await self._idle.wait()

    async def stop(self) -> None:
        """Stop processing; unfinished events stay in the inbox for the next start."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
