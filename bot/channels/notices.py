"""Texts that channel adapters write themselves, shared so every channel says the same thing."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import _, format_number

_MEBIBYTE = 1024 * 1024


def file_too_large(limit_bytes: int) -> str:
    """Tell the user a file is over the channel's size limit, in the current locale."""
    megabytes = (Decimal(limit_bytes) / _MEBIBYTE).quantize(Decimal("0.001"))
    return _(
        "Sorry, this file is too large for me to receive: the limit is {limit} MB. "
        "Please send a smaller file, for example a screenshot or a PDF with fewer pages."
    ).format(limit=format_number(megabytes))


def file_not_received() -> str:
    """Tell the user a file could not be fetched, in the current locale."""
    return _("Sorry, I could not receive your file. Please send it again.")
