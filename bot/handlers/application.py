"""The trustmark application wizard: a form of ~25 short questions, saved as a draft throughout.

Started by the apply intent, ``/apply``, the ``apply`` deep link (Telegram ``start=apply``,
Messenger ``ref=apply``) and the "Apply now" button of a positive eligibility verdict, which
carries its answers (``apl:e:<category>:<activity>``). A business already in the register is
recognised by its registration number and what the register knows is offered to keep. Every
criterion and document takes photos, screenshots, PDFs or links, or "I don't have this yet".
Submitting creates exactly one application (idempotency keys from the flow's key) and answers
with the ``APP-`` reference, what happens next and the fee quote.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Final

from backend_client import (
    BackendError,
    BackendUnavailable,
    Conflict,
    IdentifierKind,
    MatchKind,
    ShopMatch,
    ValidationError,
    Verdict,
)
from bot import forms, keyboards
from bot.applications import evidence
from bot.applications.draft import (
    ACTIVITIES,
    APPLICATION,
    ASKED_DOCUMENTS,
    CRITERION_FIELDS,
    CURRENT,
    DOCUMENT_FIELDS,
    ELIGIBILITY_ACTIVITY,
    NO_WARRANTY,
    WARRANTY_QUESTION,
    application_draft,
)
from bot.applications.fields import (
    KEEP,
    KNOWN,
    identifier_json,
    identifier_summary,
    identifier_text,
    known,
    parse_address,
    parse_email,
    parse_identifiers,
    parse_khmer_name,
    parse_latin_name,
    parse_phone,
    parse_registration_date,
    parse_registration_no,
    resolved,
)
from bot.applications.notices import failed_notice, submitted_lines, submitted_notice
from bot.applications.schedule import schedule_missing_reminder
from bot.applications.submission import (
    NEW,
    REOPENED,
    SUBMIT_OPERATION,
    Submission,
    perform_operation,
    send_submission,
)
from bot.backend_outbox import OPERATIONS, Operation
from bot.dialogue.state import REVIEW, JsonValue
from bot.forms import (
    FORMS,
    Accept,
    Answers,
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
from bot.forms.engine import prompt as prompt_again
from bot.handlers.documents import document_mark
from bot.handlers.fees import fee_quote, khr_per_usd, quoted_fee
from bot.i18n import _, current_locale, format_long_date, pgettext
from bot.khqr import NotKhqr, parse_khqr, read_qr_codes
from bot.messages import Button, TextReply
from bot.turn import Turn
from registry.identifiers import parse_identifier

log = logging.getLogger(__name__)

FORM_ID: Final = "app"
TELEGRAM: Final = "telegram"
MAX_EVIDENCE_FILES: Final = 10
MAX_KHQR_PHOTOS: Final = 3
MISSING_REMINDER_AFTER: Final = timedelta(days=3)
DEFAULT_CATEGORY: Final = "individual"


# -- labels and choices -------------------------------------------------------------------------


def activity_label(key: str) -> str:
    """The type of e-commerce activity, as a button."""
    labels = {
        "online_retail": pgettext("button", "Online retail"),
        "marketplace": pgettext("button", "Marketplace"),
        "digital_services": pgettext("button", "Digital services"),
        "other": pgettext("button", "Other"),
    }
    return labels.get(key, key)


def _category_choices(ctx: FormContext) -> list[Choice]:
    locale = current_locale()
    return [
        Choice(c.key, c.name.get(locale), c.short_name.get(locale)) for c in ctx.turn.kb.categories
    ]


def _parse_category(given: FieldInput, ctx: FormContext) -> Parsed:
    category = given.turn.entity("business_category")
    return Accept(category) if category is not None else None


def _keep(name: str) -> Callable[[FormContext], list[Choice]]:
    """A "Keep it" button when the register (or the current record) knows this field."""

    def choices(ctx: FormContext) -> list[Choice]:
        if known(ctx.answers, name):
            return [Choice(KEEP, pgettext("button", "Keep it"))]
        return []

    return choices


def _text_summary(name: str) -> Callable[[JsonValue, FormContext], str]:
    def summary(value: JsonValue, ctx: FormContext) -> str:
        shown = known(ctx.answers, name) if value == KEEP else value
        return str(shown or "")

    return summary


def _date_summary(value: JsonValue, ctx: FormContext) -> str:
    try:
        return format_long_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _known_line(ctx: FormContext, name: str) -> str | None:
    value = known(ctx.answers, name)
    if not value:
        return None
    return _("The register has: {value}. Tap “Keep it” or type another.").format(value=value)


def _lines(*lines: str | None) -> str:
    return "\n".join(line for line in lines if line)


# -- prompts ------------------------------------------------------------------------------------


def _intro(ctx: FormContext) -> str:
    return _(
        "Let's prepare your trustmark application. It has short questions about your business, "
        "then the evidence for the 9 criteria and the documents. You can stop at any time: "
        "your answers are kept, and “continue” brings you back."
    )


def _category_prompt(ctx: FormContext) -> str:
    locale = current_locale()
    chosen = ctx.answers.get("cat")
    hint = None
    if isinstance(chosen, str) and chosen in {c.key for c in ctx.turn.kb.categories}:
        hint = _("Your answer so far: {category}.").format(
            category=ctx.turn.kb.category(chosen).name.get(locale)
        )
    return _lines(_("What kind of business are you?"), hint)


def _registration_prompt(ctx: FormContext) -> str:
    return _(
        "What is your e-commerce registration number? It is on the permission letter or "
        "licence from the Ministry of Commerce."
    )


def _no_registration_note(ctx: FormContext) -> str | None:
    """The honest next step, said once, right after "I don't have this yet" for the number."""
    flow = ctx.flow
    if "reg" not in flow.missing or not flow.history or flow.history[-1] != "reg":
        return None
    return _lines(
        ctx.turn.kb.eligibility.licence_advice.get(current_locale()),
        _(
            "Next step: get the e-commerce licence or permission letter, then add its number "
            "here. I keep your answers as a draft; I can send the application once the number "
            "is in."
        ),
    )


def _khmer_name_prompt(ctx: FormContext) -> str:
    return _lines(
        _no_registration_note(ctx),
        _("What is the business name in Khmer script?"),
        _known_line(ctx, "nkm"),
    )


def _latin_name_prompt(ctx: FormContext) -> str:
    return _lines(
        _("What is the business name in Latin letters?"),
        _known_line(ctx, "nen"),
    )


def _address_prompt(ctx: FormContext) -> str:
    return _lines(
        _("What is the business address (house, street, sangkat or commune, city)?"),
        _known_line(ctx, "addr"),
    )


def _phone_prompt(ctx: FormContext) -> str:
    if ctx.turn.message.channel == TELEGRAM:
        # Telegram can send the number with one tap; elsewhere it is typed.
        ctx.turn.outbox.add(
            TextReply(
                pgettext("button", "📱 Share my phone number"),
                (share_phone_button(),),
            )
        )
    return _lines(
        _("Which phone number can the Ministry call you on?"),
        _known_line(ctx, "tel"),
    )


def share_phone_button() -> Button:
    """Telegram's "share my phone number" (pressing it sends the number, not this payload)."""
    return Button(
        pgettext("button", "📱 Share my phone number"),
        f"{FORM_ID}:!resume",
        pgettext("short", "Share my phone"),
        kind="contact",
    )


def _identifiers_prompt(ctx: FormContext) -> str:
    return _(
        "Send every page, handle, website, phone number and payment account the certificate "
        "should cover, one or several per message: facebook.com/yourpage, t.me/yourshop, "
        "yourshop.com, 012 345 678, name@bank, or a photo of your KHQR code. Tap “Done” when "
        "the list is complete."
    )


def _activity_prompt(ctx: FormContext) -> str:
    return _("What type of e-commerce activity is it?")


def _more_items(title: str) -> str:
    return _lines(title, _("Send more, or tap “Done”."))


def _criterion_prompt(number: int) -> Callable[[FormContext], str]:
    def prompt(ctx: FormContext) -> str:
        locale = current_locale()
        criteria = ctx.turn.kb.criteria
        criterion = next(c for c in criteria if c.number == number)
        title = _("Criterion {number} of {total}: {title}").format(
            number=number, total=len(criteria), title=criterion.title.get(locale)
        )
        if evidence.items_of(ctx.answers.get(CRITERION_FIELDS[number])):
            return _more_items(title)  # the full text was shown with the first item
        lines = [
            title,
            criterion.description.get(locale),
            _("Evidence you can show:"),
            *(f"\u2022 {item.get(locale)}" for item in criterion.evidence),
            _held_line(ctx, CRITERION_FIELDS[number]),
            _("Send photos, screenshots or PDFs, or a link. Tap “Done” when you have sent all."),
        ]
        return _lines(*lines)

    return prompt


def _document_prompt(letter: str) -> Callable[[FormContext], str]:
    def prompt(ctx: FormContext) -> str:
        locale = current_locale()
        document = next(d for d in ctx.turn.kb.documents if d.letter == letter)
        title = _("Document {mark}: {title}").format(
            mark=document_mark(letter), title=document.title.get(locale)
        )
        if evidence.items_of(ctx.answers.get(DOCUMENT_FIELDS[letter])):
            return _more_items(title)
        first = None
        if letter == ASKED_DOCUMENTS[0]:
            first = _(
                "Now the documents. Document {first} is this application and {last} is the "
                "evidence you just sent, so I ask only for the others."
            ).format(first=document_mark("a"), last=document_mark("g"))
        return _lines(
            first,
            title,
            document.description.get(locale),
            _held_line(ctx, DOCUMENT_FIELDS[letter]),
            _("Send photos or PDFs, or a link. Tap “Done” when you have sent all."),
        )

    return prompt


def _held_line(ctx: FormContext, field: str) -> str | None:
    """What the registry already holds for this item (a reopened application)."""
    current = ctx.answers.get(CURRENT)
    if not isinstance(current, dict):
        return None
    items = evidence.items_of(current.get(field))
    if not items:
        return None
    return _("Already sent: {evidence}. Send what is new.").format(evidence=evidence.counts(items))


def _warranty_prompt(ctx: FormContext) -> str:
    return _("Do you offer warranties or service guarantees on what you sell?")


def _declaration(ctx: FormContext) -> str:
    return _(
        "Code of Conduct declaration: I declare that my business follows the Code of Conduct "
        "for e-commerce businesses, that the answers and evidence I gave are true, that I will "
        "display the trustmark only as permitted and tell the Ministry of Commerce about any "
        "change (pages, contact, practices)."
    )


# -- parsers that need the registry -------------------------------------------------------------


async def _parse_registration(given: FieldInput, ctx: FormContext) -> Parsed:
    parsed = parse_registration_no(given, ctx)
    if isinstance(parsed, Accept) and isinstance(parsed.value, str):
        await _recognise(ctx, parsed.value)
    return parsed


def _registered_match(matches: Sequence[ShopMatch]) -> ShopMatch | None:
    return next((m for m in matches if m.matched_by is MatchKind.REGISTRATION_NO), None)


async def _recognise(ctx: FormContext, number: str) -> None:
    """A business the register knows: say so and keep its data to offer (names, pages)."""
    try:
        match = _registered_match(await ctx.turn.backend.find_shops(number, limit=1))
    except BackendError:
        log.info("registry lookup of a registration number failed; asking everything")
        return
    if match is None:
        ctx.answers.pop(KNOWN, None)
        return
    shop = match.shop
    facts: dict[str, JsonValue] = {"nen": shop.name}
    if shop.name_km:
        facts["nkm"] = shop.name_km
    if shop.category is not None:
        facts["cat"] = shop.category.value
    ctx.answers[KNOWN] = facts
    if shop.identifiers and not ctx.answers.get("ids"):
        ctx.answers["ids"] = [
            {**identifier_json(i), "display": identifier_text(identifier_json(i))}
            for i in shop.identifiers
        ]
    names = " / ".join(n for n in (shop.name_km, shop.name) if n)
    lines = [
        _("I found your business in the register: {names}. I filled in what it knows.").format(
            names=names
        )
    ]
    certificate = shop.certificate
    if shop.verdict is Verdict.CERTIFIED and certificate is not None:
        lines.append(
            _(
                "It already holds the trustmark ({certificate}, valid until {date}). To extend "
                "it, use “Renew” instead."
            ).format(
                certificate=certificate.certificate_id,
                date=format_long_date(certificate.valid_until),
            )
        )
    chosen = ctx.answers.get("cat")
    if shop.category is not None and chosen and chosen != shop.category.value:
        lines.append(
            _(
                "The register lists it as: {category}. Change your answer in the review if needed."
            ).format(category=ctx.turn.kb.category(shop.category.value).name.get(current_locale()))
        )
    ctx.turn.outbox.say("\n".join(lines))


async def parse_identifier_message(given: FieldInput, ctx: FormContext) -> Parsed:
    """Typed pages and accounts, or a photo or screenshot of the payment KHQR code."""
    if not given.files:
        return parse_identifiers(given, ctx)
    found: list[JsonValue] = []
    for file in given.files:
        data = await given.turn.intake.read(str(file["sha256"]))
        found += await khqr_accounts(data)
    if not found:
        return Reject(
            _(
                "I could not read a KHQR payment code in this picture. Send a clear photo or "
                "screenshot of the code, or type the account (name@bank)."
            )
        )
    return Accept(found)


async def khqr_accounts(image: bytes) -> list[JsonValue]:
    """The payment accounts of the valid KHQR codes in an image (the seller's own first)."""
    accounts: list[JsonValue] = []
    for text in await asyncio.to_thread(read_qr_codes, image):
        try:
            code = parse_khqr(text)
        except NotKhqr as refused:
            log.info("a QR code at the pages question is not KHQR (%s)", refused.reason.value)
            continue
        for account in code.payee.payment_accounts[:1]:
            identifier = parse_identifier(account, IdentifierKind.PAYMENT)
            if identifier is not None:
                item = identifier_json(identifier)
                item["display"] = f"{identifier.value} (KHQR: {code.merchant_name})"
                accounts.append(item)
    return accounts


# -- the form -----------------------------------------------------------------------------------


def _has_registration(answers: Answers) -> bool:
    return bool(answers.get("reg"))


def _offers_warranty(answers: Answers) -> bool:
    return answers.get(WARRANTY_QUESTION) != NO_WARRANTY


def _criterion_field(number: int) -> Field:
    return Field(
        name=CRITERION_FIELDS[number],
        prompt=_criterion_prompt(number),
        parse=evidence.parse_evidence,
        files=FileRule(MAX_EVIDENCE_FILES),
        multiple=True,
        missing_ok=True,
        summary=evidence.summary,
        label=lambda: _("Criterion {number}").format(number=number),
        when=_offers_warranty if number == 3 else None,
    )


def _document_field(letter: str) -> Field:
    return Field(
        name=DOCUMENT_FIELDS[letter],
        prompt=_document_prompt(letter),
        parse=evidence.parse_evidence,
        files=FileRule(MAX_EVIDENCE_FILES),
        multiple=True,
        missing_ok=True,
        summary=evidence.summary,
        label=lambda: _("Document {mark}").format(mark=document_mark(letter)),
    )


def _yes_no(ctx: FormContext) -> list[Choice]:
    return [
        Choice("yes", pgettext("button", "Yes")),
        Choice(NO_WARRANTY, pgettext("button", "No")),
    ]


FIELDS: Final = (
    Field(
        name="cat",
        prompt=_category_prompt,
        choices=_category_choices,
        parse=_parse_category,
        label=lambda: _("Business type"),
    ),
    Field(
        name="reg",
        prompt=_registration_prompt,
        parse=_parse_registration,
        missing_ok=True,
        label=lambda: _("Registration number"),
    ),
    Field(
        name="regd",
        prompt=lambda ctx: _("On which date was it issued? For example 15/03/2024."),
        parse=parse_registration_date,
        when=_has_registration,
        summary=_date_summary,
        label=lambda: _("Registration date"),
    ),
    Field(
        name="nkm",
        prompt=_khmer_name_prompt,
        parse=parse_khmer_name,
        choices=_keep("nkm"),
        free_text=True,
        required=False,
        summary=_text_summary("nkm"),
        label=lambda: _("Name in Khmer"),
    ),
    Field(
        name="nen",
        prompt=_latin_name_prompt,
        parse=parse_latin_name,
        choices=_keep("nen"),
        free_text=True,
        summary=_text_summary("nen"),
        label=lambda: _("Name in Latin letters"),
    ),
    Field(
        name="addr",
        prompt=_address_prompt,
        parse=parse_address,
        choices=_keep("addr"),
        free_text=True,
        summary=_text_summary("addr"),
        label=lambda: _("Address"),
    ),
    Field(
        name="tel",
        prompt=_phone_prompt,
        parse=parse_phone,
        choices=_keep("tel"),
        summary=_text_summary("tel"),
        label=lambda: _("Phone"),
    ),
    Field(
        name="mail",
        prompt=lambda ctx: _("Your e-mail address? (You can skip this.)"),
        parse=parse_email,
        required=False,
        label=lambda: _("E-mail"),
    ),
    Field(
        name="ids",
        prompt=_identifiers_prompt,
        parse=parse_identifier_message,
        files=FileRule(MAX_KHQR_PHOTOS),
        multiple=True,
        summary=identifier_summary,
        label=lambda: _("Pages and accounts covered"),
    ),
    Field(
        name="act",
        prompt=_activity_prompt,
        choices=lambda ctx: [Choice(k, activity_label(k)) for k in ACTIVITIES],
        label=lambda: _("Type of activity"),
    ),
    _criterion_field(1),
    _criterion_field(2),
    Field(
        name=WARRANTY_QUESTION,
        prompt=_warranty_prompt,
        choices=_yes_no,
        label=lambda: _("Warranties offered"),
    ),
    *(_criterion_field(n) for n in range(3, 10)),
    *(_document_field(letter) for letter in ASKED_DOCUMENTS),
)


# -- submitting ---------------------------------------------------------------------------------


def _owner(turn: Turn) -> tuple[str, str]:
    return (turn.message.channel, turn.message.user_id)


def _missing_criteria(ctx: FormContext) -> list[int]:
    applicable_names = {f.name for f in forms.applicable(ctx.form, ctx.flow)}
    return [
        number
        for number, name in CRITERION_FIELDS.items()
        if name in applicable_names and (name in ctx.flow.missing or not _has_evidence(ctx, name))
    ]


def _has_evidence(ctx: FormContext, name: str) -> bool:
    current = ctx.answers.get(CURRENT)
    held = evidence.items_of(current.get(name)) if isinstance(current, dict) else []
    return bool(held or evidence.items_of(ctx.answers.get(name)))


def _back_to_review(ctx: FormContext) -> None:
    flow = ctx.flow
    if flow.history and flow.history[-1] == REVIEW:
        flow.history.pop()
    flow.position = REVIEW
    flow.editing = False


def _not_yet_sendable(ctx: FormContext, lines: list[str], buttons: list[Button]) -> None:
    _back_to_review(ctx)
    ctx.turn.outbox.say(
        "\n".join(lines),
        [
            *buttons[:6],
            Button(pgettext("button", "See my answers"), f"{ctx.form.id}:!resume"),
            Button(
                pgettext("button", "Save and leave"),
                f"{ctx.form.id}:!save",
                pgettext("short", "Save"),
            ),
        ],
    )


async def _submit(ctx: FormContext) -> str | None:
    turn, flow = ctx.turn, ctx.flow
    reopened = isinstance(ctx.answers.get(APPLICATION), str)
    if not reopened and "reg" in flow.missing:
        _not_yet_sendable(
            ctx,
            [
                _("Your application is saved, but I cannot send it yet."),
                _(
                    "Next step: get the e-commerce licence or permission letter, then add its "
                    "number here."
                ),
            ],
            [Button(pgettext("button", "Add the number"), f"{ctx.form.id}:!edit:reg")],
        )
        raise StayOpen
    missing = _missing_criteria(ctx)
    if missing:
        _not_yet_sendable(
            ctx,
            [
                _("Your application is saved, but every criterion needs evidence first."),
                _("Still missing: {items}.").format(
                    items=", ".join(_("criterion {number}").format(number=n) for n in missing)
                ),
                _("I will remind you in a few days."),
            ],
            [
                Button(
                    _("Add criterion {number}").format(number=n),
                    f"{ctx.form.id}:!edit:{CRITERION_FIELDS[n]}",
                    _("Criterion {number}").format(number=n),
                )
                for n in missing
            ],
        )
        await schedule_missing_reminder(turn, flow.key, turn.now + MISSING_REMINDER_AFTER)
        raise StayOpen
    category = str(resolved(ctx.answers, "cat") or DEFAULT_CATEGORY)
    only = flow.only if reopened else None
    draft, files = application_draft(ctx.answers, fields=only)
    submission = Submission(
        kind=REOPENED if reopened else NEW,
        draft=draft,
        files=tuple(files),
        fee=quoted_fee(turn.kb, category),
        application_id=str(ctx.answers[APPLICATION]) if reopened else None,
    )
    try:
        result = await send_submission(turn, submission, flow.key)
    except ValidationError as refused:
        _refused(ctx, refused)
        raise StayOpen from refused
    except BackendUnavailable:
        _back_to_review(ctx)
        turn.outbox.say(
            _(
                "I cannot reach the registry right now. Your application is saved; please tap "
                "“Submit” again in a few minutes."
            ),
            (Button(pgettext("button", "See my answers"), f"{ctx.form.id}:!resume"),),
        )
        raise StayOpen from None
    except Conflict:
        # E.g. an officer decided on a reopened application meanwhile: nothing to resend.
        log.info("the registry refused a submission as a conflict")
        turn.outbox.say(
            _("This application can no longer be changed. “My application” shows where it stands."),
            (Button(pgettext("button", "My application"), "i:application_status"),),
        )
        return None
    if result is None:
        turn.outbox.say(
            _lines(
                _(
                    "Your application is saved and will be sent as soon as the registry "
                    "answers. I will send you its reference here."
                ),
                *fee_quote(turn.kb, category, khr_per_usd=khr_per_usd(turn)),
            ),
            (keyboards.menu_button(),),
        )
        return None
    reference = str(result["reference"])
    turn.outbox.say(
        _lines(
            *submitted_lines(
                turn.kb,
                reference,
                category,
                kind=submission.kind,
                khr_per_usd=khr_per_usd(turn),
            )
        ),
        (
            Button(pgettext("button", "My application"), "i:application_status"),
            keyboards.menu_button(),
        ),
    )
    return reference


_FIELD_OF_PROBLEM: Final = {
    "business_name": "nen",
    "business_name_km": "nkm",
    "category": "cat",
    "registration_no": "reg",
    "registered_on": "regd",
    "address": "addr",
    "phone": "tel",
    "email": "mail",
    "identifiers": "ids",
    "activity_type": "act",
}


def _refused(ctx: FormContext, refused: ValidationError) -> None:
    """The registry refused an answer: say which one and open it again."""
    names = [
        _FIELD_OF_PROBLEM[f]
        for f in refused.fields
        if f in _FIELD_OF_PROBLEM and ctx.form.field(_FIELD_OF_PROBLEM[f]) is not None
    ]
    criteria = [f for f in refused.fields if f.startswith("criterion_")]
    names += [CRITERION_FIELDS[int(f.removeprefix("criterion_"))] for f in criteria]
    log.info("registry refused a submission: %s", ", ".join(refused.fields))
    if not names:
        _back_to_review(ctx)
        ctx.turn.outbox.say(
            _("The registry could not accept the application. Please check your answers.")
        )
        return
    field = ctx.form.field(names[0])
    assert field is not None
    ctx.turn.outbox.say(
        _("The registry could not accept this answer: {label}. Please give it again.").format(
            label=field.label() if field.label else field.name
        )
    )
    ctx.flow.position = field.name
    ctx.flow.editing = True


async def _complete(ctx: FormContext) -> str | None:
    try:
        return await _submit(ctx)
    except StayOpen:
        if ctx.flow.editing:
            await prompt_again(ctx.turn, ctx.form, ctx.flow)
        raise


OPERATIONS.register(
    Operation(
        kind=SUBMIT_OPERATION,
        perform=perform_operation,
        notify=submitted_notice,
        notify_failure=failed_notice,
    )
)

APPLICATION_FORM: Final = FORMS.register(
    Form(
        id=FORM_ID,
        title=lambda: _("trustmark application"),
        fields=FIELDS,
        on_complete=_complete,
        review=True,
        declaration=_declaration,
        intro=_intro,
    )
)


# -- starting -----------------------------------------------------------------------------------


async def apply(turn: Turn) -> None:
    """The apply intent: continue a saved draft, or start the wizard."""
    if FORM_ID in turn.state.flows:
        await forms.resume(turn, FORM_ID)
        return
    await forms.start(turn, FORM_ID)


async def start_from_eligibility(turn: Turn, category: str, activity: str) -> None:
    """ "Apply now" after a positive eligibility verdict: its answers carried over."""
    prefill: dict[str, JsonValue] = {}
    if category in {c.key for c in turn.kb.categories}:
        prefill["cat"] = category
    if activity in ELIGIBILITY_ACTIVITY:
        prefill["act"] = ELIGIBILITY_ACTIVITY[activity]
    existing = turn.state.flows.get(FORM_ID)
    if existing is not None and existing.answers:
        existing.answers.update({k: v for k, v in prefill.items() if k not in existing.answers})
        await forms.resume(turn, FORM_ID)
        return
    await forms.start(turn, FORM_ID, prefill=prefill)


def apply_now_button(category: str, activity: str) -> Button:
    """The button under a positive eligibility verdict."""
    return Button(pgettext("button", "Apply now"), f"apl:e:{category}:{activity}")
