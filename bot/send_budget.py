"""The outbound send budget of one bot token or Page, shared by every worker through Redis.

Telegram allows a bot about 30 messages a second; with several worker processes each keeping
its own limiter, they would together send N times that and be answered 429. A
:class:`RedisSendBudget` keeps one budget per token in Redis: a generic cell rate algorithm
(GCRA) in a Lua script, run atomically by Redis on its own clock, *reserves* the caller's slot
and says how long to wait for it, so callers in every process queue fairly without polling.
Without Redis (``CETS_REDIS_URL`` unset, or Redis unreachable for a moment) the same algorithm
runs in the process (:class:`LocalSendBudget`), which is right for a single worker.

A channel awaits :meth:`SendBudget.acquire` before each platform message, and before it records
that the message is going out (so waiting for the budget never widens the window in which a
worker that dies leaves a message in doubt; see ``docs/workers.md``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

KEY_PREFIX: Final = "cets:send-budget:"
# Tell about Redis trouble at most this often (a busy bot would log every message otherwise).
_WARN_EVERY_SECONDS: Final = 30.0

# rate: ARGV[1] microseconds between sends; ARGV[2] the burst tolerance in microseconds.
# Returns how many microseconds the caller waits for the slot it was given.
_GCRA: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local send_at = math.max(now, tat - tolerance)
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
           math.ceil((new_tat - now) / 1000) + 1000)
return math.floor(send_at - now)
"""

_PREPAID: contextvars.ContextVar[bool] = contextvars.ContextVar("send_prepaid", default=False)


class SendBudget(Protocol):
    """Waits until one more platform message may be sent."""

    async def acquire(self) -> None:
        """Take one send from the budget, waiting for it if need be."""
        ...


@contextlib.contextmanager
def prepaid() -> Iterator[None]:
    """Mark the requests made in the block as already paid for from the budget.

    The channel acquires before recording a message as going out; the HTTP client's own
    limiter (python-telegram-bot's) must then not take a second slot for the same message.
    """
    token = _PREPAID.set(True)
    try:
        yield
    finally:
        _PREPAID.reset(token)


def is_prepaid() -> bool:
    """True inside :func:`prepaid`."""
    return _PREPAID.get()


def budget_key(platform: str, secret: str) -> str:
    """The Redis key of a token's budget: named by a digest, never by the token itself."""
    digest = hashlib.sha256(secret.encode()).hexdigest()[:16]
    return f"{KEY_PREFIX}{platform}:{digest}"


def default_burst(rate: float) -> int:
    """As many sends at once as the rate allows in one second (what Telegram tolerates)."""
    return max(1, int(rate))


class UnlimitedSendBudget:
    """No budget: where the platform's limits do not apply (``TELEGRAM_RATE_LIMITER_OFF``: a
    local Bot API server, the load benchmark)."""

    async def acquire(self) -> None:
        """Never waits."""


class LocalSendBudget:
    """The budget kept in this process (GCRA on the monotonic clock)."""

    def __init__(self, rate: float, burst: int | None = None) -> None:
        if rate <= 0:
            raise ValueError("a send budget needs a positive rate")
        self.rate = rate
        self.burst = burst if burst is not None else default_burst(rate)
        self._interval = 1.0 / rate
        self._tolerance = (self.burst - 1) * self._interval
        self._tat = 0.0

    def reserve(self) -> float:
        """Reserve the next slot; the seconds to wait for it."""
        now = time.monotonic()
        tat = max(self._tat, now)
        send_at = max(now, tat - self._tolerance)
        self._tat = tat + self._interval
        return send_at - now

    async def acquire(self) -> None:
        """Take one send, waiting for its slot."""
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)


class RedisSendBudget:
    """The budget kept in Redis under ``key``, shared by every process using the same key."""

    def __init__(self, redis: Redis, key: str, rate: float, burst: int | None = None) -> None:
        self._redis = redis
        self.key = key
        self._fallback = LocalSendBudget(rate, burst)
        self._interval_us = round(1_000_000 / rate)
        self._tolerance_us = round((self._fallback.burst - 1) * 1_000_000 / rate)
        self._script = redis.register_script(_GCRA)
        self._warned_at = -_WARN_EVERY_SECONDS

    @property
    def rate(self) -> float:
        """Sends a second."""
        return self._fallback.rate

    async def acquire(self) -> None:
        """Take one send from the shared budget (from this process's own without Redis)."""
        from redis.exceptions import RedisError

        try:
            waited = await self._script(
                keys=[self.key], args=[self._interval_us, self._tolerance_us]
            )
        except (RedisError, OSError) as exc:
            now = time.monotonic()
            if now - self._warned_at >= _WARN_EVERY_SECONDS:
                self._warned_at = now
                log.warning("send budget: Redis unavailable (%s); limiting in this process", exc)
            await self._fallback.acquire()
            return
        wait = int(waited) / 1_000_000
        if wait > 0:
            await asyncio.sleep(wait)


def open_redis(url: str) -> Redis:
    """A Redis client for ``url`` (``redis://host:port/db``); connects on first use."""
    from redis.asyncio import Redis

    client: Redis = Redis.from_url(
        url, socket_connect_timeout=2.0, socket_timeout=2.0, health_check_interval=30
    )
    return client


def send_budget(
    redis: Redis | None, platform: str, secret: str, rate: float, burst: int | None = None
) -> SendBudget:
    """The budget of one token: shared through Redis when there is one, else this process's."""
    if redis is None:
        return LocalSendBudget(rate, burst)
    return RedisSendBudget(redis, budget_key(platform, secret), rate, burst)
