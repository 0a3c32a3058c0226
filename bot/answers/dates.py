"""Dates as people type them: 15/05/2028, 2028-05-15, 15 May, ថ្ងៃទី15 ខែឧសភា ឆ្នាំ2028, ម្សិលមិញ."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

from bot.answers.matching import clean

_MONTHS: Final = {
    1: ("january", "jan", "មករា", "makara", "mak ka ra"),
    2: ("february", "feb", "កុម្ភៈ", "កុម្ភះ", "kompheak", "kumpheak", "kompeak"),
    3: ("march", "mar", "មីនា", "mina", "minea"),
    4: ("april", "apr", "មេសា", "mesa"),
    5: ("may", "ឧសភា", "osaphea", "ousaphea", "usaphea"),
    6: ("june", "jun", "មិថុនា", "mithona", "mitona"),
    7: ("july", "jul", "កក្កដា", "kakkada", "kakada"),
    8: ("august", "aug", "សីហា", "seiha", "seyha", "sei ha"),
    9: ("september", "sept", "sep", "កញ្ញា", "kanha", "kagna"),
    10: ("october", "oct", "តុលា", "tola", "tula"),
    11: ("november", "nov", "វិច្ឆិកា", "vichheka", "vicheka", "vichika"),
    12: ("december", "dec", "ធ្នូ", "thnu", "tnou", "thnou"),
}
_MONTH_OF: Final = {clean(word): number for number, words in _MONTHS.items() for word in words}
_MONTH_WORDS = "|".join(sorted((re.escape(w) for w in _MONTH_OF), key=len, reverse=True))

_TODAY: Final = ("today", "ថ្ងៃនេះ", "tngai nis", "thngai nis", "tngai nih", "thngai nih")
_YESTERDAY: Final = ("yesterday", "ម្សិលមិញ", "msel minh", "mselminh", "m sel minh", "msil minh")
_BEFORE_YESTERDAY: Final = ("day before yesterday", "ម្សិលម៉្ងៃ", "msel mngai")
_TOMORROW: Final = ("tomorrow", "ថ្ងៃស្អែក", "ស្អែក", "saek", "sa ek", "s aek", "sa aek")

_UNITS: Final = {
    "day": 1,
    "days": 1,
    "ថ្ងៃ": 1,
    "tngai": 1,
    "thngai": 1,
    "week": 7,
    "weeks": 7,
    "សប្តាហ៍": 7,
    "អាទិត្យ": 7,
    "atit": 7,
    "month": 30,
    "months": 30,
    "ខែ": 30,
    "khe": 30,
}
_UNIT_WORDS = "|".join(sorted((re.escape(w) for w in _UNITS), key=len, reverse=True))
_AGO = re.compile(
    r"(?P<n>\d{1,3}) ?(?P<unit>" + _UNIT_WORDS + r") ?(?:ago|មុន|mun|before|muon)(?![a-z])"
)

_ISO = re.compile(r"(?<!\d)(?P<y>\d{4}) (?P<m>\d{1,2}) (?P<d>\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(?P<d>\d{1,2}) (?P<m>\d{1,2})(?: (?P<y>\d{4}|\d{2}))?(?!\d)")
_DAY_PREFIX = r"(?:ថ្ងៃទី ?|ថ្ងៃ ?|the |tngai ti |thngai ti |ti )?"
_MONTH_PREFIX = r"(?:ខែ ?|khe |of )?"
_YEAR_PREFIX = r"(?:ឆ្នាំ ?|chnam |year )?"
_TEXT_DMY = re.compile(
    r"(?<![\w])"
    + _DAY_PREFIX
    + r"(?P<d>\d{1,2})(?:st|nd|rd|th)? ?"
    + _MONTH_PREFIX
    + r"(?P<month>"
    + _MONTH_WORDS
    + r")(?![a-z])(?: ?"
    + _YEAR_PREFIX
    + r"(?P<y>\d{4}))?"
)
_TEXT_MDY = re.compile(
    r"(?<![\w])(?P<month>" + _MONTH_WORDS + r")(?![a-z]) ?(?P<d>\d{1,2})(?:st|nd|rd|th)?"
    r"(?![\d])(?: ?(?P<y>\d{4}))?"
)
_MONTH_NUMBER = re.compile(r"ថ្ងៃទី ?(?P<d>\d{1,2}) ?ខែ ?(?P<m>\d{1,2})(?: ?ឆ្នាំ ?(?P<y>\d{4}))?")


def _build(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(raw: str | None, today: date) -> int:
    if not raw:
        return today.year
    year = int(raw)
    return year + 2000 if year < 100 else year


def _has(text: str, words: tuple[str, ...]) -> bool:
    """True when one of ``words`` occurs in cleaned ``text`` (Latin as whole words)."""
    padded = f" {text} "
    unspaced = text.replace(" ", "")
    for word in words:
        norm = clean(word)
        if any("\u1780" <= ch <= "\u17ff" for ch in norm):
            if norm.replace(" ", "") in unspaced:
                return True
        elif f" {norm} " in padded:
            return True
    return False


def parse_date(text: str, today: date) -> date | None:
    """The date a message gives, or None.

    Day first, as in Cambodia (05/06/2028 is 5 June); a year of two digits is 20xx; a date
    without a year is in ``today``'s year. Relative dates ("yesterday", "ម្សិលមិញ",
    "3 days ago", "២ថ្ងៃមុន") count back from ``today``.
    """
    cleaned = clean(text)
    if not cleaned:
        return None
    if _has(cleaned, _BEFORE_YESTERDAY):
        return today - timedelta(days=2)
    if _has(cleaned, _YESTERDAY):
        return today - timedelta(days=1)
    if _has(cleaned, _TODAY):
        return today
    if _has(cleaned, _TOMORROW):
        return today + timedelta(days=1)
    ago = _AGO.search(cleaned)
    if ago:
        return today - timedelta(days=int(ago.group("n")) * _UNITS[ago.group("unit")])
    m = _MONTH_NUMBER.search(cleaned)
    if m:
        return _build(_year(m.group("y"), today), int(m.group("m")), int(m.group("d")))
    for pattern in (_TEXT_DMY, _TEXT_MDY):
        m = pattern.search(cleaned)
        if m:
            month = _MONTH_OF[m.group("month")]
            return _build(_year(m.group("y"), today), month, int(m.group("d")))
    m = _ISO.search(cleaned)
    if m:
        return _build(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    m = _DMY.search(cleaned)
    if m:
        return _build(_year(m.group("y"), today), int(m.group("m")), int(m.group("d")))
    return None
