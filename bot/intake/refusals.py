"""Why a file was refused, told to the user in one sentence in the current locale."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Final

from bot.i18n import _, format_number

_MEBIBYTE: Final = 1024 * 1024


class RefusalReason(StrEnum):
    """What was wrong with a file."""

    TOO_LARGE = "too_large"
    EMPTY = "empty"
    NOT_ACCEPTED = "not_accepted"  # not a JPEG, PNG, WebP or PDF
    TOO_MANY_PIXELS = "too_many_pixels"
    DAMAGED = "damaged"
    LOCKED = "locked"  # a PDF that needs a password to open


def megabytes(limit_bytes: int) -> str:
    """A byte count as megabytes for the current locale (20971520 -> "20", 4096 -> "0.004")."""
    return format_number((Decimal(limit_bytes) / _MEBIBYTE).quantize(Decimal("0.001")))


def megapixels(pixels: int) -> str:
    """A pixel count as megapixels for the current locale (64000000 -> "64")."""
    return format_number((Decimal(pixels) / 1_000_000).quantize(Decimal("0.01")))


class FileRefused(Exception):
    """A file the intake does not take; :meth:`message` says why to the user.

    ``str(error)`` is a short English description for logs; it never holds the file's name.
    """

    def __init__(
        self, reason: RefusalReason, *, limit: int | None = None, detail: str = ""
    ) -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.limit = limit  # bytes for TOO_LARGE, pixels for TOO_MANY_PIXELS

    def message(self) -> str:
        """One clear sentence in the current locale (gettext), e.g. the size limit."""
        reason = self.reason
        if reason is RefusalReason.TOO_LARGE:
            return too_large_sentence(self.limit or 0)
        if reason is RefusalReason.EMPTY:
            return _("Sorry, this file is empty, so please send it again.")
        if reason is RefusalReason.NOT_ACCEPTED:
            return _("Sorry, I can only accept photos (JPEG, PNG or WebP) and PDF files.")
        if reason is RefusalReason.TOO_MANY_PIXELS:
            return _(
                "Sorry, this image has too many pixels for me to open (the limit is "
                "{megapixels} megapixels), so please send a smaller photo or a screenshot."
            ).format(megapixels=megapixels(self.limit or 0))
        if reason is RefusalReason.LOCKED:
            return _(
                "Sorry, this PDF is protected by a password, so please send a copy without "
                "the password."
            )
        return _(
            "Sorry, this file seems to be damaged and I cannot open it, so please send it again."
        )


def too_large_sentence(limit_bytes: int) -> str:
    """The sentence for a file over ``limit_bytes``, in the current locale."""
    return _(
        "Sorry, this file is too large for me to receive (the limit is {limit} MB), so please "
        "send a smaller one, such as a screenshot or a PDF with fewer pages."
    ).format(limit=megabytes(limit_bytes))
