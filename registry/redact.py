"""Redaction of personal data (user ids, phones, names) before it reaches a log line."""

from __future__ import annotations

from collections.abc import Sequence


def redact_text(value: str | None, keep: int = 2) -> str:
    """Keep only the last ``keep`` characters: ``+85512345678`` becomes ``***78``."""
    if not value:
        return "-"
    return "***" + value[-keep:] if len(value) > keep else "***"


def redact_owner(owner: Sequence[str]) -> str:
    """``telegram:***45`` for the owner ``("telegram", "12345")``."""
    return f"{owner[0]}:{redact_text(owner[1])}"
