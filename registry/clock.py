"""Calendar dates as Cambodia sees them (UTC+7, no daylight saving) and UTC timestamps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

PHNOM_PENH = timezone(timedelta(hours=7), "ICT")


def now() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Phnom Penh, against which validity dates are read."""
    return datetime.now(PHNOM_PENH).date()


def add_years(start: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def validity_end(start: date, years: int = 2) -> date:
    """Last valid day of a certificate valid ``years`` from ``start`` (eve of the anniversary)."""
    return add_years(start, years) - timedelta(days=1)
