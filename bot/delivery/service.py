"""``deliver``: send a user a message no turn asked for, durably, once, in their language.

The delivery is composed in the user's saved language and stored (queued) before anything is
sent; a background worker sends it through the user's channel and retries with a growing
wait. What the channel did is recorded: sent (and how: a normal message, a Messenger utility
template, the HUMAN_AGENT tag), held until the user's next message (Messenger outside the
24-hour window without a utility template), or failed with the last error. A dedupe key makes
a delivery idempotent across restarts and processes: the same key is delivered once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from bot import metrics
from bot.background import cancel_and_wait, wait_for_event
from bot.channels.base import Channel, Purpose, SendFailed, Sent
from bot.delivery.store import HELD, QUEUED, ClaimLost, Delivery, DeliveryStore
from bot.i18n import DEFAULT_LOCALE, _, use_locale
from bot.messages import Reply, TextReply
from bot.retry import RetryPolicy, seconds_until, utc_now

if TYPE_CHECKING:
    from bot.inbox import InboundEvent

log = logging.getLogger(__name__)

Compose = Callable[[], Sequence[Reply]]
LocaleOf = Callable[[str, str], Awaitable[str | None]]
Clock = Callable[[], datetime]

# How long the worker sleeps at most before looking for due deliveries (another process may
# have queued some).
POLL_SECONDS: Final = 30.0
_KINDS: Final = {False: Purpose.NOTICE.value, True: Purpose.HUMAN.value}


def apology() -> list[Reply]:
    """What a user is told when their message could not be answered (in the current locale)."""
    return [
        TextReply(
            _(
                "Sorry, I could not answer your last message because of a technical problem. "
                "Please send it again."
            )
        )
    ]


class Deliveries:
    """Stores deliveries and sends them through the registered channels."""

    def __init__(
        self,
        store: DeliveryStore,
        *,
        locale_of: LocaleOf,
        policy: RetryPolicy | None = None,
        clock: Clock = utc_now,
        concurrency: int = 8,
    ) -> None:
        self._store = store
        self._locale_of = locale_of
        self._policy = policy or RetryPolicy(attempts=12, max_seconds=1800.0)
        self._clock = clock
        self._channels: dict[str, Channel] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._slots = asyncio.Semaphore(concurrency)
        self._task: asyncio.Task[None] | None = None

    @property
    def store(self) -> DeliveryStore:
        """The deliveries table."""
        return self._store

    # --- the API -------------------------------------------------------------------------

    async def deliver(
        self,
        channel: str,
        user_id: str,
        compose: Compose,
        *,
        dedupe_key: str | None = None,
        human: bool = False,
    ) -> int:
        """Store a delivery for the user and have it sent; its id.

        ``compose`` is called in the user's saved language. With ``dedupe_key`` already
        delivered (or queued), nothing new is stored and that delivery's id is returned.
        ``human`` marks an officer's own reply (Messenger may then use the HUMAN_AGENT tag).
        """
        if dedupe_key is not None:
            existing = await self._store.by_key(dedupe_key)
            if existing is not None:
                return existing
        locale = await self._locale_of(channel, user_id) or DEFAULT_LOCALE
        with use_locale(locale):
            replies = list(compose())
        delivery_id = await self._store.add(
            channel,
            user_id,
            replies,
            kind=_KINDS[human],
            dedupe_key=dedupe_key,
            now=self._clock(),
        )
        self._idle.clear()
        self._wake.set()
        return delivery_id

    async def apologise(self, event: InboundEvent, reason: str) -> None:
        """Tell the user their message failed for good (once per event), when reachable."""
        del reason  # recorded on the event; the user needs no technical detail
        await self.deliver(
            event.channel, event.user_id, apology, dedupe_key=f"apology:{event.channel}:{event.id}"
        )

    async def get(self, delivery_id: int) -> Delivery | None:
        """A delivery as stored now."""
        return await self._store.get(delivery_id)

    async def pending(self, channel: str, user_id: str) -> list[Delivery]:
        """A user's deliveries not sent yet (queued or held), oldest first."""
        return await self._store.for_user(channel, user_id, (QUEUED, HELD))

    async def shown(self, delivery: Delivery) -> None:
        """Record a delivery the user has seen by other means (the terminal chat prints it)."""
        if await self._store.claim(delivery, self._clock()):
            await self._store.sent(delivery, Sent.SENT, len(delivery.replies), self._clock())

    async def release_held(self, channel: str, user_id: str) -> None:
        """Send the user's held deliveries now: they just wrote, so the window is open."""
        target = self._channels.get(channel)
        if target is None or not target.holds_deliveries:
            return
        for delivery in await self._store.for_user(channel, user_id, (HELD,)):
            if await self._store.claim(delivery, self._clock()):
                await self._send(target, delivery, Purpose.REPLY)

    # --- the worker ----------------------------------------------------------------------

    def register(self, channel: Channel) -> None:
        """Send this channel's deliveries (call before :meth:`start`)."""
        self._channels[channel.name] = channel

    async def start(self) -> None:
        """Start sending queued deliveries in the background."""
        if self._task is None:
            released = await self._store.release_interrupted(self._clock())
            if released:
                log.info("%d interrupted deliveries queued again", released)
            self._idle.clear()
            self._task = asyncio.create_task(self._loop(), name="deliveries")

    async def stop(self) -> None:
        """Stop sending; what is not sent stays queued for the next start."""
        await cancel_and_wait(self._task)
        self._task = None
        self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until no delivery is queued, due now or later (for tests and shutdown)."""
        await self._idle.wait()

    async def _loop(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            try:
                names = list(self._channels)
                due = await self._store.due(names, self._clock())
                if due:
                    await self._send_batch(due)
                    failures = 0
                    continue
                wait = POLL_SECONDS
                upcoming = await self._store.next_due(names)
                if upcoming is not None:
                    wait = min(wait, max(seconds_until(upcoming, self._clock()), 0.01))
                elif not self._wake.is_set():
                    self._idle.set()  # nothing queued at all (a new one sets _wake)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                wait = self._policy.delay(failures)
                log.exception("deliveries: storage failed; again in %.1fs", wait)
            await wait_for_event(self._wake, wait)

    async def _send_batch(self, due: Sequence[Delivery]) -> None:
        """Send due deliveries: users concurrently, each user's in order."""
        by_user: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
        for delivery in due:
            by_user[(delivery.channel, delivery.user_id)].append(delivery)

        async def send_in_order(deliveries: list[Delivery]) -> None:
            async with self._slots:
                for delivery in deliveries:
                    channel = self._channels.get(delivery.channel)
                    if channel is not None and await self._store.claim(delivery, self._clock()):
                        await self._send(channel, delivery, Purpose(delivery.kind))

        await asyncio.gather(*(send_in_order(items) for items in by_user.values()))

    async def _send(self, channel: Channel, delivery: Delivery, purpose: Purpose) -> None:
        """Send one claimed delivery and record what happened."""
        try:
            if self._store.shared:
                # Several workers: each message is recorded before it goes out (fenced).
                async def progress(count: int) -> None:
                    await self._store.sending(delivery, count, self._clock())

                result = await channel.send(
                    delivery.user_id,
                    delivery.replies,
                    skip=delivery.sent,
                    purpose=purpose,
                    progress=progress,
                )
            else:
                result = await channel.send(
                    delivery.user_id, delivery.replies, skip=delivery.sent, purpose=purpose
                )
        except asyncio.CancelledError:
            raise
        except ClaimLost:
            log.warning("delivery %s: taken over by another worker; left to it", delivery.id)
            return
        except SendFailed as exc:
            await self._failed(delivery, exc.reason, exc.sent, exc.retryable and exc.reachable)
            return
        except Exception as exc:
            log.exception("delivery %s to %s failed", delivery.id, delivery.channel)
            await self._failed(delivery, f"{type(exc).__name__}: {exc}", delivery.sent, True)
            return
        await self._store.sent(delivery, result.how, result.sent, self._clock())
        log.info("delivery %s to %s: %s", delivery.id, delivery.channel, result.how.value)

    async def _failed(self, delivery: Delivery, reason: str, sent: int, retryable: bool) -> None:
        failures = delivery.attempts + 1
        if retryable and not self._policy.gives_up(failures):
            delay = self._policy.delay(failures)
            log.warning(
                "delivery %s to %s failed (%s); again in %.1fs",
                delivery.id,
                delivery.channel,
                reason,
                delay,
            )
            await self._store.retry(
                delivery, reason, sent, self._clock() + timedelta(seconds=delay)
            )
            return
        log.error("delivery %s to %s failed for good: %s", delivery.id, delivery.channel, reason)
        metrics.delivery_failed(delivery.channel)
        await self._store.failed(delivery, reason, sent)
