"""Normalise the ways people write a shop's Facebook page, Telegram, website, phone or wallet.

The one place where ``m.facebook.com/x``, ``fb.com/x/`` and ``https://www.facebook.com/x?ref=a``
become ``facebook:x``, and ``0 12 345 678``, ``+855 12 345 678``, ``855-12-345-678`` and
``០១២ ៣៤៥ ៦៧៨`` become ``phone:+85512345678``. Used by the store (declared identifiers, CSV
import, lookups), the HTTP server and the CLI.

Rules worth knowing:
- Facebook user names are case-insensitive and ignore dots (``sokha.fashion`` = ``sokhafashion``).
  Numeric page or profile ids (``profile.php?id=``, ``/pages/Name/123``, ``/p/Name-123``,
  ``/people/Name/123``, old ``Name-123`` vanity URLs) become ``facebook_id``.
- Telegram handles are case-insensitive; ``t.me/x``, ``t.me/s/x``, ``telegram.me/x``, ``@x``.
- Websites are their domain, lower-cased, without scheme, ``www.``/``m.``/``mobile.``, path,
  query or fragment: a shop's site is the same shop on every page of it. On hosts where many
  sellers have a page (Instagram, TikTok, Shopee, Linktree, Google Sites...), the path segment
  that names the seller is kept (``shopee.com.kh/sokha``).
- Links that do not name a page (Facebook ``share/...``, posts, photos, groups; Telegram invite
  links) are no identifier: :func:`unreadable_link` tells them apart, so the bot can ask for the
  page's own link or name instead of answering "not found".
- Phones become E.164; Cambodian numbers may be written with or without the trunk ``0``, with
  ``855``/``+855``/``00855``, in Khmer digits and with any separators.
- Payment accounts are ``name@bank`` (no dot after the ``@``), lower-cased: a Bakong account id
  (``sokha@aclb``), or an account number or merchant id at a bank (``000123456@abaa``, digits
  without separators), as read from a KHQR code (see :func:`payment_account`).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

from backend_client.models import Identifier, IdentifierKind

_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_FACEBOOK_HOSTS = frozenset({"facebook.com", "fb.com", "fb.me", "m.me", "fb.watch"})
_FACEBOOK_SUBDOMAINS = (
    "www.",
    "m.",
    "mobile.",
    "web.",
    "mbasic.",
    "touch.",
    "business.",
    "free.",
    "km-kh.",
    "en-gb.",
)
_TELEGRAM_HOSTS = frozenset({"t.me", "telegram.me", "telegram.dog"})
# First path segments of Facebook links that are not a page or profile: posts, media, groups,
# share links (``facebook.com/share/1AbC...`` redirects to something the bot cannot see).
_FACEBOOK_NOT_PAGES = frozenset(
    {
        "share",
        "sharer",
        "sharer.php",
        "story.php",
        "permalink.php",
        "photo.php",
        "photo",
        "photos",
        "video.php",
        "watch",
        "reel",
        "reels",
        "stories",
        "groups",
        "events",
        "marketplace",
        "hashtag",
        "search",
        "gaming",
        "live",
        "l.php",
        "login",
        "login.php",
        "home.php",
        "dialog",
        "plugins",
        "messages",
        "notifications",
        "friends",
        "bookmarks",
        "help",
        "policies",
        "privacy",
        "settings",
        "fundraisers",
    }
)
_FACEBOOK_UNREADABLE_HOSTS = frozenset({"fb.watch"})
_TELEGRAM_NOT_HANDLES = frozenset({"joinchat", "addlist", "c", "share", "addstickers", "proxy"})
_WEBSITE_PREFIXES = ("www.", "m.", "mobile.")
# Hosts on which many sellers have a page: how many path segments name the seller.
_SHARED_HOSTS = {
    "instagram.com": 1,
    "tiktok.com": 1,
    "youtube.com": 1,
    "twitter.com": 1,
    "x.com": 1,
    "threads.net": 1,
    "pinterest.com": 1,
    "linktr.ee": 1,
    "linkin.bio": 1,
    "beacons.ai": 1,
    "taplink.cc": 1,
    "wa.me": 1,
    "sites.google.com": 2,
    "etsy.com": 2,
}
_SHARED_HOST_BRANDS = frozenset({"shopee", "lazada", "amazon", "ebay"})
_HANDLE = re.compile(r"^[a-z0-9_]{3,64}$")
_FACEBOOK_NAME = re.compile(r"^[a-z0-9.\-]{1,100}$")
_VANITY_WITH_ID = re.compile(r"^.+-(\d{6,})$")
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-().]+$")
_PAYMENT = re.compile(r"^[a-z0-9_.\-]+@[a-z0-9_\-]+$")
_HOST = re.compile(r"^[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")
_CAMBODIA = "855"


def _clean(raw: str) -> str:
    """Unicode-normalise, translate Khmer digits and trim surrounding space and punctuation."""
    text = unicodedata.normalize("NFKC", raw).translate(_KHMER_DIGITS)
    text = text.replace("\u200b", "").strip()
    return text.strip(" \t\r\n,;")


def normalise_phone(raw: str) -> str | None:
    """Return the E.164 form of a phone number (Cambodian by default), or None."""
    text = _clean(raw)
    if not _PHONE_CHARS.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    elif digits.startswith(_CAMBODIA) and len(digits) in (11, 12, 13):
        international = digits
    elif digits.startswith("0") and len(digits) in (9, 10):
        international = _CAMBODIA + digits[1:]
    elif not digits.startswith("0") and len(digits) in (8, 9):
        international = _CAMBODIA + digits
    else:
        return None
    if international.startswith(_CAMBODIA):
        national = international[len(_CAMBODIA) :]
        if national.startswith("0"):  # "+855 012 ..." keeps the trunk prefix by mistake
            national = national[1:]
        if len(national) not in (8, 9) or national.startswith("0"):
            return None
        return f"+{_CAMBODIA}{national}"
    if not 8 <= len(international) <= 15:
        return None
    return f"+{international}"


def _url_parts(text: str) -> tuple[str, list[str], dict[str, list[str]]] | None:
    """Split something URL-like into lower-cased host, path segments and query."""
    candidate = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not _HOST.match(host):
        return None
    segments = [s for s in parts.path.split("/") if s]
    return host, segments, parse_qs(parts.query)


def _facebook(host: str, segments: list[str], query: dict[str, list[str]]) -> Identifier | None:
    """Read a Facebook URL as a page/profile user name or a numeric id."""
    if not segments:
        return None
    first = segments[0].lower()
    if first in _FACEBOOK_NOT_PAGES:
        return None
    if first == "profile.php":
        page_id = (query.get("id") or [""])[0]
        return Identifier(IdentifierKind.FACEBOOK_ID, page_id) if page_id.isdigit() else None
    if first in {"pages", "people", "pg"} and len(segments) >= 2:
        numeric = [s for s in segments[1:] if s.isdigit()]
        if numeric:
            return Identifier(IdentifierKind.FACEBOOK_ID, numeric[0])
        segments = segments[1:]
        first = segments[0].lower()
    if first == "p" and len(segments) >= 2:
        match = _VANITY_WITH_ID.match(segments[1])
        return Identifier(IdentifierKind.FACEBOOK_ID, match.group(1)) if match else None
    if first.isdigit():
        return Identifier(IdentifierKind.FACEBOOK_ID, first)
    vanity = _VANITY_WITH_ID.match(first)
    if vanity:
        return Identifier(IdentifierKind.FACEBOOK_ID, vanity.group(1))
    return facebook_name(first)


def facebook_name(raw: str) -> Identifier | None:
    """A bare Facebook user name: lower-cased, dots removed."""
    name = raw.strip().lstrip("@").lower()
    if not _FACEBOOK_NAME.match(name):
        return None
    name = name.replace(".", "")
    return Identifier(IdentifierKind.FACEBOOK, name) if name.strip("-") else None


def telegram_handle(raw: str) -> Identifier | None:
    """A bare Telegram handle, with or without ``@``, lower-cased."""
    handle = raw.strip().lstrip("@").lower()
    return Identifier(IdentifierKind.TELEGRAM, handle) if _HANDLE.match(handle) else None


def _telegram(segments: list[str]) -> Identifier | None:
    """Read a t.me link as a handle."""
    if segments and segments[0].lower() == "s":
        segments = segments[1:]
    if not segments or segments[0].startswith("+") or segments[0].lower() in _TELEGRAM_NOT_HANDLES:
        return None
    return telegram_handle(segments[0])


def website_host(host: str) -> str:
    """A host without its ``www.``, ``m.`` or ``mobile.`` variant prefixes."""
    host = host.lower().rstrip(".")
    stripped = True
    while stripped:
        stripped = False
        for prefix in _WEBSITE_PREFIXES:
            rest = host.removeprefix(prefix)
            if rest != host and "." in rest:
                host, stripped = rest, True
    return host


def _seller_segments(host: str) -> int:
    """How many path segments name the seller on ``host`` (0: the domain is the shop)."""
    if host in _SHARED_HOSTS:
        return _SHARED_HOSTS[host]
    return 1 if host.split(".")[0] in _SHARED_HOST_BRANDS else 0


def _website(host: str, segments: list[str]) -> Identifier | None:
    """A website: its domain, or on a shared host the seller's path too, lower-cased."""
    host = website_host(host)
    depth = _seller_segments(host)
    if host == "wa.me":
        phone = normalise_phone("+" + segments[0]) if segments else None
        return Identifier(IdentifierKind.PHONE, phone) if phone else None
    path = "/".join(segments[:depth]).lower()
    return Identifier(IdentifierKind.WEBSITE, f"{host}/{path}" if path else host)


def _strip_facebook_subdomain(host: str) -> str:
    """``m.facebook.com`` and friends are all ``facebook.com``."""
    for prefix in _FACEBOOK_SUBDOMAINS:
        if host.startswith(prefix) and host.removeprefix(prefix) in _FACEBOOK_HOSTS:
            return host.removeprefix(prefix)
    return host


def parse_url(raw: str) -> Identifier | None:
    """Read a Facebook, Telegram or other web address as one identifier."""
    text = _clean(raw)
    if text.lower().startswith("tg://"):
        domain = (parse_qs(urlsplit(text).query).get("domain") or [""])[0]
        return telegram_handle(domain)
    parts = _url_parts(text)
    if parts is None:
        return None
    host, segments, query = parts
    host = _strip_facebook_subdomain(host)
    if host in _FACEBOOK_UNREADABLE_HOSTS:
        return None
    if host in _FACEBOOK_HOSTS:
        return _facebook(host, segments, query)
    if host.removeprefix("www.") in _TELEGRAM_HOSTS:
        return _telegram(segments)
    return _website(host, segments)


def unreadable_link(raw: str) -> bool:
    """A Facebook or Telegram link that does not name a page, profile or handle.

    ``facebook.com/share/1AbC...``, a post, photo, video or group link, ``fb.watch/...``, a
    bare ``facebook.com``, ``profile.php`` without an id, a Telegram invite link: the bot cannot
    tell which shop they are, so it asks for the page's own link or name.
    """
    text = _clean(raw)
    parts = _url_parts(text)
    if parts is None or ("/" not in text and "." not in text):
        return False
    host = _strip_facebook_subdomain(parts[0])
    if host in _FACEBOOK_UNREADABLE_HOSTS:
        return True
    if host in _FACEBOOK_HOSTS or host.removeprefix("www.") in _TELEGRAM_HOSTS:
        return parse_url(text) is None
    return False


def parse_identifier(raw: str, kind: IdentifierKind | None = None) -> Identifier | None:
    """Normalise one declared identifier; ``kind`` settles bare names (``x`` vs ``@x``).

    Returns None when the text cannot be read as an identifier of that kind.
    """
    text = _clean(raw)
    if not text:
        return None
    display = raw.strip()
    found = _parse(text, kind)
    if found is None:
        return None
    return Identifier(found.kind, found.value, display)


def _parse(text: str, kind: IdentifierKind | None) -> Identifier | None:
    """Classification behind :func:`parse_identifier`."""
    if kind is IdentifierKind.PHONE:
        phone = normalise_phone(text)
        return Identifier(IdentifierKind.PHONE, phone) if phone else None
    if kind is IdentifierKind.PAYMENT:
        account = _payment_value(text)
        return Identifier(IdentifierKind.PAYMENT, account) if account else None
    if kind is IdentifierKind.FACEBOOK_ID:
        digits = re.sub(r"\s", "", text)
        return Identifier(IdentifierKind.FACEBOOK_ID, digits) if digits.isdigit() else None
    looks_like_url = "/" in text or ("." in text and " " not in text)
    if kind is IdentifierKind.TELEGRAM:
        found = parse_url(text) if looks_like_url else telegram_handle(text)
        return found if found and found.kind is IdentifierKind.TELEGRAM else None
    if kind is IdentifierKind.FACEBOOK:
        if text.isdigit():
            return Identifier(IdentifierKind.FACEBOOK_ID, text)
        lowered = text.lower()
        is_url = "/" in text or any(host in lowered for host in _FACEBOOK_HOSTS)
        found = parse_url(text) if is_url else facebook_name(text)
        return found if found and found.kind in _FACEBOOK_KINDS else None
    if kind is IdentifierKind.WEBSITE:
        found = parse_url(text)
        return found if found and found.kind is IdentifierKind.WEBSITE else None
    candidates = candidate_identifiers(text)
    return candidates[0] if len(candidates) == 1 else None


_FACEBOOK_KINDS = frozenset({IdentifierKind.FACEBOOK, IdentifierKind.FACEBOOK_ID})


def candidate_identifiers(query: str) -> tuple[Identifier, ...]:
    """Every identifier a search query could be; a bare word may be a page or a handle.

    Unambiguous forms (a URL, ``@handle``, a phone, ``name@bank``) give one candidate.
    """
    text = _clean(query)
    if not text:
        return ()
    if text.startswith("@") and " " not in text:
        found = telegram_handle(text)
        return (found,) if found else ()
    if "@" in text and " " not in text and "/" not in text:
        account = _payment_value(text)
        return (Identifier(IdentifierKind.PAYMENT, account),) if account else ()
    phone = normalise_phone(text)
    digits = re.sub(r"[\s\-]", "", text)
    if digits.isdigit():
        found_digits: list[Identifier] = []
        if phone:
            found_digits.append(Identifier(IdentifierKind.PHONE, phone))
        if len(digits) >= 8 and not digits.startswith("0"):
            found_digits.append(Identifier(IdentifierKind.FACEBOOK_ID, digits))
        return tuple(found_digits)
    if phone:
        return (Identifier(IdentifierKind.PHONE, phone),)
    if " " in text:
        return ()
    if "/" in text or "." in text or text.lower().startswith("tg:"):
        found = parse_url(text)
        if found and found.kind is IdentifierKind.WEBSITE and "/" not in text:
            # "sokha.fashion" is a host under the .fashion TLD, or a dotted Facebook name
            page = facebook_name(text)
            return (found, page) if page else (found,)
        return (found,) if found else ()
    bare = [c for c in (facebook_name(text), telegram_handle(text)) if c is not None]
    return tuple(bare)


def _payment_value(raw: str) -> str | None:
    """``name@bank`` lower-cased; an account number keeps its digits only (``000-123 456``)."""
    account = re.sub(r"\s", "", raw.lower())
    local, at, bank = account.partition("@")
    if at and re.fullmatch(r"\+?[\d\-.()]+", local) and any(c.isdigit() for c in local):
        account = f"{re.sub(r'[^0-9]', '', local)}@{bank}"
    return account if _PAYMENT.match(account) else None


def payment_account(account: str, bank: str) -> str | None:
    """The payment identifier of an account number or merchant id at a bank.

    ``bank`` is the part after ``@`` of the bank's Bakong id (``abaa`` of
    ``abaakhppxxx@abaa``): a bank-issued KHQR carries the bank's generic id first and the
    seller's own account or merchant id after it.
    """
    return _payment_value(f"{account}@{bank}")


def reference_text(identifier: Identifier) -> str:
    """A text that :func:`candidate_identifiers` reads back as ``identifier`` alone."""
    if identifier.kind is IdentifierKind.FACEBOOK:
        return f"facebook.com/{identifier.value}"
    if identifier.kind is IdentifierKind.FACEBOOK_ID:
        return f"facebook.com/profile.php?id={identifier.value}"
    if identifier.kind is IdentifierKind.TELEGRAM:
        return f"t.me/{identifier.value}"
    if identifier.kind is IdentifierKind.WEBSITE:
        return f"https://{identifier.value}"
    return identifier.value


def identifier_key(identifier: Identifier) -> str:
    """``kind:value``, the form used in logs-free indexes and CLI output."""
    return f"{identifier.kind.value}:{identifier.value}"
