"""Nothing a user submitted is lost when the registry is down.

A form's submit calls :meth:`BackendOutbox.perform_or_queue`: the operation is stored first
(keyed by its idempotency key), then tried at once. When the registry answers, the caller tells
the user the result straight away. When it cannot be reached, the operation stays pending and a
background worker tries again with backoff, sending the same idempotency key each time; once the
registry takes it, the user is told the result through ``deliver`` (in their language). An
operation the registry refuses for good is marked failed and the user is told that too.

Workers claim an operation with a lease (a compare-and-swap on its status), so several processes
can run the worker without performing an operation twice at the same time; the registry's
idempotency keys make a repeat after a crash harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from backend_client import BackendError, BackendUnavailable, RegistryBackend
from bot.backend_outbox.models import BackendOperationRecord
from bot.clock import Clock, SystemClock
from bot.messages import Reply
from registry.database import WRITE_OPTION

if TYPE_CHECKING:
    from bot.intake import FileIntake

log = logging.getLogger(__name__)

LEASE: Final = timedelta(minutes=2)
FIRST_RETRY: Final = timedelta(seconds=15)
MAX_RETRY: Final = timedelta(minutes=30)
MAX_ATTEMPTS: Final = 200  # about four days of retries at the longest interval


@dataclass(frozen=True, slots=True)
class OperationContext:
    """What an operation gets to do its work."""

    backend: RegistryBackend
    intake: FileIntake
    owner: tuple[str, str]
    payload: dict[str, Any]
    key: str


@dataclass(frozen=True, slots=True)
class Operation:
    """A kind of registry operation: how to perform it and what to tell the user after."""

    kind: str
    perform: Callable[[OperationContext], Awaitable[dict[str, Any]]]
    notify: Callable[[dict[str, Any], dict[str, Any]], Sequence[Reply]]
    notify_failure: Callable[[str, dict[str, Any]], Sequence[Reply]] | None = None


class OperationRegistry:
    """Operation kinds by name; handler modules register theirs at import."""

    def __init__(self) -> None:
        self._kinds: dict[str, Operation] = {}

    def register(self, operation: Operation) -> Operation:
        """Add (or replace) an operation kind."""
        self._kinds[operation.kind] = operation
        return operation

    def get(self, kind: str) -> Operation | None:
        """The operation kind called ``kind``."""
        return self._kinds.get(kind)


OPERATIONS = OperationRegistry()


class Deliver(Protocol):
    """The deliveries' entry point: send replies to a user who did not just write."""

    async def __call__(
        self,
        channel: str,
        user_id: str,
        compose: Callable[[], Sequence[Reply]],
        *,
        dedupe_key: str | None = None,
    ) -> object:
        """Queue replies for the user."""
        ...


def _backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * int(2 ** max(attempts - 1, 0)), MAX_RETRY)


class BackendOutbox:
    """Stores submitted operations and performs them, now or when the registry is back."""

    def __init__(
        self,
        engine: AsyncEngine,
        backend: RegistryBackend,
        intake: FileIntake,
        *,
        deliver: Deliver | None = None,
        clock: Clock | None = None,
        poll_seconds: float = 5.0,
    ) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._backend = backend
        self.intake = intake
        self.deliver = deliver
        self._clock = clock or SystemClock()
        self._poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None

    async def perform_or_queue(
        self,
        kind: str,
        owner: tuple[str, str],
        payload: dict[str, Any],
        *,
        idempotency_key: str,
    ) -> dict[str, Any] | None:
        """Store the operation, then try it: its result, or None when it waits for the registry.

        The same key again returns the first result (or None while it still waits). A refusal
        other than "unavailable" (e.g. a validation error) is raised, and the operation dropped.
        """
        if OPERATIONS.get(kind) is None:
            raise LookupError(f"no operation kind {kind!r}")
        record = await self._store(kind, owner, payload, idempotency_key)
        if record.status == "done":
            return dict(record.result or {})
        if record.status != "pending" or not await self._claim(record.id):
            return None
        try:
            return await self._perform(record)
        except BackendUnavailable:
            return None
        except BackendError:
            await self._forget(record.id)
            raise

    async def _store(
        self, kind: str, owner: tuple[str, str], payload: dict[str, Any], key: str
    ) -> BackendOperationRecord:
        now = self._clock.now()
        try:
            async with self._sessions.begin() as session:
                await session.connection(execution_options={WRITE_OPTION: True})
                record = BackendOperationRecord(
                    kind=kind,
                    channel=owner[0],
                    user_id=owner[1],
                    idempotency_key=key,
                    payload=payload,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
                session.add(record)
            return record
        except IntegrityError:
            async with self._sessions() as session:
                existing = await session.scalar(
                    select(BackendOperationRecord).where(
                        BackendOperationRecord.idempotency_key == key
                    )
                )
            if existing is None:  # pragma: no cover - the unique key was just seen
                raise
            return existing

    async def _claim(self, operation_id: int) -> bool:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            result = await session.execute(
                update(BackendOperationRecord)
                .where(
                    BackendOperationRecord.id == operation_id,
                    or_(
                        BackendOperationRecord.status == "pending",
                        and_(
                            BackendOperationRecord.status == "running",
                            BackendOperationRecord.claimed_until < now,
                        ),
                    ),
                )
                .values(status="running", claimed_until=now + LEASE)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _perform(self, record: BackendOperationRecord) -> dict[str, Any]:
        operation = OPERATIONS.get(record.kind)
        if operation is None:
            await self._finish(record.id, "failed", error=f"unknown operation {record.kind}")
            raise BackendError(f"unknown operation {record.kind}")
        context = OperationContext(
            backend=self._backend,
            intake=self.intake,
            owner=(record.channel, record.user_id),
            payload=dict(record.payload),
            key=record.idempotency_key,
        )
        try:
            result = await operation.perform(context)
        except BackendUnavailable as exc:
            await self._retry_later(record, str(exc))
            raise
        except BackendError as exc:
            await self._finish(record.id, "failed", error=f"{exc.code}: {exc.message}")
            raise
        except Exception as exc:
            # A bug or a transport error we did not map: keep it, and try again later.
            log.exception("a %s operation failed unexpectedly", record.kind)
            await self._retry_later(record, repr(exc))
            raise BackendUnavailable("the operation failed; it will be tried again") from exc
        await self._finish(record.id, "done", result=result)
        return result

    async def _retry_later(self, record: BackendOperationRecord, error: str) -> None:
        attempts = record.attempts + 1
        status = "pending" if attempts < MAX_ATTEMPTS else "failed"
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            await session.execute(
                update(BackendOperationRecord)
                .where(BackendOperationRecord.id == record.id)
                .values(
                    status=status,
                    attempts=attempts,
                    claimed_until=None,
                    last_error=error[:2000],
                    next_attempt_at=self._clock.now() + _backoff(attempts),
                )
            )
        record.attempts = attempts

    async def _finish(
        self,
        operation_id: int,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            await session.execute(
                update(BackendOperationRecord)
                .where(BackendOperationRecord.id == operation_id)
                .values(
                    status=status,
                    result=result,
                    last_error=None if error is None else error[:2000],
                    claimed_until=None,
                    done_at=self._clock.now(),
                )
            )

    async def _forget(self, operation_id: int) -> None:
        """A refused submission the user is told about at once: nothing is left to retry."""
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            record = await session.get(BackendOperationRecord, operation_id)
            if record is not None:
                await session.delete(record)

    async def depth(self) -> int:
        """How many operations wait for the registry (for metrics and readiness)."""
        async with self._sessions() as session:
            count = await session.scalar(
                select(func.count(BackendOperationRecord.id)).where(
                    BackendOperationRecord.status.in_(("pending", "running"))
                )
            )
            return int(count or 0)

    async def run_due(self) -> int:
        """Perform every operation whose time has come; returns how many the registry took."""
        now = self._clock.now()
        async with self._sessions() as session:
            due = list(
                await session.scalars(
                    select(BackendOperationRecord)
                    .where(
                        or_(
                            and_(
                                BackendOperationRecord.status == "pending",
                                BackendOperationRecord.next_attempt_at <= now,
                            ),
                            and_(
                                BackendOperationRecord.status == "running",
                                BackendOperationRecord.claimed_until < now,
                            ),
                        )
                    )
                    .order_by(BackendOperationRecord.id)
                    .limit(50)
                )
            )
        done = 0
        for record in due:
            if not await self._claim(record.id):
                continue
            try:
                result = await self._perform(record)
            except BackendUnavailable:
                break  # the registry is still away: the rest waits for the next round
            except BackendError as exc:
                await self._tell_failure(record, exc)
                continue
            done += 1
            await self._tell(record, result)
        return done

    async def _tell(self, record: BackendOperationRecord, result: dict[str, Any]) -> None:
        operation = OPERATIONS.get(record.kind)
        if self.deliver is None or operation is None:
            return
        payload = dict(record.payload)
        await self.deliver(
            record.channel,
            record.user_id,
            lambda: operation.notify(result, payload),
            dedupe_key=f"backend-op:{record.id}:done",
        )

    async def _tell_failure(self, record: BackendOperationRecord, exc: BackendError) -> None:
        operation = OPERATIONS.get(record.kind)
        if self.deliver is None or operation is None or operation.notify_failure is None:
            return
        notify_failure = operation.notify_failure
        payload = dict(record.payload)
        await self.deliver(
            record.channel,
            record.user_id,
            lambda: notify_failure(exc.message, payload),
            dedupe_key=f"backend-op:{record.id}:failed",
        )

    def start(self) -> None:
        """Run the worker in the background until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="backend-outbox")

    async def stop(self) -> None:
        """Stop the worker; pending operations stay for the next start."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the backend outbox round failed; trying again")
            await asyncio.sleep(self._poll_seconds)
