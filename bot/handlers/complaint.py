"""The complaint wizard: which shop, what went wrong, when, how much, how paid, evidence,
consent, review, and a CMP- reference (kept in the backend outbox while the registry is down).

Started by the "Complain" intent or button, or from a verdict card's report button
(``cmp:shop:<shop reference>``, ``cmp:cert:<certificate id>``), which names the shop already.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta, timezone
from decimal import Decimal
from typing import Any, Final

from babel.dates import format_datetime

from backend_client import (
    BackendError,
    ComplaintCategory,
    MatchKind,
    ShopVerdict,
    ValidationError,
)
from bot import forms, keyboards
from bot.answers import parse_amount, parse_date, parse_yes_no
from bot.backend_outbox import BackendOutbox, OperationContext
from bot.complaints import filing
from bot.complaints.guard import ComplaintGuard, Limited, guard_of
from bot.complaints.labels import (
    CATEGORIES,
    PAYMENTS,
    category_label,
    category_short_label,
    payment_choice,
    payment_label,
)
from bot.complaints.ledger import fingerprint
from bot.complaints.options import parse_category, parse_payment
from bot.dialogue.state import JsonValue
from bot.forms import (
    FORMS,
    Accept,
    Choice,
    Field,
    FieldInput,
    FileRule,
    Form,
    FormContext,
    Parsed,
    Reject,
    StayOpen,
)
from bot.handlers.verification import shop_display_name, shop_reference
from bot.i18n import (
    _,
    current_locale,
    format_long_date,
    format_riel,
    format_usd,
    ngettext,
    pgettext,
)
from bot.turn import Turn
from nlu.entities import extract_entities

log = logging.getLogger(__name__)

FORM_ID: Final = "cpl"
MAX_EVIDENCE_FILES: Final = 10
MAX_LINKS: Final = 10
MIN_DESCRIPTION: Final = 10
MAX_DESCRIPTION: Final = 2000
MAX_SHOP_TEXT: Final = 300
MAX_NAME: Final = 100
_IDENTIFIER_ENTITIES: Final = ("url", "phone")
CAMBODIA: Final = timezone(timedelta(hours=7))


# -- the shop ----------------------------------------------------------------------------------


def _reference_of(shop: ShopVerdict) -> str:
    """A reference the registry resolves to exactly this shop (the verdicts' own)."""
    return shop_reference(shop) or shop.name


def _identifier_in(text: str) -> str | None:
    """A page link, handle or phone number in the text, as the NLU reads it."""
    for entity in extract_entities(text):
        if entity.entity in _IDENTIFIER_ENTITIES:
            return text.strip() if len(text.split()) == 1 else entity.value
    return None


async def _parse_shop(given: FieldInput, ctx: FormContext) -> Parsed:
    text = given.text.strip()
    if not text:
        return None
    if len(text) > MAX_SHOP_TEXT:
        return Reject(_("Please send only the shop's name, page link or phone number."))
    # A new shop: the answers that depended on the old one no longer hold.
    ctx.answers.pop("pick", None)
    ctx.answers.pop("link", None)
    identifier = _identifier_in(text)
    query = identifier or text
    try:
        matches = await given.turn.backend.find_shops(query, limit=3)
    except BackendError:
        log.warning("registry unavailable while naming a shop in a complaint")
        return Accept({"ref": query, "name": text, "found": False, "link": bool(identifier)})
    exact = [m for m in matches if m.matched_by is not MatchKind.NAME]
    if exact:
        shop = exact[0].shop
        return Accept({"ref": query, "name": shop_display_name(shop), "found": True, "link": True})
    candidates = [
        {"ref": _reference_of(m.shop), "name": shop_display_name(m.shop)}
        for m in matches
        if m.matched_by is MatchKind.NAME
    ]
    answer: dict[str, JsonValue] = {
        "ref": query,
        "name": text,
        "found": False,
        "link": bool(identifier),
    }
    if candidates:
        answer["candidates"] = candidates
    return Accept(answer)


def _shop(answers: Any) -> dict[str, Any]:
    shop = answers.get("shop")
    return shop if isinstance(shop, dict) else {}


def _candidates(answers: Any) -> list[dict[str, Any]]:
    found = _shop(answers).get("candidates")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def chosen_shop(answers: Any) -> tuple[str, str, bool]:
    """(reference for the registry, name to show, whether the registry knows the shop)."""
    shop = _shop(answers)
    pick = answers.get("pick")
    candidates = _candidates(answers)
    if isinstance(pick, str) and pick.isdigit() and int(pick) < len(candidates):
        chosen = candidates[int(pick)]
        return str(chosen["ref"]), str(chosen["name"]), True
    link = answers.get("link")
    if isinstance(link, str) and link:
        return link, str(shop.get("name", link)), False
    return str(shop.get("ref", "")), str(shop.get("name", "")), bool(shop.get("found"))


def _needs_pick(answers: Any) -> bool:
    return bool(_candidates(answers)) and not _shop(answers).get("found")


def _needs_link(answers: Any) -> bool:
    shop = _shop(answers)
    if shop.get("found") or shop.get("link"):
        return False
    pick = answers.get("pick")
    return not (isinstance(pick, str) and pick.isdigit())


def _pick_choices(ctx: FormContext) -> list[Choice]:
    choices = [Choice(str(n), str(c["name"])[:60]) for n, c in enumerate(_candidates(ctx.answers))]
    choices.append(Choice("none", pgettext("button", "None of these")))
    return choices


def _parse_link(given: FieldInput, ctx: FormContext) -> Parsed:
    if not given.text:
        return None
    identifier = _identifier_in(given.text)
    if identifier is None:
        return Reject(
            _("Please send the seller's page link or phone number, or tap “Skip” if you have none.")
        )
    return Accept(identifier)


def _shop_summary(value: JsonValue, ctx: FormContext) -> str:
    reference, name, found = chosen_shop(ctx.answers)
    if found:
        return _("{name} (in the Ministry's register)").format(name=name)
    if reference and reference != name:
        return f"{name} ({reference})"
    return name


# -- what happened -----------------------------------------------------------------------------


def _category_choices(ctx: FormContext) -> list[Choice]:
    return [Choice(c.value, category_label(c), category_short_label(c)) for c in CATEGORIES]


def _parse_category_text(given: FieldInput, ctx: FormContext) -> Parsed:
    found = parse_category(given.text) if given.text else None
    return Accept(found) if found is not None else None


def _parse_description(given: FieldInput, ctx: FormContext) -> Parsed:
    text = given.text.strip()
    if not text:
        return None
    if len(text) < MIN_DESCRIPTION:
        return Reject(
            _(
                "Please tell me a little more: what you ordered, what was promised and what "
                "went wrong."
            )
        )
    if len(text) > MAX_DESCRIPTION:
        return Reject(
            _("That is too long for one message. Please keep it under {count} characters.").format(
                count=MAX_DESCRIPTION
            )
        )
    return Accept(text)


def _parse_when(given: FieldInput, ctx: FormContext) -> Parsed:
    if not given.text:
        return None
    today = given.turn.now.date()
    found = parse_date(given.text, today)
    if found is None:
        return Reject(_("Please write the date like 15/11/2026, or “yesterday”, or tap “Skip”."))
    if found > today:
        return Reject(_("That date is in the future. When did it happen?"))
    return Accept(found.isoformat())


def _when_summary(value: JsonValue, ctx: FormContext) -> str:
    return format_long_date(date.fromisoformat(str(value)))


def _parse_money(given: FieldInput, ctx: FormContext) -> Parsed:
    if not given.text:
        return None
    found = parse_amount(given.text)
    if found is None:
        return Reject(_("Please write the amount with its currency, like 25$ or 100000 riel."))
    amount, currency = found
    return Accept({"amount": str(amount), "currency": currency})


def _money_text(value: JsonValue) -> str:
    if not isinstance(value, dict):
        return str(value)
    amount = Decimal(str(value.get("amount", "0")))
    return format_riel(amount) if value.get("currency") == "KHR" else format_usd(amount)


def _payment_choices(ctx: FormContext) -> list[Choice]:
    return [Choice(p.key, payment_label(p)) for p in PAYMENTS]


def _parse_payment_text(given: FieldInput, ctx: FormContext) -> Parsed:
    found = parse_payment(given.text) if given.text else None
    return Accept(found) if found is not None else None


# -- evidence ----------------------------------------------------------------------------------


def _evidence_prompt(ctx: FormContext) -> str:
    return "\n".join(
        (
            _(
                "Evidence helps the Ministry act. Send what you have, as photos, screenshots "
                "or PDFs:"
            ),
            _("☐ the chat with the seller"),
            _("☐ the payment slip or transfer"),
            _("☐ photos of what you received"),
            _("☐ the link to the seller's page or post"),
            _("You can send several, one by one or together. Tap “Done” when you have finished."),
        )
    )


def _items(value: JsonValue) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _parse_evidence(given: FieldInput, ctx: FormContext) -> Parsed:
    items = _items(ctx.answers.get("ev"))
    if given.files:
        files = [i for i in items if isinstance(i, dict) and "sha256" in i]
        if len(files) + len(given.files) > MAX_EVIDENCE_FILES:
            return Reject(
                _("I can keep at most {count} files with one complaint.").format(
                    count=MAX_EVIDENCE_FILES
                )
            )
        return Accept(list(given.files))
    if not given.text:
        return None
    links = [e.value for e in extract_entities(given.text) if e.entity == "url"]
    if not links:
        return None
    if len([i for i in items if isinstance(i, dict) and "link" in i]) >= MAX_LINKS:
        return Reject(
            _("I can keep at most {count} links with one complaint.").format(count=MAX_LINKS)
        )
    return Accept([{"link": link} for link in links])


def _evidence_item(item: JsonValue) -> str:
    if isinstance(item, dict) and "link" in item:
        return str(item["link"])
    if isinstance(item, dict) and item.get("kind") == "pdf":
        return _("PDF document")
    return _("photo")


def _evidence_summary(value: JsonValue, ctx: FormContext) -> str:
    if not isinstance(value, list):
        return _evidence_item(value)
    files = [i for i in value if isinstance(i, dict) and "sha256" in i]
    links = [i for i in value if isinstance(i, dict) and "link" in i]
    parts = []
    if files:
        parts.append(ngettext("{count} file", "{count} files", len(files)).format(count=len(files)))
    if links:
        parts.append(ngettext("{count} link", "{count} links", len(links)).format(count=len(links)))
    return ", ".join(parts)


# -- consent -----------------------------------------------------------------------------------


def _yes_no_parser(given: FieldInput, ctx: FormContext) -> Parsed:
    found = parse_yes_no(given.text) if given.text else None
    return Accept(found) if found in ("yes", "no") else None


def _contact_choices(ctx: FormContext) -> list[Choice]:
    return [
        Choice("yes", pgettext("button", "Yes, you may contact me")),
        Choice("no", pgettext("button", "No, do not contact me")),
    ]


def _share_choices(ctx: FormContext) -> list[Choice]:
    return [
        Choice("yes", pgettext("button", "Yes, they may see it"), pgettext("short", "Yes")),
        Choice(
            "no", pgettext("button", "No, keep my name private"), pgettext("short", "No, private")
        ),
    ]


def _parse_name(given: FieldInput, ctx: FormContext) -> Parsed:
    text = given.text.strip()
    if not text:
        return None
    if len(text) > MAX_NAME:
        return Reject(_("Please send a shorter name."))
    return Accept(text)


# -- the form ----------------------------------------------------------------------------------


def _intro(ctx: FormContext) -> str:
    lines = [
        _(
            "I will ask a few questions about your complaint; it takes about two minutes. "
            "The Ministry never asks you for money or passwords in this chat."
        )
    ]
    badge = ctx.answers.get("badge")
    if isinstance(badge, dict):
        lines.append(
            _(
                "You are reporting the badge {certificate}, which was issued to {owner}: tell "
                "me which page or phone number shows it."
            ).format(certificate=badge.get("certificate"), owner=badge.get("owner"))
        )
    elif _shop(ctx.answers).get("found"):
        lines.append(_("Your complaint is about {name}.").format(name=_shop(ctx.answers)["name"]))
    return "\n".join(lines)


def _shop_prompt(ctx: FormContext) -> str:
    return _(
        "Which shop is your complaint about? Send its Facebook page or Telegram link, its phone "
        "number, its website or its name."
    )


async def _submit(ctx: FormContext) -> str | None:
    return await submit(ctx)


COMPLAINT = FORMS.register(
    Form(
        id=FORM_ID,
        title=lambda: _("complaint"),
        intro=_intro,
        review=True,
        fields=(
            Field(
                "shop",
                prompt=_shop_prompt,
                parse=_parse_shop,
                free_text=True,
                summary=_shop_summary,
                label=lambda: _("Shop"),
            ),
            Field(
                "pick",
                prompt=lambda ctx: _("I found shops with a similar name. Is it one of these?"),
                choices=_pick_choices,
                when=_needs_pick,
                label=lambda: _("Registered shop"),
            ),
            Field(
                "link",
                prompt=lambda ctx: _(
                    "This shop is not in the Ministry's register. Do you have its page link or "
                    "phone number? It helps find the seller."
                ),
                parse=_parse_link,
                required=False,
                when=_needs_link,
                label=lambda: _("Seller's page or phone"),
            ),
            Field(
                "cat",
                prompt=lambda ctx: _("What went wrong?"),
                choices=_category_choices,
                parse=_parse_category_text,
                label=lambda: _("Problem"),
            ),
            Field(
                "what",
                prompt=lambda ctx: _(
                    "Please tell me what happened, in your own words: what you bought, what "
                    "you were promised and what went wrong."
                ),
                parse=_parse_description,
                free_text=True,
                label=lambda: _("What happened"),
            ),
            Field(
                "when",
                prompt=lambda ctx: _(
                    "When did it happen (the order or the payment)? For example 15/11/2026 or "
                    "“yesterday”."
                ),
                parse=_parse_when,
                required=False,
                summary=_when_summary,
                label=lambda: _("Date"),
            ),
            Field(
                "amt",
                prompt=lambda ctx: _(
                    "How much did you pay? Write the amount and the currency, like 25$ or "
                    "100000 riel. Tap “Skip” if you paid nothing."
                ),
                parse=_parse_money,
                required=False,
                summary=lambda value, ctx: _money_text(value),
                label=lambda: _("Amount"),
            ),
            Field(
                "pay",
                prompt=lambda ctx: _("How did you pay?"),
                choices=_payment_choices,
                parse=_parse_payment_text,
                required=False,
                when=lambda answers: bool(answers.get("amt")),
                label=lambda: _("Paid by"),
            ),
            Field(
                "ev",
                prompt=_evidence_prompt,
                parse=_parse_evidence,
                files=FileRule(MAX_EVIDENCE_FILES),
                multiple=True,
                missing_ok=True,
                summary=_evidence_summary,
                label=lambda: _("Evidence"),
            ),
            Field(
                "contact",
                prompt=lambda ctx: _(
                    "May an officer of the Ministry contact you in this chat about this complaint?"
                ),
                choices=_contact_choices,
                parse=_yes_no_parser,
                label=lambda: _("Contact"),
            ),
            Field(
                "share",
                prompt=lambda ctx: _(
                    "May the seller see your name? If you say no, the Ministry will not tell the "
                    "seller who complained."
                ),
                choices=_share_choices,
                parse=_yes_no_parser,
                label=lambda: _("Name shown to the seller"),
            ),
            Field(
                "name",
                prompt=lambda ctx: _("Which name may the seller see?"),
                parse=_parse_name,
                free_text=True,
                when=lambda answers: answers.get("share") == "yes",
                label=lambda: _("Your name"),
            ),
        ),
        on_complete=_submit,
    )
)


# -- submitting --------------------------------------------------------------------------------


def complaint_payload(answers: Any) -> dict[str, Any]:
    """The JSON the outbox keeps and :func:`bot.complaints.filing.file_complaint` files."""
    reference, name, found = chosen_shop(answers)
    description = str(answers.get("what", "")).strip()
    if not found and name and name != reference:
        description = _("Seller's name: {name}").format(name=name) + "\n" + description
    badge = answers.get("badge")
    if isinstance(badge, dict):
        description = (
            _("Badge shown: {certificate} (issued to {owner})").format(
                certificate=badge.get("certificate"), owner=badge.get("owner")
            )
            + "\n"
            + description
        )
    money = answers.get("amt") if isinstance(answers.get("amt"), dict) else None
    payment = payment_choice(answers.get("pay")) if money else None
    evidence = _items(answers.get("ev"))
    share = answers.get("share") == "yes"
    return {
        "shop": reference,
        "category": str(answers["cat"]),
        "description": description,
        "incident_date": answers.get("when") or None,
        "amount": money["amount"] if money else None,
        "currency": money["currency"] if money else "USD",
        "payment_method": payment.method.value if payment else None,
        "payment_provider": payment.provider if payment else None,
        "anonymous": not share,
        "complainant_name": (str(answers.get("name") or "") or None) if share else None,
        "contact_allowed": answers.get("contact") == "yes",
        "links": [str(i["link"]) for i in evidence if isinstance(i, dict) and "link" in i],
        "evidence": [i for i in evidence if isinstance(i, dict) and "sha256" in i],
    }


def _limit_text(limited: Limited, guard: ComplaintGuard) -> str:
    return _(
        "You have sent {count} complaints in the last 24 hours, the most one person can send "
        "in a day. You can send the next one after {time} (Cambodia time)."
    ).format(count=guard.per_day, time=_cambodia_time(limited))


def _cambodia_time(limited: Limited) -> str:
    local = limited.until.astimezone(CAMBODIA)
    return format_datetime(local, "d MMM HH:mm", locale=current_locale())


async def _earlier_reference(turn: Turn, print_: str, reference: str | None) -> str | None:
    """The first complaint's reference; looked up in the registry when it was queued."""
    if reference:
        return reference
    try:
        complaints = await turn.backend.list_complaints(_owner(turn))
    except BackendError:
        return None
    same = [c for c in complaints if fingerprint(c.shop_reference, c.category.value) == print_]
    return same[-1].complaint_id if same else None


def _owner(turn: Turn) -> tuple[str, str]:
    return (turn.message.channel, turn.message.user_id)


async def submit(ctx: FormContext) -> str | None:
    """File the complaint (or keep it in the outbox); the reference, once there is one."""
    turn = ctx.turn
    owner = _owner(turn)
    guard = guard_of(turn)
    payload = complaint_payload(ctx.answers)
    print_ = fingerprint(payload["shop"], payload["category"])
    earlier = await guard.repeat_of(owner, print_, turn.now, flow_key=ctx.flow.key)
    if earlier is not None:
        reference = await _earlier_reference(turn, print_, earlier.reference)
        turn.outbox.say(
            _(
                "You already sent this complaint about this shop today. Its reference is "
                "{reference}; there is no need to send it again."
            ).format(reference=reference)
            if reference
            else _(
                "You already sent this complaint about this shop today. It is on its way; "
                "I will send you its reference here."
            ),
            filing.after_filing_buttons(),
        )
        return reference
    limited = await guard.limited(owner, turn.now)
    if limited is not None:
        turn.outbox.say(
            _limit_text(limited, guard) + "\n" + _("Your complaint is kept as a draft until then."),
            (forms.continue_button(FORM_ID), keyboards.menu_button()),
        )
        raise StayOpen
    await guard.ledger.add(owner, ctx.flow.key, print_, turn.now)
    try:
        result = await _perform(turn, owner, payload, ctx.flow.key)
    except ValidationError as refused:
        await guard.ledger.forget(ctx.flow.key)
        log.info("the registry refused a complaint: %s", ",".join(refused.fields))
        turn.outbox.say(
            _("The registry could not accept this complaint. Please check your answers."),
            (forms.continue_button(FORM_ID), keyboards.cancel_button()),
        )
        raise StayOpen from refused
    except BackendError as failed:
        await guard.ledger.forget(ctx.flow.key)
        log.warning("a complaint could not be filed: %s", failed.code)
        turn.outbox.say(
            _(
                "Sorry, I could not send your complaint just now. It is kept as a draft: "
                "please try “Submit” again in a few minutes."
            ),
            (forms.continue_button(FORM_ID), keyboards.menu_button()),
        )
        raise StayOpen from failed
    if result is None:
        turn.outbox.say(
            "\n".join(
                (
                    _(
                        "Our complaint registry cannot be reached right now. Your complaint is "
                        "saved and will be sent automatically as soon as the registry is back; "
                        "I will then send you its reference here."
                    ),
                    filing.next_steps(),
                )
            ),
            (keyboards.menu_button(),),
        )
        return None
    reference = str(result["reference"])
    await guard.ledger.set_reference(ctx.flow.key, reference)
    for reply in filing.received_replies(reference):
        turn.outbox.add(reply)
    return reference


async def _perform(
    turn: Turn, owner: tuple[str, str], payload: dict[str, Any], key: str
) -> dict[str, Any] | None:
    """Through the backend outbox when it is there; otherwise straight to the registry."""
    outbox = turn.services.get("backend_outbox")
    if isinstance(outbox, BackendOutbox):
        return await outbox.perform_or_queue(filing.KIND, owner, payload, idempotency_key=key)
    log.warning("no backend outbox: filing the complaint directly")
    return await filing.file_complaint(
        OperationContext(
            backend=turn.backend, intake=turn.intake, owner=owner, payload=payload, key=key
        )
    )


# -- starting ----------------------------------------------------------------------------------


async def _may_start(turn: Turn) -> bool:
    guard = guard_of(turn)
    limited = await guard.limited(_owner(turn), turn.now)
    if limited is None:
        return True
    turn.outbox.say(_limit_text(limited, guard), (keyboards.menu_button(),))
    return False


async def start(turn: Turn) -> None:
    """Begin a complaint at the shop question (the "Complain" intent and button)."""
    if await _may_start(turn):
        await forms.start(turn, FORM_ID)


async def start_about(
    turn: Turn,
    shop: dict[str, JsonValue] | None,
    *,
    category: str | None = None,
    badge: tuple[str, str] | None = None,
) -> None:
    """Begin a complaint with what a verdict's button already says (the shop, the problem,
    the badge being reported)."""
    if not await _may_start(turn):
        return
    prefill: dict[str, JsonValue] = {}
    if shop is not None:
        prefill["shop"] = shop
    if category is not None:
        prefill["cat"] = category
    if badge is not None:
        prefill["badge"] = {"certificate": badge[0], "owner": badge[1]}
    names = [f.name for f in COMPLAINT.fields]
    await forms.start(turn, FORM_ID, prefill=prefill, only=names)


async def on_payload(turn: Turn, argument: str) -> None:
    """``cmp:shop:<reference>`` (a verdict's Complain button) or ``cmp:cert:<certificate id>``
    (Report this badge: a certificate never issued, or one shown where it does not belong)."""
    kind, _sep, reference = argument.partition(":")
    reference = reference.strip()
    if kind not in ("shop", "cert") or not reference:
        await start(turn)
        return
    if kind == "cert":
        reference = reference.upper()
    try:
        matches = await turn.backend.find_shops(reference, limit=1)
    except BackendError:
        log.warning("could not look up the shop of a report button")
        matches = ()
    exact = [m for m in matches if m.matched_by is not MatchKind.NAME]
    badge = ComplaintCategory.MISUSE_OF_MARK.value
    if kind == "cert" and exact:
        # A real certificate shown by a page it does not cover: the complaint is about the
        # page that copied it, which the user names; the badge goes with the complaint.
        owner = shop_display_name(exact[0].shop)
        await start_about(turn, None, category=badge, badge=(reference, owner))
        return
    if exact:
        shop = exact[0].shop
        await start_about(
            turn,
            {
                "ref": _reference_of(shop),
                "name": shop_display_name(shop),
                "found": True,
                "link": True,
            },
        )
        return
    shop_answer: dict[str, JsonValue] = {
        "ref": reference,
        "name": reference,
        "found": False,
        "link": kind == "cert" or _identifier_in(reference) is not None,
    }
    # A certificate number nobody ever issued: a fake trustmark.
    await start_about(turn, shop_answer, category=badge if kind == "cert" else None)
