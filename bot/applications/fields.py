"""Parsers for the application wizard's answers: registration, names, address, contact, pages.

Each parser returns :class:`Accept` with a JSON value, :class:`Reject` with a short reason in the
user's language, or None when the message does not look like an answer (then the rest of the bot
may take it: "how much is the fee?" in the middle of the wizard is still answered).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Final

from backend_client import Identifier, IdentifierKind
from bot.dialogue.state import JsonValue
from bot.forms import Accept, FieldInput, FormContext, Parsed, Reject
from bot.forms.escape import reads_as_question
from bot.i18n import _
from registry.identifiers import normalise_phone, parse_identifier

KEEP: Final = "="
"""The answer "keep what the register (or the current certificate) says"."""
KNOWN: Final = "_known"
"""Where the answers keep what the register knows about the business."""

_KHMER_DIGITS: Final = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_REGISTRATION: Final = re.compile(r"^[A-Z0-9][A-Z0-9\-/.]{2,38}[A-Z0-9]$")
_KHMER: Final = re.compile(r"[\u1780-\u17ff]")
_LATIN: Final = re.compile(r"[A-Za-z]")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
_ISO_DATE: Final = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY_DATE: Final = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_IDENTIFIER_TOKEN: Final = re.compile(r"[^\s,;]+")
MAX_NAME: Final = 120
MAX_ADDRESS: Final = 300
MIN_ADDRESS: Final = 8
OLDEST_REGISTRATION: Final = date(2000, 1, 1)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u200b", "").strip()


# -- what the register knows --------------------------------------------------------------------


def known(answers: dict[str, JsonValue], name: str) -> JsonValue:
    """What the register (or the current certificate) says for a field, if anything."""
    facts = answers.get(KNOWN)
    return facts.get(name) if isinstance(facts, dict) else None


def resolved(answers: dict[str, JsonValue], name: str) -> JsonValue:
    """A field's answer, with "keep" replaced by the known value."""
    value = answers.get(name)
    return known(answers, name) if value == KEEP else value


# -- registration -------------------------------------------------------------------------------


def normalise_registration(text: str) -> str:
    """A registration number as the registry compares it: upper case, no spaces."""
    return re.sub(r"\s+", "", _clean(text).translate(_KHMER_DIGITS)).upper()


def parse_registration_no(given: FieldInput, ctx: FormContext) -> Parsed:
    """An e-commerce registration (permission letter or licence) number, format checked."""
    text = _clean(given.text)
    if not text or given.files:
        return None
    number = normalise_registration(text)
    digits = sum(ch.isdigit() for ch in number)
    if _REGISTRATION.match(number) and digits >= 3:
        return Accept(number)
    if digits >= 3 and len(text) <= 40:
        return Reject(
            _(
                "That does not look like a registration number. Please type it as it is "
                "written on your permission letter or licence, e.g. EC-2024-000123."
            )
        )
    return None


def parse_day(text: str, today: date) -> date | None:
    """A date typed as 15/03/2024, 15-03-2024 or 2024-03-15 (Khmer digits too)."""
    cleaned = _clean(text).translate(_KHMER_DIGITS).replace(" ", "")
    iso = _ISO_DATE.match(cleaned)
    dmy = _DMY_DATE.match(cleaned)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if dmy:
            return date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
    except ValueError:
        return None
    return None


def parse_registration_date(given: FieldInput, ctx: FormContext) -> Parsed:
    """The date on the permission letter or licence: a real day, not in the future."""
    text = _clean(given.text)
    if not text or given.files:
        return None
    today = (ctx.turn.now + timedelta(hours=7)).date()  # Phnom Penh's calendar day
    day = parse_day(text, today)
    if day is None:
        if any(ch.isdigit() for ch in text.translate(_KHMER_DIGITS)):
            return Reject(_("Please write the date as day/month/year, e.g. 15/03/2024."))
        return None
    if day > today:
        return Reject(_("That date is in the future. Please check it."))
    if day < OLDEST_REGISTRATION:
        return Reject(_("That date is too early. Please check it."))
    return Accept(day.isoformat())


# -- names, address, contact --------------------------------------------------------------------


def _usable_text(given: FieldInput) -> str | None:
    text = _clean(given.text)
    if not text or given.files or reads_as_question(text):
        return None
    return text


def parse_khmer_name(given: FieldInput, ctx: FormContext) -> Parsed:
    """The business name in Khmer script."""
    text = _usable_text(given)
    if text is None:
        return None
    if not _KHMER.search(text):
        return Reject(_("Please write the name in Khmer script, or tap “Skip”."))
    if len(text) > MAX_NAME:
        return Reject(_("That name is too long. Please shorten it."))
    return Accept(text)


def parse_latin_name(given: FieldInput, ctx: FormContext) -> Parsed:
    """The business name in Latin letters (as on the registration, or as customers see it)."""
    text = _usable_text(given)
    if text is None:
        return None
    if _KHMER.search(text) or not _LATIN.search(text):
        return Reject(_("Please write the name in Latin letters, e.g. Sokha Fashion."))
    if len(text) > MAX_NAME:
        return Reject(_("That name is too long. Please shorten it."))
    return Accept(text)


def parse_address(given: FieldInput, ctx: FormContext) -> Parsed:
    """The business address: long enough to find the place."""
    text = _usable_text(given)
    if text is None:
        return None
    if len(text) < MIN_ADDRESS or not (_KHMER.search(text) or _LATIN.search(text)):
        return Reject(
            _("Please give the full address: house number, street, sangkat or commune, city.")
        )
    return Accept(text[:MAX_ADDRESS])


def parse_phone(given: FieldInput, ctx: FormContext) -> Parsed:
    """A contact phone number (typed or shared from the phone's contact card)."""
    text = _clean(given.text)
    if not text or given.files:
        return None
    phone = normalise_phone(text)
    if phone is not None:
        return Accept(phone)
    if sum(ch.isdigit() for ch in text.translate(_KHMER_DIGITS)) >= 6:
        return Reject(
            _("That does not look like a phone number. Please check it, e.g. 012 345 678.")
        )
    return None


def parse_email(given: FieldInput, ctx: FormContext) -> Parsed:
    """An e-mail address."""
    text = _clean(given.text)
    if not text or given.files or " " in text:
        return None
    if _EMAIL.match(text):
        return Accept(text.lower())
    if "@" in text:
        return Reject(_("That does not look like an e-mail address. Please check it."))
    return None


# -- pages, handles, websites, phones and payment accounts --------------------------------------


def identifier_json(identifier: Identifier) -> dict[str, JsonValue]:
    """An identifier as stored in the answers."""
    return {
        "kind": identifier.kind.value,
        "value": identifier.value,
        "display": identifier.display or identifier.value,
    }


def identifier_text(item: JsonValue) -> str:
    """How an identifier answer is shown (and sent to the registry, which parses it again)."""
    if not isinstance(item, dict):
        return str(item)
    kind, value = str(item.get("kind", "")), str(item.get("value", ""))
    forms = {
        IdentifierKind.FACEBOOK.value: f"facebook.com/{value}",
        IdentifierKind.FACEBOOK_ID.value: f"facebook.com/profile.php?id={value}",
        IdentifierKind.TELEGRAM.value: f"t.me/{value}",
        IdentifierKind.WEBSITE.value: value,
    }
    return forms.get(kind, value)


def identifier_shown(item: JsonValue) -> str:
    """An identifier as the user wrote it (the registry's form when that is unknown)."""
    if isinstance(item, dict) and item.get("display"):
        return str(item["display"])
    return identifier_text(item)


def identifier_summary(value: JsonValue, ctx: FormContext) -> str:
    """One identifier, or the list of them in the review."""
    if isinstance(value, list):
        return ", ".join(identifier_shown(item) for item in value)
    return identifier_shown(value)


def parse_identifiers(given: FieldInput, ctx: FormContext) -> Parsed:
    """Links, handles, phone numbers or payment accounts, several in one message if wanted."""
    text = _clean(given.text)
    if not text:
        return None
    if reads_as_question(text):
        return None
    found: list[JsonValue] = []
    unreadable: list[str] = []
    for token in _IDENTIFIER_TOKEN.findall(text):
        identifier = parse_identifier(token)
        if identifier is None:
            identifier = parse_identifier(token, IdentifierKind.PHONE)
        if identifier is None:
            unreadable.append(token)
        else:
            found.append(identifier_json(identifier))
    if found and not unreadable:
        return Accept(found)
    if found or len(unreadable) <= 2:
        return Reject(
            _(
                "I could not read “{text}”. Send each page as a full link (facebook.com/yourpage, "
                "t.me/yourshop, yourshop.com), a phone number, or a payment account like "
                "name@bank."
            ).format(text=" ".join(unreadable[:3]))
        )
    return None
