"""How often and how long to wait before trying a failed event or delivery again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.env import env_positive_int, env_positive_number


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries in all, waiting ``base_seconds`` doubled after each, at most ``max``."""

    attempts: int = 5
    base_seconds: float = 1.0
    max_seconds: float = 300.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th failure (1 for the first)."""
        growth: float = 2.0 ** max(failures - 1, 0)
        return min(self.base_seconds * growth, self.max_seconds)

    def gives_up(self, failures: int) -> bool:
        """True when ``failures`` failed attempts use up every attempt."""
        return failures >= self.attempts

    @classmethod
    def from_env(
        cls, prefix: str, *, attempts: int, base_seconds: float, max_seconds: float
    ) -> RetryPolicy:
        """``<prefix>_ATTEMPTS`` and ``<prefix>_RETRY_SECONDS`` (the first wait)."""
        return cls(
            attempts=env_positive_int(f"{prefix}_ATTEMPTS", attempts),
            base_seconds=env_positive_number(f"{prefix}_RETRY_SECONDS", base_seconds),
            max_seconds=max_seconds,
        )


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC time (SQLite gives naive ones back; they are UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def seconds_until(when: datetime | None, now: datetime) -> float:
    """Seconds from ``now`` until ``when`` (0 when it has passed or is unset)."""
    if when is None:
        return 0.0
    return max((as_utc(when) or now) - now, timedelta(0)).total_seconds()
