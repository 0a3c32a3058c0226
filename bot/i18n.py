"""Per-message locale and gettext translations.

The locale lives in a ``ContextVar`` set for each inbound message, never in a process-wide
``gettext.install``. Catalogs are the compiled ``locales/<lang>/LC_MESSAGES/messages.mo`` files.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as babel_format_percent

SUPPORTED_LOCALES: Final = ("km", "en")
DEFAULT_LOCALE: Final = "km"
DOMAIN: Final = "messages"

_current_locale: ContextVar[str] = ContextVar("cets_locale", default=DEFAULT_LOCALE)


class CatalogMissingError(RuntimeError):
    """A compiled catalog is missing: the catalogs were not compiled at install time."""


def locales_dir() -> Path:
    """Directory holding the gettext catalogs (``CETS_LOCALES_DIR`` overrides)."""
    override = os.environ.get("CETS_LOCALES_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "locales"


def normalise_locale(code: str | None) -> str | None:
    """Map a platform language code (``en_US``, ``km-KH``) to a supported locale, or None."""
    if not code:
        return None
    base = code.replace("-", "_").split("_", 1)[0].lower()
    return base if base in SUPPORTED_LOCALES else None


@cache
def translations(locale: str) -> gettext.GNUTranslations:
    """The compiled catalog for a supported locale (loaded once)."""
    mo_path = locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    except FileNotFoundError as exc:
        raise CatalogMissingError(
            f"{mo_path} is missing; compile the catalogs with `make catalogs`"
        ) from exc


def current_locale() -> str:
    """The locale of the message being handled."""
    return _current_locale.get()


@contextmanager
def use_locale(locale: str) -> Iterator[str]:
    """Handle everything inside the block in ``locale``."""
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    token = _current_locale.set(locale)
    try:
        yield locale
    finally:
        _current_locale.reset(token)


def gettext_(message: str) -> str:
    """Translate ``message`` into the current locale."""
    return translations(current_locale()).gettext(message)


def pgettext(context: str, message: str) -> str:
    """Translate a short string (a button label) whose meaning depends on ``context``."""
    return translations(current_locale()).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count, using the locale's plural rules."""
    return translations(current_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


def NP_(context: str, message: str) -> str:
    """Mark a string with a context for extraction; translate it later with :func:`pgettext`."""
    del context
    return message


_ = gettext_


def format_usd(amount: Decimal) -> str:
    """An amount in US dollars for the current locale (no cents when the amount is whole)."""
    decimals = "" if amount == amount.to_integral_value() else ".00"
    pattern = f"¤#,##0{decimals}" if current_locale() == "en" else f"#,##0{decimals}¤"
    return format_currency(
        amount, "USD", locale=current_locale(), format=pattern, currency_digits=False
    )


def format_riel(amount: Decimal) -> str:
    """An amount in Cambodian riel for the current locale."""
    number = format_decimal(amount.quantize(Decimal(1)), locale=current_locale())
    return _("{amount} riel").format(amount=number)


def format_number(value: Decimal | int) -> str:
    """A number formatted for the current locale."""
    return format_decimal(value, locale=current_locale())


def format_percent(percent: Decimal) -> str:
    """A percentage (given as 75 for 75%) formatted for the current locale."""
    return babel_format_percent(percent / 100, locale=current_locale())


# Babel's Khmer "long" date ("15 ឧសភា 2028") leaves out the words Khmer writes before the day,
# month and year; dates are written ថ្ងៃទី15 ខែឧសភា ឆ្នាំ2028 (KHMER-REVIEW.md #1).
_KHMER_LONG_DATE: Final = "'ថ្ងៃទី'd 'ខែ'MMMM 'ឆ្នាំ'y"


def format_long_date(value: date) -> str:
    """A date written out for the current locale: 15 May 2028, ថ្ងៃទី15 ខែឧសភា ឆ្នាំ2028."""
    locale = current_locale()
    pattern = _KHMER_LONG_DATE if locale == "km" else "long"
    return babel_format_date(value, format=pattern, locale=locale)


def warm_up() -> None:
    """Load every locale's catalog and number data now (at start), not in a user's turn."""
    for locale in SUPPORTED_LOCALES:
        with use_locale(locale):
            format_usd(Decimal("1.5"))
            format_riel(Decimal(4000))
            _("Sorry, something went wrong. Please try again.")
