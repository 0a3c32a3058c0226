"""Texts that channel adapters write themselves, shared so every channel says the same thing."""

from __future__ import annotations

from bot.i18n import _
from bot.intake.refusals import too_large_sentence


def file_too_large(limit_bytes: int) -> str:
    """Tell the user a file is over the size limit, in the current locale (the intake's wording)."""
    return too_large_sentence(limit_bytes)


def file_not_received() -> str:
    """Tell the user a file could not be fetched, in the current locale."""
    return _("Sorry, I could not receive your file. Please send it again.")
