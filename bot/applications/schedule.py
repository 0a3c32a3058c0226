"""Messages due later: renewal reminders 60, 30 and 7 days before expiry, "it has ended", and a
reminder for evidence still missing from a draft. Each is delivered once.

A notice is a row keyed by what it is (``renewal:CETS-2026-000001:2028-11-30:30``); the key is
also the delivery's dedupe key, so neither a restart nor a second process sends it twice. The
sweep runs under a lease, checks that the notice still applies (the certificate was not renewed
or revoked meanwhile, the draft still lacks evidence), and skips a reminder that a later one
makes redundant (after a long downtime only the most urgent is sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from backend_client import (
    BackendError,
    Certificate,
    CertificateStatus,
    MatchKind,
    RegistryBackend,
)
from bot.applications import notices
from bot.applications.draft import CRITERION_FIELDS
from bot.applications.lease import Lease
from bot.applications.models import ScheduledNoticeRecord
from bot.backend_outbox import Deliver
from bot.background import cancel_and_wait
from bot.clock import Clock, SystemClock
from bot.dialogue.store import ConversationStore
from bot.messages import Reply
from registry.database import WRITE_OPTION

if TYPE_CHECKING:
    from bot.turn import Turn

log = logging.getLogger(__name__)

Compose = Callable[[], Sequence[Reply]]

RENEWAL_REMINDER_DAYS: Final = (60, 30, 7)
RENEWAL: Final = "renewal"
EXPIRED: Final = "expired"
MISSING: Final = "missing"
PHNOM_PENH: Final = timezone(timedelta(hours=7), "ICT")
SEND_AT: Final = time(9, 0)
"""Reminders go out at 9 in the morning, Phnom Penh time, on their day."""
SENT: Final = "sent"
OBSOLETE: Final = "obsolete"
SERVICE: Final = "notice_schedule"
"""The name the schedule is found under in ``turn.services``."""


def phnom_penh_day(moment: datetime) -> date:
    """The calendar day in Cambodia at ``moment``."""
    return moment.astimezone(PHNOM_PENH).date()


def morning_of(day: date) -> datetime:
    """9:00 in Phnom Penh on ``day``, as UTC."""
    return datetime.combine(day, SEND_AT, PHNOM_PENH).astimezone(UTC)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class NoticeSchedule:
    """Adds notices; each key once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def add(
        self,
        key: str,
        *,
        kind: str,
        owner: tuple[str, str],
        subject: str,
        due_at: datetime,
        data: dict[str, Any],
        now: datetime,
    ) -> bool:
        """Schedule a notice; False when one with this key exists already."""
        try:
            async with self._sessions.begin() as session:
                await session.connection(execution_options={WRITE_OPTION: True})
                if await session.get(ScheduledNoticeRecord, key) is not None:
                    return False
                session.add(
                    ScheduledNoticeRecord(
                        key=key,
                        kind=kind,
                        channel=owner[0],
                        user_id=owner[1],
                        subject=subject,
                        due_at=due_at,
                        data=data,
                        created_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def schedule_renewal(
        self, owner: tuple[str, str], certificate_id: str, valid_until: date, now: datetime
    ) -> int:
        """The reminders of one validity period (60, 30, 7 days before, and after the end)."""
        added = 0
        until = valid_until.isoformat()
        for days in RENEWAL_REMINDER_DAYS:
            added += await self.add(
                f"{RENEWAL}:{certificate_id}:{until}:{days}",
                kind=RENEWAL,
                owner=owner,
                subject=certificate_id,
                due_at=morning_of(valid_until - timedelta(days=days)),
                data={"certificate_id": certificate_id, "valid_until": until, "days": days},
                now=now,
            )
        added += await self.add(
            f"{EXPIRED}:{certificate_id}:{until}",
            kind=EXPIRED,
            owner=owner,
            subject=certificate_id,
            due_at=morning_of(valid_until + timedelta(days=1)),
            data={"certificate_id": certificate_id, "valid_until": until},
            now=now,
        )
        return added

    async def due(self, now: datetime, limit: int = 100) -> list[ScheduledNoticeRecord]:
        """Notices whose time has come and that are not done, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ScheduledNoticeRecord)
                .where(ScheduledNoticeRecord.done_at.is_(None), ScheduledNoticeRecord.due_at <= now)
                .order_by(ScheduledNoticeRecord.due_at, ScheduledNoticeRecord.key)
                .limit(limit)
            )
            return list(rows)

    async def done(self, key: str, outcome: str, now: datetime) -> None:
        """Record that a notice was sent, or that it no longer applies."""
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            await session.execute(
                update(ScheduledNoticeRecord)
                .where(ScheduledNoticeRecord.key == key, ScheduledNoticeRecord.done_at.is_(None))
                .values(done_at=now, outcome=outcome)
            )

    async def outcomes(self) -> dict[str, str | None]:
        """Every notice's key and outcome (None: not done yet), for checks and the CLI."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ScheduledNoticeRecord.key, ScheduledNoticeRecord.outcome)
            )
            return {key: outcome for key, outcome in rows}


async def schedule_missing_reminder(turn: Turn, flow_key: str, due_at: datetime) -> None:
    """Remind the user of the evidence still missing from their draft (once per draft)."""
    schedule = turn.services.get(SERVICE)
    if not isinstance(schedule, NoticeSchedule):
        log.info("no notice schedule configured; the missing-evidence reminder is not kept")
        return
    await schedule.add(
        f"{MISSING}:{flow_key}",
        kind=MISSING,
        owner=(turn.message.channel, turn.message.user_id),
        subject=flow_key[:64],
        due_at=due_at,
        data={"flow": flow_key},
        now=turn.now,
    )


class NoticeSweeper:
    """Delivers due notices, under the "notices" lease; call :meth:`run_once` or :meth:`start`."""

    def __init__(
        self,
        schedule: NoticeSchedule,
        backend: RegistryBackend,
        deliver: Deliver,
        *,
        clock: Clock | None = None,
        channels: Collection[str] | None = None,
        poll_seconds: float = 300.0,
        lease: timedelta = timedelta(minutes=5),
    ) -> None:
        self._schedule = schedule
        self._backend = backend
        self._deliver = deliver
        self._clock = clock or SystemClock()
        self._channels = None if channels is None else frozenset(channels)
        self._poll_seconds = poll_seconds
        self._lease = Lease(schedule.engine, "notices", f"notices-{uuid.uuid4().hex[:12]}", lease)
        self._conversations = ConversationStore(schedule.engine)
        self._task: asyncio.Task[None] | None = None
        self._running = asyncio.Lock()  # one sweep at a time within this process, too

    async def run_once(self) -> int:
        """Deliver what is due now; how many notices were delivered."""
        async with self._running:
            return await self._sweep()

    async def _sweep(self) -> int:
        now = self._clock.now()
        if not await self._lease.acquire(now):
            return 0
        due = await self._schedule.due(now)
        superseded = _superseded(due)
        sent = 0
        for notice in due:
            if self._channels is not None and notice.channel not in self._channels:
                continue
            if notice.key in superseded:
                await self._schedule.done(notice.key, OBSOLETE, now)
                continue
            try:
                compose = await self._compose(notice, now)
            except BackendError:
                log.info("registry not available for a notice; trying it in the next sweep")
                continue
            if compose is None:
                await self._schedule.done(notice.key, OBSOLETE, now)
                continue
            await self._deliver(notice.channel, notice.user_id, compose, dedupe_key=notice.key)
            await self._schedule.done(notice.key, SENT, now)
            sent += 1
        return sent

    async def _certificate(self, certificate_id: str) -> Certificate | None:
        matches = await self._backend.find_shops(certificate_id, limit=1)
        for match in matches:
            if match.matched_by is MatchKind.CERTIFICATE_ID and match.shop.certificate is not None:
                return match.shop.certificate
        return None

    async def _compose(self, notice: ScheduledNoticeRecord, now: datetime) -> Compose | None:
        """A composer of the notice's replies, or None when it no longer applies."""
        data = notice.data
        if notice.kind == MISSING:
            return await self._missing(notice)
        certificate = await self._certificate(str(data["certificate_id"]))
        until = date.fromisoformat(str(data["valid_until"]))
        if (
            certificate is None
            or certificate.valid_until != until
            or certificate.status is CertificateStatus.REVOKED
        ):
            return None  # renewed (a new period has its own reminders), revoked or gone
        if notice.kind == RENEWAL:
            days_left = (until - phnom_penh_day(now)).days
            if days_left < 0:
                return None
            return lambda: notices.renewal_reminder(certificate.certificate_id, until, days_left)
        if notice.kind == EXPIRED:
            return lambda: notices.expired_notice(certificate.certificate_id, until)
        log.warning("unknown notice kind %s", notice.kind)
        return None

    async def _missing(self, notice: ScheduledNoticeRecord) -> Compose | None:
        state = await self._conversations.load(notice.channel, notice.user_id)
        flow = state.flows.get("app")
        if flow is None or flow.key != notice.data.get("flow"):
            return None
        criteria = set(CRITERION_FIELDS.values())
        missing = [name for name in flow.missing if name in criteria]
        if not missing:
            return None
        return lambda: notices.missing_reminder(missing)

    def start(self) -> None:
        """Sweep in the background until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="notice-sweeper")

    async def stop(self) -> None:
        """Stop sweeping and let another process take over at once."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
            with contextlib.suppress(Exception):
                await self._lease.release()

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the notice sweep failed; trying again")
            await asyncio.sleep(self._poll_seconds)


def _superseded(due: Sequence[ScheduledNoticeRecord]) -> set[str]:
    """Renewal reminders made redundant by a more urgent one due too (same period)."""
    latest: dict[tuple[str, str], ScheduledNoticeRecord] = {}
    for notice in due:
        if notice.kind not in (RENEWAL, EXPIRED):
            continue
        period = (notice.subject, str(notice.data.get("valid_until")))
        current = latest.get(period)
        if current is None or _utc(notice.due_at) > _utc(current.due_at):
            latest[period] = notice
    keep = {n.key for n in latest.values()}
    return {n.key for n in due if n.kind in (RENEWAL, EXPIRED) and n.key not in keep}
