"""Abuse limits on complaints: so many a day per user, and the same one twice gets its first
reference instead of a second complaint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.complaints.ledger import ComplaintLedger, Submission
from bot.env import env_positive_int

if TYPE_CHECKING:
    from bot.turn import Turn

SERVICE: Final = "complaint_guard"
"""The name of the guard in ``turn.services``."""
DEFAULT_PER_DAY: Final = 5
WINDOW: Final = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Limited:
    """A user who sent as many complaints as a day allows, and when they may send the next."""

    count: int
    until: datetime


class ComplaintGuard:
    """Answers "may this user complain now?" and "did they send this one already?"."""

    def __init__(self, ledger: ComplaintLedger, *, per_day: int = DEFAULT_PER_DAY) -> None:
        self.ledger = ledger
        self.per_day = per_day

    async def limited(self, owner: tuple[str, str], now: datetime) -> Limited | None:
        """Set when the user has sent ``per_day`` complaints in the last 24 hours."""
        recent = await self.ledger.since(owner, now - WINDOW)
        if len(recent) < self.per_day:
            return None
        oldest_counted = recent[-self.per_day]
        return Limited(len(recent), oldest_counted.submitted_at + WINDOW)

    async def repeat_of(
        self, owner: tuple[str, str], print_: str, now: datetime, *, flow_key: str
    ) -> Submission | None:
        """The user's earlier submission of the same complaint within 24 hours, if any."""
        for submission in await self.ledger.since(owner, now - WINDOW):
            if submission.fingerprint == print_ and submission.flow_key != flow_key:
                return submission
        return None


def install(services: dict[str, object], engine: AsyncEngine) -> ComplaintGuard:
    """Put the guard where the complaint wizard finds it (``CETS_COMPLAINTS_PER_DAY``)."""
    guard = ComplaintGuard(
        ComplaintLedger(engine), per_day=env_positive_int("CETS_COMPLAINTS_PER_DAY", 5)
    )
    services[SERVICE] = guard
    return guard


def guard_of(turn: Turn) -> ComplaintGuard:
    """The turn's complaint guard (the runtime installs it)."""
    guard = turn.services.get(SERVICE)
    if not isinstance(guard, ComplaintGuard):
        raise RuntimeError("the complaint guard is not installed (bot.complaints.guard.install)")
    return guard
