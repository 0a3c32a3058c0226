"""Which language a public page is shown in: ``?lang=``, then ``Accept-Language``, else Khmer."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import DEFAULT_LOCALE, normalise_locale


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def from_accept_language(header: str) -> str | None:
    """The supported locale the browser prefers most (``en-US,en;q=0.9,km;q=0.8``), or None."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, *parameters = item.split(";")
        locale = normalise_locale(tag.strip())
        quality = _quality(parameters)
        if locale is not None and quality > 0:
            ranked.append((-quality, position, locale))
    return min(ranked)[2] if ranked else None


def page_locale(query: Mapping[str, str], headers: Mapping[str, str]) -> str:
    """The locale of a page: an explicit ``lang`` wins, then the browser's, then Khmer."""
    chosen = normalise_locale(query.get("lang"))
    if chosen is not None:
        return chosen
    return from_accept_language(headers.get("Accept-Language", "")) or DEFAULT_LOCALE
