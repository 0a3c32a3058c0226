"""Where do I stand: the user's applications and certificates, and reopening one on request.

"My application" / "status" lists the draft in this chat, every application the registry holds
for the user (status, dates, what is missing or asked for) and the certificates they earned,
each with the next useful button. ``apl:info:<APP-...>`` reopens an application sent back for
more information at exactly the items the officer named (another form id, so a new draft in
progress is not touched) and resubmits the same application.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from backend_client import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    BackendError,
    BackendUnavailable,
    Certificate,
    CertificateStatus,
    MatchKind,
    NotFound,
)
from bot import forms, keyboards
from bot.applications.draft import CRITERION_FIELDS, answers_from_application, requested_items
from bot.applications.fields import identifier_json, identifier_text
from bot.applications.notices import (
    approved_certificate,
    approved_notice,
    item_names,
    renew_button,
    reopen_button,
)
from bot.applications.schedule import phnom_penh_day
from bot.forms import FORMS, Form
from bot.handlers import application
from bot.i18n import _, format_long_date, pgettext
from bot.messages import Button
from bot.turn import Turn

log = logging.getLogger(__name__)

REOPENED_FORM_ID: Final = "apr"
RENEWAL_WINDOW: Final = timedelta(days=90)
MAX_LISTED: Final = 5

REOPENED_FORM: Final = FORMS.register(
    Form(
        id=REOPENED_FORM_ID,
        title=lambda: _("additional information"),
        fields=application.FIELDS,
        on_complete=application.APPLICATION_FORM.on_complete,
        review=True,
        declaration=application.APPLICATION_FORM.declaration,
    )
)


def status_label(status: ApplicationStatus) -> str:
    """An application's status in words."""
    labels = {
        ApplicationStatus.DRAFT: _("draft, not sent yet"),
        ApplicationStatus.SUBMITTED: _("sent, waiting for review"),
        ApplicationStatus.UNDER_REVIEW: _("being reviewed"),
        ApplicationStatus.MORE_INFO_REQUESTED: _("more information needed"),
        ApplicationStatus.APPROVED: _("approved"),
        ApplicationStatus.REJECTED: _("not approved"),
    }
    return labels[status]


def _owner(turn: Turn) -> tuple[str, str]:
    return (turn.message.channel, turn.message.user_id)


async def certificate(turn: Turn, certificate_id: str) -> Certificate | None:
    """A certificate as it stands today, from the bot's shop lookup."""
    for match in await turn.backend.find_shops(certificate_id, limit=1):
        if match.matched_by is MatchKind.CERTIFICATE_ID and match.shop.certificate is not None:
            return match.shop.certificate
    return None


def _certificate_line(turn: Turn, held: Certificate) -> tuple[str, list[Button]]:
    today = phnom_penh_day(turn.now)
    number = held.certificate_id
    buttons: list[Button] = []
    if held.status is CertificateStatus.EXPIRED:
        line = _("Certificate {certificate}: ended on {date}. Renew it to show the mark again.")
        buttons.append(renew_button(number))
    elif held.status is CertificateStatus.REVOKED:
        line = _("Certificate {certificate}: revoked.")
    elif held.status is CertificateStatus.SUSPENDED:
        line = _("Certificate {certificate}: suspended.")
    else:
        line = _("Certificate {certificate}: valid until {date}.")
        buttons.append(
            Button(
                pgettext("button", "My badge"),
                f"apl:badge:{number}",
            )
        )
        if held.valid_until - today <= RENEWAL_WINDOW:
            buttons.append(renew_button(number))
    return line.format(certificate=number, date=format_long_date(held.valid_until)), buttons


def _draft_lines(turn: Turn) -> tuple[list[str], list[Button]]:
    flow = turn.state.flows.get(application.FORM_ID)
    if flow is None:
        return [], []
    fields = forms.applicable(application.APPLICATION_FORM, flow)
    names = [f.name for f in fields]
    answered = names.index(flow.position) if flow.position in names else len(names)
    lines = [
        _("Application in this chat: {done} of {total} questions answered, not sent yet.").format(
            done=answered, total=len(fields)
        )
    ]
    criteria = set(CRITERION_FIELDS.values())
    missing = [name for name in flow.missing if name in criteria or name == "reg"]
    if missing:
        lines.append(
            _("Still missing: {items}.").format(items=", ".join(item_names(turn.kb, missing)))
        )
    return lines, [forms.continue_button(application.FORM_ID)]


def _application_lines(
    turn: Turn, app: Application, held: Certificate | None
) -> tuple[list[str], list[Button]]:
    kind = _("renewal") if app.kind is ApplicationKind.RENEWAL else _("application")
    when = app.submitted_at or app.created_at
    lines = [
        _("{reference} ({kind}): {status}, {date}.").format(
            reference=app.application_id,
            kind=kind,
            status=status_label(app.status),
            date=format_long_date(phnom_penh_day(when)),
        )
    ]
    buttons: list[Button] = []
    if app.status is ApplicationStatus.MORE_INFO_REQUESTED:
        lines.append(_("The officer wrote: {note}").format(note=app.decision_note or ""))
        buttons.append(reopen_button(app.application_id))
    elif app.status is ApplicationStatus.REJECTED and app.decision_note:
        lines.append(_("The officer's reason: {reason}").format(reason=app.decision_note))
    elif app.status is ApplicationStatus.DRAFT and app.renewal_of:
        buttons.append(renew_button(app.renewal_of))
    if held is not None:
        line, more = _certificate_line(turn, held)
        lines.append(line)
        buttons += more
    return lines, buttons


async def show_status(turn: Turn) -> None:
    """List the user's draft, applications and certificates, with the next useful buttons."""
    lines: list[str] = []
    buttons: list[Button] = []
    draft_lines, draft_buttons = _draft_lines(turn)
    try:
        applications = await turn.backend.list_applications(_owner(turn))
    except BackendError:
        log.info("registry unavailable for the status of a user's applications")
        turn.outbox.say(
            "\n".join(
                [
                    *draft_lines,
                    _("I cannot reach the registry right now. Please try again in a few minutes."),
                ]
            ),
            [*draft_buttons, keyboards.menu_button()],
        )
        return
    lines += draft_lines
    buttons += draft_buttons
    pending = turn.state.submitted.get(application.FORM_ID)
    if pending is not None and not pending.get("ref"):
        lines.append(_("Your last application is saved and waits for the registry to take it."))
    seen_certificates: set[str] = set()
    for app in applications[:MAX_LISTED]:
        held = None
        if app.certificate_id and app.certificate_id not in seen_certificates:
            seen_certificates.add(app.certificate_id)
            try:
                held = await certificate(turn, app.certificate_id)
            except BackendError:
                held = None
        more_lines, more_buttons = _application_lines(turn, app, held)
        lines += [f"\u2022 {more_lines[0]}", *more_lines[1:]]
        buttons += more_buttons
    if not lines:
        turn.outbox.say(
            _("You have no application yet. It takes about 15 minutes with your evidence ready."),
            (
                Button(pgettext("button", "Apply now"), "i:apply"),
                keyboards.eligibility_button(),
                keyboards.menu_button(),
            ),
        )
        return
    if (
        not draft_lines
        and applications
        and all(a.status is ApplicationStatus.REJECTED for a in applications)
    ):
        buttons.append(Button(pgettext("button", "New application"), "i:apply"))
    turn.outbox.say(
        "\n".join([_("Your applications and certificates:"), *lines]),
        [*_unique(buttons), keyboards.menu_button()],
    )


def _unique(buttons: Sequence[Button]) -> list[Button]:
    seen: set[str] = set()
    kept: list[Button] = []
    for button in buttons:
        if button.payload not in seen:
            seen.add(button.payload)
            kept.append(button)
    return kept


# -- reopening at an officer's request ----------------------------------------------------------


async def reopen(turn: Turn, application_id: str) -> None:
    """Open the wizard at exactly the items the officer asked for, to resubmit the same one."""
    try:
        found = await turn.backend.get_application(_owner(turn), application_id)
    except NotFound:
        turn.outbox.say(
            _("I cannot find that application for this chat."), (keyboards.menu_button(),)
        )
        return
    except BackendUnavailable:
        turn.outbox.say(
            _("I cannot reach the registry right now. Please try again in a few minutes."),
            (reopen_button(application_id), keyboards.menu_button()),
        )
        return
    if found.status is not ApplicationStatus.MORE_INFO_REQUESTED:
        turn.outbox.say(
            _("Application {reference}: {status}. There is nothing to add now.").format(
                reference=found.application_id, status=status_label(found.status)
            ),
            (Button(pgettext("button", "My application"), "i:application_status"),),
        )
        return
    items = [
        name
        for name in requested_items(found.decision_note or "")
        if REOPENED_FORM.field(name) is not None
    ]
    prefill = answers_from_application(found)
    turn.outbox.say(
        _("The officer wrote: {note}").format(note=found.decision_note or ""),
    )
    if items:
        for name in items:
            prefill.pop(name, None)
        await forms.start(turn, REOPENED_FORM_ID, prefill=prefill, only=items)
    else:
        await forms.start(turn, REOPENED_FORM_ID, prefill=prefill, at_review=True)


async def show_badge(turn: Turn, certificate_id: str) -> None:
    """Send the certificate message and the badge again (for the certificate's holder)."""
    try:
        applications = await turn.backend.list_applications(_owner(turn))
        held = await certificate(turn, certificate_id)
    except BackendError:
        turn.outbox.say(
            _("I cannot reach the registry right now. Please try again in a few minutes."),
            (keyboards.menu_button(),),
        )
        return
    source = next(
        (
            a
            for a in applications
            if a.certificate_id == certificate_id and a.status is ApplicationStatus.APPROVED
        ),
        None,
    )
    if source is None or held is None:
        turn.outbox.say(
            _("Only the holder of a certificate can get its badge here."),
            (keyboards.menu_button(),),
        )
        return
    approved = await approved_certificate(
        source, held, [identifier_text(identifier_json(i)) for i in held.covered_identifiers]
    )
    for reply in approved_notice(approved):
        turn.outbox.add(reply)


async def on_payload(turn: Turn, argument: str) -> None:
    """``apl:e:<category>:<activity>``, ``apl:info:<APP-...>``, ``apl:badge:<CETS-...>``."""
    action, _sep, rest = argument.partition(":")
    if action == "e":
        category, _sep, activity = rest.partition(":")
        await application.start_from_eligibility(turn, category, activity)
    elif action == "info" and rest:
        await reopen(turn, rest)
    elif action == "badge" and rest:
        await show_badge(turn, rest)
    else:
        await show_status(turn)
