"""Renewing a certificate: a short form that asks only what changed, at 75% of the fee.

(The facts about renewal, for anyone who asks, are :mod:`bot.handlers.renewal`'s.)

"Renew" (the intent, or the "Renew now" button of a reminder, ``rnw:<CETS-...>``) opens the
form for a certificate this chat holds. The form is prefilled from the application that earned
the certificate: the seller says what changed (contact, pages and accounts, name, practices),
is asked only about that, declares the Code of Conduct again and submits. The registry opens
the renewal from the certificate (``start_renewal``), so unchanged answers stay as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from backend_client import (
    Application,
    ApplicationStatus,
    BackendError,
    BackendUnavailable,
    Certificate,
    CertificateStatus,
    ValidationError,
)
from bot import forms, keyboards
from bot.applications import evidence
from bot.applications.draft import EvidenceFile, answers_from_application, application_draft
from bot.applications.fields import (
    KNOWN,
    identifier_summary,
    parse_address,
    parse_email,
    parse_khmer_name,
    parse_latin_name,
    parse_phone,
)
from bot.applications.notices import renew_button, submitted_lines
from bot.applications.submission import RENEWAL, Submission, send_submission
from bot.dialogue.state import JsonValue
from bot.forms import FORMS, Answers, Choice, Field, FileRule, Form, FormContext, StayOpen
from bot.handlers import application, renewal
from bot.handlers.fees import fee_quote, khr_per_usd, quoted_fee
from bot.handlers.my_application import certificate
from bot.i18n import _, format_long_date, format_percent, ngettext, pgettext
from bot.messages import Button
from bot.turn import Turn

log = logging.getLogger(__name__)

FORM_ID: Final = "ren"
CERTIFICATE: Final = "_cert"
CHANGES: Final = ("contact", "pages", "name", "practices")


def _change_label(key: str) -> str:
    labels = {
        "contact": pgettext("button", "Address or phone"),
        "pages": pgettext("button", "Pages or accounts"),
        "name": pgettext("button", "Business name"),
        "practices": pgettext("button", "Policies or practices"),
    }
    return labels[key]


def _changed(key: str) -> Callable[[Answers], bool]:
    def applies(answers: Answers) -> bool:
        what = answers.get("what")
        return answers.get("chg") == "yes" and isinstance(what, list) and key in what

    return applies


def _intro(ctx: FormContext) -> str:
    number = ctx.answers.get(CERTIFICATE)
    return _(
        "Let's renew certificate {certificate}. I ask only what changed since it was issued."
    ).format(certificate=number)


def _practices_prompt(ctx: FormContext) -> str:
    return _(
        "Send evidence of what changed in your policies or practices: photos, screenshots, PDFs "
        "or links. Tap “Done” when you have sent all."
    )


FIELDS: Final = (
    Field(
        name="chg",
        prompt=lambda ctx: _("Has anything changed since your certificate was issued?"),
        choices=lambda ctx: [
            Choice("yes", pgettext("button", "Yes")),
            Choice("no", pgettext("button", "Nothing changed")),
        ],
        label=lambda: _("Changes"),
    ),
    Field(
        name="what",
        prompt=lambda ctx: _("What changed? Tap each one, then “Done”."),
        choices=lambda ctx: [Choice(k, _change_label(k)) for k in CHANGES],
        multiple=True,
        when=lambda answers: answers.get("chg") == "yes",
        summary=lambda value, ctx: (
            ", ".join(_change_label(str(v)) for v in value)
            if isinstance(value, list)
            else _change_label(str(value))
        ),
        label=lambda: _("What changed"),
    ),
    Field(
        name="addr",
        prompt=lambda ctx: _("Your new address?"),
        parse=parse_address,
        free_text=True,
        when=_changed("contact"),
        label=lambda: _("Address"),
    ),
    Field(
        name="tel",
        prompt=lambda ctx: _("Your phone number now?"),
        parse=parse_phone,
        when=_changed("contact"),
        label=lambda: _("Phone"),
    ),
    Field(
        name="mail",
        prompt=lambda ctx: _("Your e-mail address? (You can skip this.)"),
        parse=parse_email,
        required=False,
        when=_changed("contact"),
        label=lambda: _("E-mail"),
    ),
    Field(
        name="ids",
        prompt=lambda ctx: _(
            "These are the pages and accounts the certificate covers now. Send new ones, remove "
            "old ones, then tap “Done”."
        ),
        parse=application.parse_identifier_message,
        multiple=True,
        summary=identifier_summary,
        when=_changed("pages"),
        label=lambda: _("Pages and accounts covered"),
    ),
    Field(
        name="nkm",
        prompt=lambda ctx: _("The business name in Khmer script now?"),
        parse=parse_khmer_name,
        free_text=True,
        required=False,
        when=_changed("name"),
        label=lambda: _("Name in Khmer"),
    ),
    Field(
        name="nen",
        prompt=lambda ctx: _("The business name in Latin letters now?"),
        parse=parse_latin_name,
        free_text=True,
        when=_changed("name"),
        label=lambda: _("Name in Latin letters"),
    ),
    Field(
        name="dg",
        prompt=_practices_prompt,
        parse=evidence.parse_evidence,
        files=FileRule(application.MAX_EVIDENCE_FILES),
        multiple=True,
        summary=evidence.summary,
        when=_changed("practices"),
        label=lambda: _("New evidence"),
    ),
)

_CHANGED_FIELDS: Final = {
    "contact": ("addr", "tel", "mail"),
    "pages": ("ids",),
    "name": ("nkm", "nen"),
    "practices": ("dg",),
}


def _owner(turn: Turn) -> tuple[str, str]:
    return (turn.message.channel, turn.message.user_id)


async def _submit(ctx: FormContext) -> str | None:
    turn, answers = ctx.turn, ctx.answers
    certificate_id = str(answers[CERTIFICATE])
    category = str(answers.get("cat") or application.DEFAULT_CATEGORY)
    what = answers.get("what") if answers.get("chg") == "yes" else []
    keys = what if isinstance(what, list) else []
    changed = [name for key in keys for name in _CHANGED_FIELDS.get(str(key), ())]
    draft, _files = application_draft(answers, fields=[n for n in changed if n != "dg"])
    files = _practice_files(answers)
    submission = Submission(
        kind=RENEWAL,
        draft=draft,
        files=tuple(files),
        fee=quoted_fee(turn.kb, category, renewal=True),
        certificate_id=certificate_id,
    )
    try:
        result = await send_submission(turn, submission, ctx.flow.key)
    except ValidationError:
        turn.outbox.say(
            _("The registry could not accept the renewal. Please check your answers."),
            (Button(pgettext("button", "See my answers"), f"{FORM_ID}:!resume"),),
        )
        raise StayOpen from None
    except BackendUnavailable:
        turn.outbox.say(
            _(
                "I cannot reach the registry right now. Your renewal is saved; please tap "
                "“Submit” again in a few minutes."
            ),
            (Button(pgettext("button", "See my answers"), f"{FORM_ID}:!resume"),),
        )
        raise StayOpen from None
    if result is None:
        turn.outbox.say(
            "\n".join(
                [
                    _(
                        "Your renewal is saved and will be sent as soon as the registry "
                        "answers. I will send you its reference here."
                    ),
                    *fee_quote(turn.kb, category, khr_per_usd=khr_per_usd(turn), renewal=True),
                ]
            ),
            (keyboards.menu_button(),),
        )
        return None
    reference = str(result["reference"])
    turn.outbox.say(
        "\n".join(
            submitted_lines(
                turn.kb, reference, category, kind=RENEWAL, khr_per_usd=khr_per_usd(turn)
            )
        ),
        (
            Button(pgettext("button", "My application"), "i:application_status"),
            keyboards.menu_button(),
        ),
    )
    return reference


def _practice_files(answers: dict[str, JsonValue]) -> list[EvidenceFile]:
    """New files sent as evidence of changed practices (document (g), evidence of criteria)."""
    files: list[EvidenceFile] = []
    for item in evidence.new_files(evidence.items_of(answers.get("dg"))):
        files.append(
            EvidenceFile(
                sha256=str(item["sha256"]),
                filename=str(item.get("filename") or "evidence"),
                mime_type=str(item.get("mime_type") or "application/octet-stream"),
                document="g",
            )
        )
    return files


RENEWAL_FORM: Final = FORMS.register(
    Form(
        id=FORM_ID,
        title=lambda: _("renewal"),
        fields=FIELDS,
        on_complete=_submit,
        review=True,
        declaration=application.APPLICATION_FORM.declaration,
        intro=_intro,
    )
)


# -- who holds what -----------------------------------------------------------------------------


async def held_certificates(turn: Turn) -> list[tuple[Application, Certificate]]:
    """The certificates this chat's user earned, with the application that earned each."""
    applications = await turn.backend.list_applications(_owner(turn))
    held: list[tuple[Application, Certificate]] = []
    seen: set[str] = set()
    for app in applications:
        if app.status is not ApplicationStatus.APPROVED or not app.certificate_id:
            continue
        if app.certificate_id in seen:
            continue
        seen.add(app.certificate_id)
        found = await certificate(turn, app.certificate_id)
        if found is not None:
            held.append((app, found))
    return held


async def renew(turn: Turn) -> None:
    """The renew intent: for a certificate holder, its dates and "Renew now"; else the facts
    (:func:`bot.handlers.renewal.renewal_facts`)."""
    kb = turn.kb
    try:
        held = await held_certificates(turn)
    except BackendError:
        held = []
    renewable = [(a, c) for a, c in held if c.status is not CertificateStatus.REVOKED]
    if not renewable:
        await renewal.renewal_facts(turn)
        return
    lines = [
        ngettext(
            "A certificate is valid for {years} year. Renewing is a short form that asks only "
            "what changed.",
            "A certificate is valid for {years} years. Renewing is a short form that asks only "
            "what changed.",
            kb.fees.validity_years,
        ).format(years=kb.fees.validity_years),
        _("The renewal fee is {percent} of the application fee.").format(
            percent=format_percent(kb.fees.renewal_percent)
        ),
    ]
    for _app, cert in renewable:
        if cert.status is CertificateStatus.EXPIRED:
            lines.append(
                _(
                    "Your certificate {certificate} ended on {date}. Renew it to show the mark "
                    "again."
                ).format(certificate=cert.certificate_id, date=format_long_date(cert.valid_until))
            )
        else:
            lines.append(
                _("Your certificate {certificate} is valid until {date}.").format(
                    certificate=cert.certificate_id, date=format_long_date(cert.valid_until)
                )
            )
    turn.outbox.say(
        "\n".join(lines),
        [*(renew_button(c.certificate_id) for _a, c in renewable[:3]), keyboards.menu_button()],
    )


async def start_renewal_form(turn: Turn, certificate_id: str) -> None:
    """``rnw:<CETS-...>``: open the renewal form of a certificate this chat holds."""
    try:
        held = await held_certificates(turn)
    except BackendError:
        turn.outbox.say(
            _("I cannot reach the registry right now. Please try again in a few minutes."),
            (renew_button(certificate_id), keyboards.menu_button()),
        )
        return
    match = next(((a, c) for a, c in held if c.certificate_id == certificate_id), None)
    if match is None:
        turn.outbox.say(
            _("Only the holder of a certificate can renew it here."), (keyboards.menu_button(),)
        )
        return
    source, cert = match
    if cert.status is CertificateStatus.REVOKED:
        turn.outbox.say(
            _("A revoked certificate cannot be renewed. You can apply again."),
            (Button(pgettext("button", "Apply"), "i:apply"), keyboards.menu_button()),
        )
        return
    current = answers_from_application(source)
    prefill: dict[str, JsonValue] = {
        CERTIFICATE: cert.certificate_id,
        KNOWN: {k: v for k, v in current.items() if not k.startswith("_")},
        "cat": current.get("cat"),
    }
    for name in ("addr", "tel", "mail", "nkm", "nen"):
        if current.get(name):
            prefill[name] = current[name]
    if current.get("ids"):
        prefill["ids"] = current["ids"]
    await forms.start(turn, FORM_ID, prefill=prefill)


async def on_payload(turn: Turn, argument: str) -> None:
    """``rnw:<certificate id>``."""
    if argument:
        await start_renewal_form(turn, argument.strip().upper())
    else:
        await renew(turn)
