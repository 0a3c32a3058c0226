"""Typed answers of the complaint wizard: dates, amounts, categories, ways of paying.

Dates and amounts use the NLU's normalisation (Khmer digits, zero-width spaces) and its money
entity. These small parsers stand in until the shared step-answer parsers (``bot.answers``,
CONTRACTS.md) are on main; they keep the same signatures so the switch is an import.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final

from nlu.entities import extract_entities
from nlu.normalise import normalise

# A bare number: small prices are quoted in dollars, large ones in riel.
RIEL_FROM: Final = Decimal(1000)

_YESTERDAY: Final = re.compile(
    r"\byesterday\b|ម្សិលមិញ|\bm ?sel ?minh\b|\bmsil ?minh\b", re.IGNORECASE
)
_TODAY: Final = re.compile(r"\btoday\b|ថ្ងៃនេះ|\bt?h?ngai ?nih?s?\b", re.IGNORECASE)
_DAYS_AGO: Final = re.compile(
    r"(?P<n>\d{1,3}) ?(?P<unit>days?|weeks?|ថ្ងៃ|សប្តាហ៍|អាទិត្យ|t?h?ngai|atit) ?"
    r"(?:ago|មុន|mun|muon)",
    re.IGNORECASE,
)
_DMY: Final = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})(?:[/.\-](?P<y>\d{2,4}))?(?!\d)"
)
_ISO: Final = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_BARE_NUMBER: Final = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w.])")


def _text(raw: str) -> str:
    return normalise(raw).text


def parse_date(text: str, today: date) -> date | None:
    """The date a message gives ("yesterday", "ម្សិលមិញ", "3 days ago", 15/11/2026), or None.

    Day first, as in Cambodia; a date without a year is in ``today``'s year.
    """
    cleaned = _text(text)
    if _YESTERDAY.search(cleaned):
        return today - timedelta(days=1)
    if _TODAY.search(cleaned):
        return today
    ago = _DAYS_AGO.search(cleaned)
    if ago:
        unit = ago.group("unit")
        weeks = unit.startswith(("week", "សប្តាហ៍", "អាទិត្យ", "atit"))
        return today - timedelta(days=int(ago.group("n")) * (7 if weeks else 1))
    for pattern in (_ISO, _DMY):
        found = pattern.search(cleaned)
        if found is None:
            continue
        year = found.group("y")
        number = int(year) if year else today.year
        if number < 100:
            number += 2000
        try:
            return date(number, int(found.group("m")), int(found.group("d")))
        except ValueError:
            return None
    return None


def parse_amount(text: str) -> tuple[Decimal, str] | None:
    """``(amount, "USD"|"KHR")`` for "25$", "USD 12.50", "100,000 រៀល", "50k riel", "25".

    A number without a currency is dollars below 1,000 and riel from 1,000 on.
    """
    for entity in extract_entities(text):
        if entity.entity == "money" and entity.role in {"USD", "KHR"}:
            try:
                return Decimal(entity.value), entity.role
            except InvalidOperation:
                return None
    numbers = _BARE_NUMBER.findall(_text(text))
    if len(numbers) != 1:
        return None
    try:
        amount = Decimal(numbers[0].replace(",", ""))
    except InvalidOperation:
        return None
    if amount <= 0:
        return None
    return amount, "KHR" if amount >= RIEL_FROM else "USD"


_CATEGORY_WORDS: Final = (
    ("misuse_of_mark", r"trust ?mark|badge|logo|fake (cets|certificate)|ស្លាកសញ្ញា|វិញ្ញាបនបត្រក្លែង"),
    (
        "personal_data",
        r"personal data|my data|privacy|my (photo|number|address)|ទិន្នន័យ|ព័ត៌មានផ្ទាល់ខ្លួន",
    ),
    ("refund_refused", r"refund|money back|សងប្រាក់|សងលុយ|ដូរវិញ|song luy"),
    (
        "non_delivery",
        r"not (yet )?(delivered|arrived|received)|never (came|arrived)|no delivery|"
        r"មិនបានទទួល|មិនទាន់ទទួល|អត់ទាន់បាន|អត់បានទទួល|ot ban tortuol",
    ),
    (
        "not_as_described",
        r"not as (described|shown|pictured)|different|wrong (item|size|colou?r)|"
        r"មិនដូច|ខុសពី|khos pi",
    ),
    ("defective", r"broken|defect|damaged|fake|counterfeit|ខូច|ក្លែងក្លាយ|khouch"),
    ("fraud", r"scam|fraud|cheat|blocked me|បោកប្រាស់|បោក|bok"),
)
_CATEGORY_PATTERNS: Final = tuple(
    (key, re.compile(pattern, re.IGNORECASE)) for key, pattern in _CATEGORY_WORDS
)

_PAYMENT_WORDS: Final = (
    ("aba", r"\baba\b|អេប៊ីអេ"),
    ("acleda", r"acleda|អេស៊ីលីដា|អេស៊ីលេដា"),
    ("wing", r"\bwing\b|វីង"),
    ("khqr", r"khqr|bakong|\bqr\b|បាគង"),
    ("cod", r"cash|\bcod\b|on delivery|សាច់ប្រាក់|លុយសុទ្ធ|បង់ពេលទទួល|ទូទាត់ពេលទទួល"),
)
_PAYMENT_PATTERNS: Final = tuple(
    (key, re.compile(pattern, re.IGNORECASE)) for key, pattern in _PAYMENT_WORDS
)


def _first(table: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> str | None:
    cleaned = _text(text)
    return next((key for key, pattern in table if pattern.search(cleaned)), None)


def parse_category(text: str) -> str | None:
    """The complaint category a typed answer names ("it never arrived", "ខូច"), if any."""
    return _first(_CATEGORY_PATTERNS, text)


def parse_payment(text: str) -> str | None:
    """The way of paying a typed answer names ("aba", "cash on delivery", "វីង"), if any."""
    return _first(_PAYMENT_PATTERNS, text)
