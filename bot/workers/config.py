"""How the bot runs with several worker processes, read from the environment.

- ``CETS_INBOX_CLAIMS``: ``auto`` (default: on with PostgreSQL, off with SQLite), ``on`` or
  ``off``. On: inbox events are claimed with leases, so any number of processes can share the
  database; off: one process serves each user from in-memory queues (SQLite's single process).
- ``CETS_INBOX_LEASE_SECONDS`` (15): how long a claimed event stays a worker's without a
  renewal; a worker that dies holds its events this long at most. Renewed every third of it.
- ``CETS_INBOX_POLL_SECONDS`` (1.0): how often a worker looks for events when it was not told
  of any (PostgreSQL's LISTEN/NOTIFY tells it at once; the poll is the fallback).
- ``CETS_LEADER_LEASE_SECONDS`` (15): the lease for singleton duties (webhook, polling).
- ``CETS_REDIS_URL``: Redis for the shared send budget (unset: each process its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy.engine import make_url

from bot.env import env_positive_number, env_text

DEFAULT_LEASE_SECONDS: Final = 15.0
DEFAULT_POLL_SECONDS: Final = 1.0
DEFAULT_LEADER_SECONDS: Final = 15.0


class WorkerConfigError(ValueError):
    """A worker setting is unusable."""


def is_postgres(database_url: str) -> bool:
    """True for a PostgreSQL URL."""
    return make_url(database_url).get_backend_name() == "postgresql"


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """The multi-process settings of one worker."""

    claims: bool = False
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    poll_seconds: float = DEFAULT_POLL_SECONDS
    leader_seconds: float = DEFAULT_LEADER_SECONDS
    redis_url: str | None = None
    notify: bool = False

    @classmethod
    def from_env(cls, database_url: str) -> WorkerConfig:
        """Read the CETS_INBOX_* / CETS_REDIS_URL variables for a bot on ``database_url``."""
        mode = env_text("CETS_INBOX_CLAIMS").lower() or "auto"
        postgres = is_postgres(database_url)
        if mode not in {"auto", "on", "off"}:
            raise WorkerConfigError("CETS_INBOX_CLAIMS must be auto, on or off")
        claims = postgres if mode == "auto" else mode == "on"
        return cls(
            claims=claims,
            lease_seconds=env_positive_number(
                "CETS_INBOX_LEASE_SECONDS", DEFAULT_LEASE_SECONDS, WorkerConfigError
            ),
            poll_seconds=env_positive_number(
                "CETS_INBOX_POLL_SECONDS", DEFAULT_POLL_SECONDS, WorkerConfigError
            ),
            leader_seconds=env_positive_number(
                "CETS_LEADER_LEASE_SECONDS", DEFAULT_LEADER_SECONDS, WorkerConfigError
            ),
            redis_url=env_text("CETS_REDIS_URL") or None,
            notify=claims and postgres,
        )
