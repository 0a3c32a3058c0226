"""Rule-based entity extraction with offsets into the original (unnormalised) text.

Every rule runs on the normalised text (see :mod:`nlu.normalise`), so Khmer digits, zero-width
spaces and reordered Khmer characters give the same entities as clean text. Business categories
come from the ``synonym:`` entries of the Rasa data files, so Rasa and the embedded engine share
one list.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from nlu.interface import Entity
from nlu.normalise import NormalisedText, normalise
from nlu.phrases import PhraseMatcher
from nlu.shop_query import find_shop_mention
from nlu.training_data import load_training_data

DEFAULT_DATA_DIR = Path(__file__).parent / "data"

BUSINESS_CATEGORIES = ("individual", "sole_proprietorship", "legal_person", "foreign_branch")

# Placeholders that stand for an entity in the text the intent classifier sees. Private-use
# characters: one symbol each, they cannot collide with anything a user types.
MASKS = {
    "application_id": "\ue001",
    "complaint_id": "\ue002",
    "certificate_id": "\ue003",
    "phone": "\ue004",
    "facebook_page": "\ue005",
    "telegram_handle": "\ue006",
    "website": "\ue007",
    "money": "\ue008",
    "number": "\ue009",
    "shop": "\ue00a",
}

_SEP = r"[\s.\-]?"
_ID = re.compile(
    r"(?<![a-z0-9])(?P<prefix>cets|app|cmp)[\s\-_/.#:]*(?P<year>20\d{2})[\s\-_/.]*"
    r"(?P<number>\d{6})(?!\d)"
)
_ID_ENTITY = {"cets": "certificate_id", "app": "application_id", "cmp": "complaint_id"}
_ID_PREFIX = {"cets": "CETS", "app": "APP", "cmp": "CMP"}

_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)?\s?855" + _SEP + r"(?:\(0\)" + _SEP + r"|0" + _SEP + r")?|\(?0)"
    r"(?P<area>[1-9]\d)\)?"
    r"(?P<rest>(?:" + _SEP + r"\d){6,7})"
    r"(?!\d)"
)

_URL_TAIL = r"(?P<path>/[^\s]*)?"
_FACEBOOK = re.compile(
    r"(?<![\w@.\-/])(?:https?://)?(?:(?:www|m|web|mbasic|business)\.)?"
    r"(?:facebook\.com|fb\.com|fb\.me)" + _URL_TAIL
)
_TELEGRAM_URL = re.compile(
    r"(?<![\w@.\-/])(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?P<handle>[a-z][a-z0-9_]{3,31})"
)
_TELEGRAM_HANDLE = re.compile(r"(?<![\w@.])@(?P<handle>[a-z][a-z0-9_]{4,31})(?![\w@])")
_TLDS = (
    "com|kh|net|org|shop|store|online|asia|info|biz|co|io|me|app|site|xyz|gov|edu|page|link|"
    "top|club|tech|website|shopping|market"
)
_WEBSITE = re.compile(
    r"(?<![\w@.\-/])(?:(?P<scheme>https?://)(?:www\.)?"
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,24})"
    r"|(?:www\.)?(?P<bare>(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:" + _TLDS + r")"
    r"(?:\.[a-z]{2})?))(?![\w\-])" + _URL_TAIL
)
_TRAILING_PUNCT = ".,;:!?)]}'\"។"

_AMOUNT = r"(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+|\d+(?:\.\d+)?)"
_MULTIPLIER = r"(?:\s?(?P<mult>k|thousand|million|mil|ពាន់|ម៉ឺន|សែន|លាន))?"
_USD_WORDS = r"(?:\$|usd|us\s?dollars?|dollars?|dolla|dolar|dola|ដុល្លារ|ដុល្លា)"
_KHR_WORDS = r"(?:៛|khr|riels?|reils?|rial|ria|រៀល)"
_MULTIPLIERS = {
    "k": 1000,
    "thousand": 1000,
    "ពាន់": 1000,
    "ម៉ឺន": 10_000,
    "សែន": 100_000,
    "million": 1_000_000,
    "mil": 1_000_000,
    "លាន": 1_000_000,
}


def _money_before(words: str) -> re.Pattern[str]:
    """Amount then currency: ``50$``, ``100,000 riel``, ``2 លានរៀល``."""
    return re.compile(
        r"(?<![\w.,])" + _AMOUNT + _MULTIPLIER + r"\s?(?P<cur>" + words + r")(?![a-z])"
    )


def _money_after(words: str) -> re.Pattern[str]:
    """Currency then amount: ``$50``, ``USD 20``, ``៛5000``."""
    return re.compile(
        r"(?<![a-z])(?P<cur>" + words + r")\s?" + _AMOUNT + _MULTIPLIER + r"(?![\w.,]\d|[a-z])"
    )


_MONEY = [
    (_money_before(_USD_WORDS), "USD"),
    (_money_before(_KHR_WORDS), "KHR"),
    (_money_after(r"(?:\$|usd|us\$)"), "USD"),
    (_money_after(r"(?:៛|khr)"), "KHR"),
]
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Span:
    """An entity found in normalised text: its ``[start, end)`` there and the entity."""

    start: int
    end: int
    entity: str
    value: str
    role: str | None = None
    mask: str = ""


class EntityExtractor:
    """Finds the project's entities; business categories come from a synonym table."""

    def __init__(self, categories: Mapping[str, Iterable[str]]) -> None:
        """Build from ``{category: [surface forms]}`` (any language, any spelling)."""
        self._categories = PhraseMatcher(
            {
                category: [category.replace("_", " "), *words]
                for category, words in categories.items()
            }
        )
        # One message's entities are asked for by the NLU and the language detection.
        self._recent = functools.lru_cache(maxsize=128)(self._find)

    @classmethod
    def from_synonyms(cls, synonyms: Mapping[str, list[str]]) -> EntityExtractor:
        """Build from Rasa ``synonym:`` entries, keeping those named after a category."""
        return cls({k: v for k, v in synonyms.items() if k in BUSINESS_CATEGORIES})

    def spans(self, norm: NormalisedText) -> list[Span]:
        """All entities in normalised text, non-overlapping, in order of appearance."""
        return list(self._recent(norm))

    def _find(self, norm: NormalisedText) -> tuple[Span, ...]:
        text = norm.text
        found: list[Span] = []
        found.extend(_ids(text))
        found.extend(_urls(norm))
        found.extend(_phones(text))
        found.extend(_money(text))
        found.extend(_shops(norm))
        found.extend(self._business_categories(text))
        accepted: list[Span] = []
        for span in found:  # earlier rules win overlaps
            if all(span.end <= a.start or span.start >= a.end for a in accepted):
                accepted.append(span)
        return tuple(sorted(accepted, key=lambda s: s.start))

    def extract(self, text: str) -> tuple[Entity, ...]:
        """Entities of a message with offsets into ``text`` itself."""
        return self.extract_normalised(normalise(text))

    def extract_normalised(self, norm: NormalisedText) -> tuple[Entity, ...]:
        """Entities of an already normalised message with offsets into its original text."""
        entities: list[Entity] = []
        for span in self.spans(norm):
            start, end = norm.to_original(span.start, span.end)
            entities.append(Entity(span.entity, span.value, start, end, span.role))
        return tuple(entities)

    def masked(self, norm: NormalisedText, spans: list[Span] | None = None) -> str:
        """Normalised text with entities and numbers replaced by placeholder symbols.

        The classifier sees that a message holds a phone number or an application id, but
        never the digits, so they neither break character n-grams nor leak into intents.
        """
        text = norm.text
        pieces: list[str] = []
        pos = 0
        for span in self.spans(norm) if spans is None else spans:
            if span.mask:
                pieces.append(text[pos : span.start])
                pieces.append(f" {span.mask} ")
                pos = span.end
        pieces.append(text[pos:])
        joined = _NUMBER.sub(f" {MASKS['number']} ", "".join(pieces))
        return " ".join(joined.split())

    def _business_categories(self, text: str) -> Iterable[Span]:
        """Business categories named in any language or spelling."""
        for start, end, category in self._categories.finditer(text):
            yield Span(start, end, "business_category", category)


def _ids(text: str) -> Iterable[Span]:
    """Certificate, application and complaint ids, written with any separators."""
    for m in _ID.finditer(text):
        prefix = m.group("prefix")
        entity = _ID_ENTITY[prefix]
        value = f"{_ID_PREFIX[prefix]}-{m.group('year')}-{m.group('number')}"
        yield Span(m.start(), m.end(), entity, value, mask=MASKS[entity])


def _shops(norm: NormalisedText) -> Iterable[Span]:
    """The shop a trust question names ("is Best Price KH legit?"), as the user typed it."""
    mention = find_shop_mention(norm)
    if mention is not None:
        yield Span(mention.start, mention.end, "shop", mention.name, mask=MASKS["shop"])


def _trim_url(text: str, start: int, end: int) -> int:
    """End of a URL match without trailing punctuation that belongs to the sentence."""
    while end > start and text[end - 1] in _TRAILING_PUNCT:
        end -= 1
    return end


def _urls(norm: NormalisedText) -> Iterable[Span]:
    """Facebook pages, Telegram handles and websites with canonical values."""
    text = norm.text
    for m in _FACEBOOK.finditer(text):
        end = _trim_url(text, m.start(), m.end())
        tail = text[m.start("path") : end].strip("/") if m.group("path") else ""
        value = "https://www.facebook.com/" + tail if tail else "https://www.facebook.com"
        yield Span(m.start(), end, "url", value, "facebook_page", MASKS["facebook_page"])
    for pattern in (_TELEGRAM_URL, _TELEGRAM_HANDLE):
        for m in pattern.finditer(text):
            value = "https://t.me/" + m.group("handle")
            yield Span(
                m.start(), m.end(), "url", value, "telegram_handle", MASKS["telegram_handle"]
            )
    for m in _WEBSITE.finditer(text):
        end = _trim_url(text, m.start(), m.end())
        host = m.group("host") or m.group("bare")
        if host.endswith(("facebook.com", "fb.com", "fb.me", "t.me", "telegram.me")):
            continue
        path_start = m.start("path") if m.group("path") else end
        orig_start, orig_end = norm.to_original(path_start, end) if path_start < end else (0, 0)
        path = norm.original[orig_start:orig_end].rstrip("/") if path_start < end else ""
        value = "https://" + host.removeprefix("www.") + path
        yield Span(m.start(), end, "url", value, "website", MASKS["website"])


def _phones(text: str) -> Iterable[Span]:
    """Cambodian phone numbers, normalised to ``+855`` and the national number."""
    for m in _PHONE.finditer(text):
        digits = m.group("area") + re.sub(r"\D", "", m.group("rest"))
        yield Span(m.start(), m.end(), "phone", "+855" + digits, mask=MASKS["phone"])


def _amount(match: re.Match[str]) -> str | None:
    """The amount of a money match as a plain decimal string (thousands and multipliers applied)."""
    try:
        amount = Decimal(match.group("amount").replace(",", "").replace(" ", ""))
    except InvalidOperation:
        return None
    mult = match.group("mult")
    if mult:
        amount *= _MULTIPLIERS[mult]
    text = format(amount.normalize(), "f")
    return text


def _money(text: str) -> Iterable[Span]:
    """Amounts of money in US dollars or riel, with the currency as the role."""
    for pattern, currency in _MONEY:
        for m in pattern.finditer(text):
            value = _amount(m)
            if value is not None:
                yield Span(m.start(), m.end(), "money", value, currency, MASKS["money"])


@functools.cache
def default_extractor() -> EntityExtractor:
    """The extractor built from the synonyms shipped in ``nlu/data``."""
    return EntityExtractor.from_synonyms(load_training_data(DEFAULT_DATA_DIR).synonyms)


def extract_entities(text: str) -> tuple[Entity, ...]:
    """Entities of a message (phone, url, ids, money, shop, business_category), with offsets."""
    return default_extractor().extract(text)
