"""Checking a shop: an honest verdict from the registry, by page, phone, name or certificate.

Verdicts never mislead:
- a green "certified" card only for an exact match (a page, phone or account the certificate
  covers, a certificate or registration number) or for a shop the user picked from names;
- a name alone is never a verdict: close names are offered as buttons, pressing one confirms;
- a certificate number never issued, or a certificate shown for a page it does not cover, is
  flagged as a likely fake or copied badge, with a button to report it;
- links that name no page (share or post links) get a request for the page's link or name;
- when the registry cannot be reached the answer says so, never "not found".
Every answer ends with the reminder that the bot and the Ministry never ask for payment or
passwords.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend_client import (
    BackendError,
    Identifier,
    IdentifierKind,
    MatchKind,
    RegistryBackend,
    ShopMatch,
    ShopVerdict,
    ValidationError,
    Verdict,
)
from bot import forms, keyboards
from bot.forms import FORMS, Accept, Field, FieldInput, Form, FormContext, Parsed
from bot.i18n import _, current_locale, format_long_date, ngettext, pgettext
from bot.messages import Button, CardReply
from bot.turn import Turn
from nlu.entities import extract_entities
from registry.identifiers import candidate_identifiers, reference_text, unreadable_link
from registry.names import normalise_name

log = logging.getLogger(__name__)

MAX_MATCHES = 3
MAX_LINKS = 2
LOOKUP_TIMEOUT_SECONDS = 12.0
"""A shopper waits no longer than this for a verdict (the HTTP client retries within it)."""
BADGE_MEMORY = timedelta(minutes=30)
"""How long a checked certificate is compared with the pages checked after it."""
_QUERY_ENTITIES = ("certificate_id", "url", "phone")
_BADGE = "badge"
_BADGE_AT = "badge_at"
_PAYLOAD_ROOM = 64 - len("cmp:shop:")


class RegistryDown(Exception):
    """The registry could not answer in time: no verdict can be given."""


async def lookup(
    backend: RegistryBackend, query: str, *, limit: int = MAX_MATCHES
) -> list[ShopMatch]:
    """The registry's matches for ``query``; RegistryDown when it cannot answer in time.

    A query the registry refuses as invalid (too long) finds nothing.
    """
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT_SECONDS):
            return list(await backend.find_shops(query, limit=limit))
    except ValidationError:
        return []
    except (BackendError, TimeoutError) as exc:
        log.warning("registry unavailable for a shop check (%s)", type(exc).__name__)
        raise RegistryDown from exc


@dataclass(frozen=True, slots=True)
class ShopQuery:
    """What a message asks to check: certificate numbers, links or phones, else a name."""

    certificates: tuple[str, ...]
    links: tuple[str, ...]
    name: str

    @classmethod
    def read(cls, text: str) -> ShopQuery:
        """Find certificate ids, links and phones in ``text``; without any, the text is a name."""
        entities = extract_entities(text)
        certificates = tuple(
            dict.fromkeys(e.value for e in entities if e.entity == "certificate_id")
        )
        links = tuple(dict.fromkeys(e.value for e in entities if e.entity in ("url", "phone")))
        # Without a link or number, the registry reads the text itself: a name, or a handle,
        # account or page name the entity rules do not know.
        name = "" if certificates or links else text.strip()
        return cls(certificates[:1], links[:MAX_LINKS], name)


# Pieces of every answer


def safety_line() -> str:
    """The reminder every shop check ends with."""
    return _(
        "\U0001f512 This bot and the Ministry of Commerce never ask you for payment or passwords."
    )


def with_safety(*lines: str) -> str:
    """Lines of an answer, then the safety reminder."""
    return "\n".join([*lines, safety_line()])


def shop_display_name(shop: ShopVerdict) -> str:
    """The shop's name in the reply language (its Khmer name in Khmer, when it has one)."""
    if current_locale() == "km" and shop.name_km:
        return shop.name_km
    return shop.name


def _identifier_text(identifier: Identifier) -> str:
    if identifier.kind is IdentifierKind.FACEBOOK:
        return f"facebook.com/{identifier.value}"
    if identifier.kind is IdentifierKind.TELEGRAM:
        return f"t.me/{identifier.value}"
    return identifier.display or identifier.value


def _fits(reference: str) -> bool:
    return bool(reference) and reference.isascii() and len(reference) <= _PAYLOAD_ROOM


def shop_reference(shop: ShopVerdict) -> str | None:
    """A short text that finds exactly this shop again: certificate, registration or a page.

    It travels in button payloads (``pick:<ref>``, ``cmp:shop:<ref>``) and the registry resolves
    it as a complaint's shop reference.
    """
    candidates = [
        shop.certificate.certificate_id if shop.certificate else None,
        shop.registration_no,
        *(reference_text(i) for i in shop.identifiers),
    ]
    return next((c for c in candidates if c is not None and _fits(c)), None)


def report_badge_button(certificate_id: str) -> Button:
    """Report a fake or copied trustmark badge."""
    return Button(pgettext("button", "Report this badge"), f"cmp:cert:{certificate_id}")


def complain_button(shop: ShopVerdict | None = None) -> Button:
    """Complain about this shop (or about a shop, when it is not in the registry)."""
    reference = shop_reference(shop) if shop is not None else None
    payload = f"cmp:shop:{reference}" if reference else "i:complain"
    return Button(pgettext("button", "Complain"), payload)


def _again_buttons(*first: Button) -> tuple[Button, ...]:
    return (
        *first,
        Button(pgettext("button", "Check another shop"), "i:check_shop"),
        keyboards.menu_button(),
    )


# The card of one shop


def _green_allowed(match: ShopMatch, confirmed: bool) -> bool:
    """Whether this match is exact enough to show a certified verdict as such."""
    if match.matched_by is MatchKind.NAME:
        return confirmed
    if match.matched_by is MatchKind.IDENTIFIER:
        return match.identifier_covered is not False
    return True


def verdict_line(shop: ShopVerdict) -> str:
    """The one-line verdict of a shop (to be shown only for an exact match when certified)."""
    certificate = shop.certificate
    verdict = shop.verdict
    if verdict is Verdict.BLACKLISTED:
        return _("\u26d4 Blacklisted by the Ministry of Commerce. Do not trust its trustmark.")
    if verdict is Verdict.CERTIFIED and certificate is not None:
        return _("\u2705 Certified (CETS) until {date}.").format(
            date=format_long_date(certificate.valid_until)
        )
    if verdict is Verdict.SUSPENDED and certificate is not None:
        if certificate.suspended_until is not None:
            return _("\u26a0\ufe0f Certificate suspended until {date}.").format(
                date=format_long_date(certificate.suspended_until)
            )
        return _("\u26a0\ufe0f Certificate suspended.")
    if verdict is Verdict.REVOKED:
        return _("\u274c Certificate revoked. This shop may not show the trustmark.")
    if verdict is Verdict.EXPIRED and certificate is not None:
        return _("\u274c Certificate expired on {date}.").format(
            date=format_long_date(certificate.valid_until)
        )
    if verdict is Verdict.REGISTERED_NOT_CERTIFIED:
        return _("Registered with the Ministry of Commerce, but not certified.")
    return _("Not certified.")


def _complaints_line(shop: ShopVerdict) -> str | None:
    if shop.verified_complaints:
        return ngettext(
            "{count} verified complaint.", "{count} verified complaints.", shop.verified_complaints
        ).format(count=shop.verified_complaints)
    if shop.open_complaints:
        return ngettext(
            "{count} complaint being handled.",
            "{count} complaints being handled.",
            shop.open_complaints,
        ).format(count=shop.open_complaints)
    return None


def _covers_line(shop: ShopVerdict) -> str | None:
    covered = shop.covered_identifiers
    if not covered:
        return None
    return _("Covers only: {identifiers}").format(
        identifiers=", ".join(_identifier_text(i) for i in covered)
    )


def shop_card(match: ShopMatch, *, confirmed: bool = False) -> CardReply:
    """A verification card for one shop: name, verdict, what it covers, what to do next.

    ``confirmed``: the user picked this shop among names, so a name match counts as exact.
    A certified shop found only by name, or by a page its certificate does not cover, never
    gets the green verdict.
    """
    shop = match.shop
    certified = shop.verdict is Verdict.CERTIFIED
    lines: list[str] = []
    if certified and not _green_allowed(match, confirmed):
        if match.matched_by is MatchKind.NAME:
            lines.append(
                _(
                    "\u26a0\ufe0f Name match only: a certified shop has this name, but names "
                    "can be copied."
                )
            )
        else:
            lines.append(
                _(
                    "\u26a0\ufe0f This shop is certified, but its certificate does not cover "
                    "the page or number you sent."
                )
            )
    else:
        lines.append(verdict_line(shop))
    if certified:
        covers = _covers_line(shop)
        if covers:
            lines.append(covers)
    complaints = _complaints_line(shop)
    if complaints:
        lines.append(complaints)
    buttons: list[Button] = []
    if shop.certificate is not None:
        buttons.append(
            Button(
                pgettext("button", "Share this check"), f"share:{shop.certificate.certificate_id}"
            )
        )
    buttons.append(complain_button(shop))
    title = shop_display_name(shop)
    if shop.certificate is not None:
        title = f"{title} \u00b7 {shop.certificate.certificate_id}"
    return CardReply(title=title, subtitle="\n".join(lines), buttons=tuple(buttons))


def _similar_name_card(match: ShopMatch) -> CardReply:
    """An inline result for a shop found only by a similar name: no verdict, a pointer."""
    return CardReply(
        title=shop_display_name(match.shop),
        subtitle=_(
            "Similar name only, not an exact match. Check the seller's page link in the bot."
        ),
    )


# What one check finds


def _exact_name(query: str, shop: ShopVerdict) -> bool:
    wanted = normalise_name(query)
    return bool(wanted) and wanted in {
        normalise_name(shop.name),
        normalise_name(shop.name_km or ""),
    }


def _covers(certificate_identifiers: Sequence[Identifier], link: str) -> bool:
    covered = {(i.kind, i.value) for i in certificate_identifiers}
    return any((c.kind, c.value) in covered for c in candidate_identifiers(link))


def _only_numeric_facebook(link: str) -> bool:
    candidates = candidate_identifiers(link)
    return (
        bool(candidates)
        and all(c.kind is IdentifierKind.FACEBOOK_ID for c in candidates)
        and ("facebook" in link.lower() or "fb." in link.lower())
    )


def _link_text(link: str) -> str:
    return link.removeprefix("https://").removeprefix("http://").removeprefix("www.")


@dataclass(slots=True)
class _Answer:
    """What one check says, in order; rendered to the outbox once complete."""

    cards: list[CardReply]
    notes: list[str]
    buttons: list[Button]

    @classmethod
    def empty(cls) -> _Answer:
        return cls([], [], [])


def _not_found_note() -> str:
    return "\n".join(
        [
            _("No shop with this page, phone, name or number holds the trustmark."),
            _(
                "That does not prove it is a scam, but be careful: pay on delivery, "
                "and keep screenshots of the chat and the payment."
            ),
        ]
    )


def _ask_for_page_note() -> str:
    return _(
        "I cannot tell which page this link is: share, post and photo links do not show it. "
        "Please send the page's own link (for example facebook.com/pagename) or the shop's name."
    )


def _numeric_facebook_note() -> str:
    return _(
        "I found no shop with this Facebook number. Links with a number often do not show which "
        "page it is: please send the page's own link (for example facebook.com/pagename) or the "
        "shop's name."
    )


def _never_issued_note(certificate_id: str) -> str:
    return "\n".join(
        [
            _(
                "\u26a0\ufe0f No certificate with the number {number} was ever issued \u2014 a "
                "badge showing it is likely fake."
            ).format(number=certificate_id),
            _("Do not pay a shop because it shows this badge. You can report it to the Ministry."),
        ]
    )


def _copied_note(certificate_id: str, shop: ShopVerdict, link: str, *, earlier: bool) -> str:
    if earlier:
        first = _(
            "\u26a0\ufe0f Possible copied badge: certificate {number}, which you checked a moment "
            "ago, belongs to {shop} and does not cover {link}. If this page shows that badge, it "
            "is probably copied."
        )
    else:
        first = _(
            "\u26a0\ufe0f Possible copied badge: certificate {number} belongs to {shop} and does "
            "not cover {link}."
        )
    lines = [
        first.format(number=certificate_id, shop=shop_display_name(shop), link=_link_text(link))
    ]
    covers = _covers_line(shop)
    if covers:
        lines.append(covers)
    lines.append(_("Do not trust the badge on that page. You can report it to the Ministry."))
    return "\n".join(lines)


def _remembered_badge(turn: Turn, now: datetime) -> str | None:
    context = turn.state.context
    badge, at = context.get(_BADGE), context.get(_BADGE_AT)
    if not badge or not at:
        return None
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        return None
    return badge if now - when <= BADGE_MEMORY else None


def _remember_badge(turn: Turn, certificate_id: str | None, now: datetime) -> None:
    if certificate_id is None:
        turn.state.context.pop(_BADGE, None)
        turn.state.context.pop(_BADGE_AT, None)
        return
    turn.state.context[_BADGE] = certificate_id
    turn.state.context[_BADGE_AT] = now.isoformat()


async def _check_certificate(
    backend: RegistryBackend, certificate_id: str, links: Sequence[str], answer: _Answer
) -> ShopMatch | None:
    """A certificate number, and the links given with it: never issued, copied or genuine."""
    matches = await lookup(backend, certificate_id, limit=1)
    if not matches:
        answer.notes.append(_never_issued_note(certificate_id))
        answer.buttons.append(report_badge_button(certificate_id))
        return None
    match = matches[0]
    shop = match.shop
    covered = shop.covered_identifiers
    foreign = [link for link in links if not _covers(covered, link)]
    if not foreign:
        answer.cards.append(shop_card(match))
        return match
    # The badge is shown somewhere it does not belong: no green card for the certificate; the
    # page's own verdict, if the registry knows the page.
    for link in foreign:
        answer.notes.append(_copied_note(certificate_id, shop, link, earlier=False))
        if not unreadable_link(link):
            answer.cards.extend(shop_card(m) for m in await lookup(backend, link))
    answer.buttons.append(report_badge_button(certificate_id))
    return None


async def _check_link(
    backend: RegistryBackend, link: str, badge: str | None, answer: _Answer
) -> None:
    """A page, handle, site, phone or account."""
    if unreadable_link(link):
        answer.notes.append(_ask_for_page_note())
        return
    matches = await lookup(backend, link)
    if badge is not None:
        await _compare_with_badge(backend, badge, link, matches, answer)
    if not matches:
        answer.notes.append(
            _numeric_facebook_note() if _only_numeric_facebook(link) else _not_found_note()
        )
        return
    answer.cards.extend(shop_card(m) for m in matches)


async def _compare_with_badge(
    backend: RegistryBackend,
    badge: str,
    link: str,
    matches: Sequence[ShopMatch],
    answer: _Answer,
) -> None:
    """The page checked after a certificate: warn when that certificate does not cover it."""
    shown = [
        m for m in matches if m.shop.certificate and m.shop.certificate.certificate_id == badge
    ]
    if shown and _covers(shown[0].shop.covered_identifiers, link):
        return
    owners = await lookup(backend, badge, limit=1)
    if not owners or _covers(owners[0].shop.covered_identifiers, link):
        return
    answer.notes.append(_copied_note(badge, owners[0].shop, link, earlier=True))
    answer.buttons.append(report_badge_button(badge))


def _pick_button(shop: ShopVerdict) -> Button | None:
    reference = shop_reference(shop)
    if reference is None:
        return None
    return Button(shop_display_name(shop), f"pick:{reference}")


def _shown_by_name(name: str, match: ShopMatch) -> bool:
    """A name match shown as a card at once: the exact name of a shop that is not certified."""
    return _exact_name(name, match.shop) and match.shop.verdict is not Verdict.CERTIFIED


async def _check_name(backend: RegistryBackend, name: str, answer: _Answer) -> None:
    """A name (or a bare handle or account): exact matches get their card; names, buttons.

    The exact name of a shop that is not certified is its card (it claims nothing); a certified
    shop's name, or a close name, is a button to press to confirm.
    """
    if unreadable_link(name):
        answer.notes.append(_ask_for_page_note())
        return
    matches = await lookup(backend, name)
    if not matches:
        answer.notes.append(_not_found_note())
        return
    by_name = [m for m in matches if m.matched_by is MatchKind.NAME]
    answer.cards.extend(shop_card(m) for m in matches if m not in by_name)
    shown = [m for m in by_name if _shown_by_name(name, m)]
    to_pick = [m for m in by_name if m not in shown]
    answer.cards.extend(shop_card(m) for m in shown)
    picks = [b for b in (_pick_button(m.shop) for m in to_pick) if b is not None]
    if not picks:
        return
    if any(not _exact_name(name, m.shop) for m in to_pick):
        answer.notes.append(
            "\n".join(
                [
                    _("No exact match for \u201c{name}\u201d.").format(name=name),
                    _(
                        "Did you mean one of these? Tap the shop you mean to see its certificate, "
                        "then check that the seller's page or phone is one it covers."
                    ),
                ]
            )
        )
    else:
        answer.notes.append(
            _(
                "A certified shop is named \u201c{name}\u201d, but anyone can copy a name. Tap it "
                "to see which pages and phones its certificate covers, and compare them with the "
                "seller's."
            ).format(name=name)
        )
    answer.buttons.extend(picks)


def _render(turn: Turn, answer: _Answer) -> None:
    for card in answer.cards:
        turn.outbox.add(card)
    notes = answer.notes or [_("Anything else?")]
    turn.outbox.say(with_safety(*notes), _again_buttons(*answer.buttons))


def _say_unavailable(turn: Turn) -> None:
    turn.outbox.say(
        with_safety(_("I cannot reach the registry right now. Please try again in a few minutes.")),
        (Button(pgettext("button", "Try again"), "i:check_shop"), keyboards.menu_button()),
    )


async def show_matches(turn: Turn, query: str) -> None:
    """Check what ``query`` names (certificate, links, phones or a name) and give the verdict."""
    request = ShopQuery.read(query)
    if not (request.certificates or request.links or request.name):
        await forms.start(turn, SHOP_QUERY.id)
        return
    now = turn.now
    answer = _Answer.empty()
    try:
        if request.certificates:
            match = await _check_certificate(
                turn.backend, request.certificates[0], request.links, answer
            )
            certificate = match.shop.certificate if match is not None else None
            _remember_badge(turn, certificate.certificate_id if certificate else None, now)
        elif request.links:
            badge = _remembered_badge(turn, now)
            for link in request.links:
                await _check_link(turn.backend, link, badge, answer)
            _remember_badge(turn, None, now)
        else:
            await _check_name(turn.backend, request.name, answer)
    except RegistryDown:
        _say_unavailable(turn)
        return
    _render(turn, answer)


async def on_pick(turn: Turn, reference: str) -> None:
    """The user picked a shop among similar names: its card, counted as an exact match."""
    now = turn.now
    try:
        matches = await lookup(turn.backend, reference.strip(), limit=1)
    except RegistryDown:
        _say_unavailable(turn)
        return
    answer = _Answer.empty()
    if not matches:
        answer.notes.append(_not_found_note())
    else:
        match = matches[0]
        answer.cards.append(shop_card(match, confirmed=True))
        certificate = match.shop.certificate
        _remember_badge(turn, certificate.certificate_id if certificate else None, now)
    _render(turn, answer)


async def inline_cards(backend: RegistryBackend, query: str) -> list[CardReply]:
    """Cards for inline search in any chat: the same honesty as in the bot's own chat.

    Links that name no page, certificates never issued and an unreachable registry give one
    card saying so; names give no verdict.
    """
    text = query.strip()
    if not text:
        return []
    request = ShopQuery.read(text)
    try:
        if request.certificates:
            certificate_id = request.certificates[0]
            found = await lookup(backend, certificate_id, limit=1)
            if not found:
                return [
                    CardReply(
                        title=_("{number} was never issued").format(number=certificate_id),
                        subtitle=_("A badge showing this number is likely fake."),
                    )
                ]
            return [shop_card(found[0])]
        if request.links:
            link = request.links[0]
            if unreadable_link(link):
                return [
                    CardReply(
                        title=_("I cannot read this link"),
                        subtitle=_ask_for_page_note(),
                    )
                ]
            return [shop_card(m) for m in await lookup(backend, link)]
        matches = await lookup(backend, request.name)
    except RegistryDown:
        return [unavailable_card()]
    return [
        _similar_name_card(m)
        if m.matched_by is MatchKind.NAME and not _exact_name(request.name, m.shop)
        else shop_card(m)
        for m in matches
    ]


def unavailable_card() -> CardReply:
    """The inline answer when the registry cannot be reached: no verdict either way."""
    return CardReply(
        title=_("I cannot check right now"),
        subtitle=_("I cannot reach the registry right now. Please try again in a few minutes."),
    )


def lookup_query(turn: Turn) -> str:
    """What to look up: the whole message (certificate numbers, links and names are read there)."""
    return turn.text


async def check_shop(turn: Turn) -> None:
    """Check the shop named in the message, or ask how to find it."""
    # A shop named in a sentence ("is Sokha Fashion legit?") is the NLU's "shop" entity.
    query = turn.entity("shop") or (
        lookup_query(turn) if any(turn.entity(n) for n in _QUERY_ENTITIES) else ""
    )
    if query:
        await show_matches(turn, query)
        return
    await forms.start(turn, SHOP_QUERY.id)


def _prompt_text(ctx: FormContext) -> str:
    return _(
        "Send me the shop's Facebook page link, Telegram, phone number, website, name or "
        "certificate number (CETS-...)."
    )


def _parse_query(given: FieldInput, ctx: FormContext) -> Parsed:
    """Any text at the lookup question is what to look up (a shop's name can be anything)."""
    query = lookup_query(given.turn)
    return Accept(query) if query else None


async def _look_up(ctx: FormContext) -> None:
    await show_matches(ctx.turn, str(ctx.answers["q"]))


SHOP_QUERY = FORMS.register(
    Form(
        id="shop",
        title=lambda: _("shop check"),
        fields=(Field(name="q", prompt=_prompt_text, parse=_parse_query, free_text=True),),
        on_complete=_look_up,
        progress=False,
        keep_draft=False,
    )
)


async def on_certificate_payload(turn: Turn, certificate_id: str) -> None:
    """Open the verification of one certificate (a badge's QR code, a deep link, a share)."""
    await show_matches(turn, certificate_id.strip().upper())
