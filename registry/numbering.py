"""Human-readable record numbers: APP-YYYY-NNNNNN, CETS-YYYY-NNNNNN, CMP-YYYY-NNNNNN.

Numbers come from a counter row per prefix and year, incremented with an atomic upsert, so
concurrent writers (several processes, SQLite or PostgreSQL) never hand out the same number.
"""

from __future__ import annotations

import re

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from registry.models import SequenceCounter

APPLICATION_PREFIX = "APP"
CERTIFICATE_PREFIX = "CETS"
COMPLAINT_PREFIX = "CMP"
NUMBER_PATTERN = re.compile(r"^(APP|CETS|CMP)-(\d{4})-(\d{6})$")


def format_number(prefix: str, year: int, value: int) -> str:
    """``CETS-2025-000001``."""
    return f"{prefix}-{year:04d}-{value:06d}"


def normalise_number(raw: str) -> str:
    """Upper-case and trim a record number as a user may type it (``cets-2025-000001 ``)."""
    return raw.strip().upper().replace(" ", "")


async def next_number(session: AsyncSession, prefix: str, year: int) -> str:
    """Reserve the next number of ``prefix`` in ``year`` inside the caller's transaction."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SequenceCounter)
        .values(name=prefix, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=[SequenceCounter.name, SequenceCounter.year],
            set_={"last_value": SequenceCounter.last_value + 1},
        )
        .returning(SequenceCounter.last_value)
    )
    value = (await session.execute(statement)).scalar_one()
    return format_number(prefix, year, value)


async def reserve_at_least(session: AsyncSession, prefix: str, year: int, value: int) -> None:
    """Make sure later numbers of ``prefix``/``year`` come after ``value`` (fixed demo ids)."""
    counter = await session.get(SequenceCounter, (prefix, year))
    if counter is None:
        session.add(SequenceCounter(name=prefix, year=year, last_value=value))
    elif counter.last_value < value:
        counter.last_value = value
