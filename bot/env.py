"""Reading typed values from environment variables, with errors that name the variable."""

from __future__ import annotations

import os
from typing import Final

_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"", "0", "false", "no", "off"})


def env_text(name: str) -> str:
    """The variable's value without surrounding spaces ("" when unset)."""
    return os.environ.get(name, "").strip()


def env_flag(name: str, error: type[Exception] = ValueError) -> bool:
    """An on/off variable (1/0, true/false, yes/no, on/off); unset is off."""
    value = env_text(name).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise error(f"{name} must be on or off (1/0, true/false)")


def env_positive_int(name: str, default: int, error: type[Exception] = ValueError) -> int:
    """A positive whole number, or ``default`` when unset."""
    value = env_text(name)
    if not value:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise error(f"{name} must be a positive whole number")
    return int(value)


def env_positive_number(name: str, default: float, error: type[Exception] = ValueError) -> float:
    """A positive number, or ``default`` when unset."""
    value = env_text(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise error(f"{name} must be a number") from exc
    if number <= 0:
        raise error(f"{name} must be positive")
    return number
