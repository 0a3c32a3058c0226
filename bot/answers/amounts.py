"""Amounts of money and phone numbers typed as answers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from nlu.entities import extract_entities
from nlu.normalise import normalise_str

# A bare number without a currency: Cambodians quote small prices in dollars and large
# ones in riel, so from this amount on a bare number is read as riel.
RIEL_FROM: Final = Decimal(1000)

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w.]*\d)")
_INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|00)(?P<digits>[1-9][\d\s().\-]{6,18}\d)(?!\d)")


def parse_amount(text: str) -> tuple[Decimal, str] | None:
    """``(amount, "USD"|"KHR")`` for "50$", "USD 12.50", "៥០០០០៛", "2 លានរៀល", "50k riel".

    A number without a currency is dollars below 1,000 and riel from 1,000 on.
    """
    for entity in extract_entities(text):
        if entity.entity == "money" and entity.role in {"USD", "KHR"}:
            return Decimal(entity.value), entity.role
    norm = normalise_str(text)
    numbers = _NUMBER.findall(norm)
    if len(numbers) != 1:
        return None
    try:
        amount = Decimal(numbers[0].replace(",", ""))
    except InvalidOperation:
        return None
    if amount <= 0:
        return None
    return amount, "KHR" if amount >= RIEL_FROM else "USD"


def parse_phone(text: str) -> str | None:
    """A phone number as ``+855...`` (Cambodian numbers) or ``+<country><number>``."""
    for entity in extract_entities(text):
        if entity.entity == "phone":
            return entity.value
    match = _INTERNATIONAL.search(normalise_str(text))
    if match:
        digits = re.sub(r"\D", "", match.group("digits"))
        if 8 <= len(digits) <= 15:
            return "+" + digits
    return None
