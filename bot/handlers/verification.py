"""Checking a shop: an honest verdict from the registry, by page, phone, name or certificate."""

from __future__ import annotations

import logging

from backend_client import (
    BackendError,
    BackendUnavailable,
    Identifier,
    IdentifierKind,
    MatchKind,
    ShopMatch,
    ShopVerdict,
    Verdict,
)
from bot import forms, keyboards
from bot.forms import FORMS, Accept, Field, FieldInput, Form, FormContext, Parsed
from bot.i18n import _, current_locale, format_long_date, ngettext, pgettext
from bot.messages import Button, CardReply
from bot.turn import Turn

log = logging.getLogger(__name__)

MAX_MATCHES = 3
_QUERY_ENTITIES = ("certificate_id", "url", "phone", "shop")  # shop: "is <name> legit?" (nlu)


def _shop_name(shop: ShopVerdict) -> str:
    if current_locale() == "km" and shop.name_km:
        return shop.name_km
    return shop.name


def _verdict_line(shop: ShopVerdict) -> str:
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


def _identifier_text(identifier: Identifier) -> str:
    if identifier.kind is IdentifierKind.FACEBOOK:
        return f"facebook.com/{identifier.value}"
    if identifier.kind is IdentifierKind.TELEGRAM:
        return f"t.me/{identifier.value}"
    return identifier.display or identifier.value


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


def shop_card(match: ShopMatch) -> CardReply:
    """A verification card for one shop: name, verdict, what it covers, what to do next."""
    shop = match.shop
    lines = [_verdict_line(shop)]
    covered = shop.covered_identifiers
    if covered and shop.verdict is Verdict.CERTIFIED:
        lines.append(
            _("Covers only: {identifiers}").format(
                identifiers=", ".join(_identifier_text(i) for i in covered)
            )
        )
    if match.identifier_covered is False and shop.certificate is not None:
        lines.append(
            _("Warning: what you sent is not one of this shop's certified pages or numbers.")
        )
    if match.matched_by is MatchKind.NAME:
        lines.append(_("Found by name: check the page or phone number matches."))
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
    buttons.append(Button(pgettext("button", "Complain"), "i:complain"))
    title = _shop_name(shop)
    if shop.certificate is not None:
        title = f"{title} \u00b7 {shop.certificate.certificate_id}"
    return CardReply(title=title, subtitle="\n".join(lines), buttons=tuple(buttons))


def lookup_query(turn: Turn) -> str:
    """What to look up: an identifier the NLU found, else the whole message."""
    for name in _QUERY_ENTITIES:
        value = turn.entity(name)
        if value:
            return value
    return turn.text


async def show_matches(turn: Turn, query: str) -> None:
    """Look the query up in the registry and give the verdicts."""
    backend = turn.backend
    try:
        matches = await backend.find_shops(query, limit=MAX_MATCHES)
    except BackendUnavailable:
        log.warning("registry unavailable for a shop check")
        turn.outbox.say(
            _("I cannot reach the registry right now. Please try again in a few minutes."),
            (Button(pgettext("button", "Check a shop"), "i:check_shop"), keyboards.menu_button()),
        )
        return
    except BackendError:
        log.exception("shop lookup failed")
        turn.outbox.say(
            _("Sorry, I could not check that. Please send the page link or phone number."),
            (keyboards.menu_button(),),
        )
        return
    if not matches:
        turn.outbox.say(
            "\n".join(
                [
                    _("No shop with this page, phone, name or number holds the trustmark."),
                    _(
                        "That does not prove it is a scam, but be careful: pay on delivery, "
                        "and keep screenshots of the chat and the payment."
                    ),
                ]
            ),
            (
                Button(pgettext("button", "Check another shop"), "i:check_shop"),
                Button(pgettext("button", "Complain"), "i:complain"),
                keyboards.menu_button(),
            ),
        )
        return
    for match in matches:
        turn.outbox.add(shop_card(match))
    turn.outbox.say(
        _("Anything else?"),
        (Button(pgettext("button", "Check another shop"), "i:check_shop"), keyboards.menu_button()),
    )


async def check_shop(turn: Turn) -> None:
    """Check the shop named in the message, or ask how to find it."""
    query = lookup_query(turn) if any(turn.entity(n) for n in _QUERY_ENTITIES) else ""
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
