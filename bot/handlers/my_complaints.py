"""Following one's complaints: the list, one complaint's history, and the message sent when
an officer moves a complaint on (``complaint_update_replies``, for the status-feed consumer).

Only the complaint's owner sees it: the registry answers "not found" for anyone else's.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from backend_client import (
    BackendError,
    BackendUnavailable,
    Complaint,
    ComplaintStatus,
    NotFound,
    StatusChange,
    SubjectType,
)
from bot import keyboards
from bot.applications.feed import FEED_HANDLERS, FeedContext
from bot.complaints.guard import guard_of
from bot.complaints.labels import category_label, status_label
from bot.complaints.ledger import fingerprint
from bot.i18n import _, current_locale, format_long_date, ngettext, pgettext
from bot.messages import Button, Reply, TextReply
from bot.turn import Turn
from nlu.entities import extract_entities

log = logging.getLogger(__name__)

PAYLOAD: Final = "cmps"
"""Button payload prefix of one complaint's page: ``cmps:<CMP id>``."""
LISTED: Final = 10
MAX_WORDS_WITH_REFERENCE: Final = 12
PENDING_WINDOW: Final = timedelta(days=7)
_FINAL: Final = (ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED)


def _owner(turn: Turn) -> tuple[str, str]:
    return (turn.message.channel, turn.message.user_id)


def _shop_of(complaint: Complaint) -> str:
    if current_locale() == "km" and complaint.shop_name_km:
        return complaint.shop_name_km
    return complaint.shop_name or complaint.shop_reference


def _complaint_button(complaint: Complaint) -> Button:
    return Button(complaint.complaint_id, f"{PAYLOAD}:{complaint.complaint_id}")


def _unreachable(turn: Turn) -> None:
    turn.outbox.say(
        _("I cannot reach the registry right now. Please try again in a few minutes."),
        (keyboards.menu_button(),),
    )


async def _waiting(turn: Turn, complaints: tuple[Complaint, ...]) -> int:
    """Complaints submitted while the registry was away and not in it yet."""
    ledger = guard_of(turn).ledger
    filed = [(fingerprint(c.shop_reference, c.category.value), c.created_at) for c in complaints]
    waiting = 0
    for submission in await ledger.since(_owner(turn), turn.now - PENDING_WINDOW):
        if submission.reference:
            continue
        if not any(
            print_ == submission.fingerprint and at >= submission.submitted_at - timedelta(hours=1)
            for print_, at in filed
        ):
            waiting += 1
    return waiting


async def show_complaints(turn: Turn) -> None:
    """The user's complaints (newest first), or the one a typed CMP- reference names."""
    named = turn.entity("complaint_id")
    if named:
        await show_complaint(turn, named)
        return
    try:
        complaints = await turn.backend.list_complaints(_owner(turn))
    except BackendUnavailable:
        _unreachable(turn)
        return
    waiting = await _waiting(turn, complaints)
    lines: list[str] = []
    if waiting:
        lines.append(
            ngettext(
                "{count} complaint you sent is waiting for the registry; you will get its "
                "reference here.",
                "{count} complaints you sent are waiting for the registry; you will get their "
                "references here.",
                waiting,
            ).format(count=waiting)
        )
    if not complaints and not waiting:
        turn.outbox.say(
            _("You have not made any complaint in this chat yet."),
            (Button(pgettext("button", "Complain"), "i:complain"), keyboards.menu_button()),
        )
        return
    if complaints:
        lines.insert(0, _("Your complaints:"))
        for number, complaint in enumerate(complaints[:LISTED], 1):
            lines.append(
                _("{number}. {reference} about {shop}: {status}").format(
                    number=number,
                    reference=complaint.complaint_id,
                    shop=_shop_of(complaint),
                    status=status_label(complaint.status),
                )
            )
        lines.append(_("Tap a reference to see its history."))
    buttons = [_complaint_button(c) for c in complaints[:LISTED]]
    turn.outbox.say("\n".join(lines), [*buttons, keyboards.menu_button()])


def complaint_lines(complaint: Complaint) -> list[str]:
    """One complaint, as its owner sees it: the shop, the problem, the status and history."""
    lines = [
        _("Complaint {reference} about {shop}").format(
            reference=complaint.complaint_id, shop=_shop_of(complaint)
        ),
        _("Problem: {category}").format(category=category_label(complaint.category)),
        _("Status: {status}").format(status=status_label(complaint.status)),
    ]
    for change in complaint.history:
        try:
            status = status_label(ComplaintStatus(change.new_status))
        except ValueError:
            continue
        line = _("• {date}: {status}").format(
            date=format_long_date(change.at.date()), status=status
        )
        if change.note:
            line += " \u2014 " + change.note
        lines.append(line)
    return lines


async def show_complaint(turn: Turn, complaint_id: str) -> None:
    """One of the user's complaints; nobody else's is ever shown."""
    try:
        complaint = await turn.backend.get_complaint(_owner(turn), complaint_id)
    except NotFound:
        turn.outbox.say(
            _("I found no complaint {reference} among yours.").format(
                reference=complaint_id.upper()
            ),
            (Button(pgettext("button", "My complaints"), "i:complaint_status"),),
        )
        return
    except BackendUnavailable:
        _unreachable(turn)
        return
    except BackendError:
        log.exception("reading a complaint failed")
        _unreachable(turn)
        return
    turn.outbox.say(
        "\n".join(complaint_lines(complaint)),
        (
            Button(pgettext("button", "My complaints"), "i:complaint_status"),
            Button(pgettext("button", "Talk to an officer"), "i:human_agent"),
            keyboards.menu_button(),
        ),
    )


async def typed_reference(turn: Turn) -> bool:
    """A short message naming a CMP- reference outside a form: that complaint's page."""
    if turn.message.payload or turn.state.active_flow() is not None:
        return False
    if not turn.text or len(turn.text.split()) > MAX_WORDS_WITH_REFERENCE:
        return False
    named = [e.value for e in extract_entities(turn.text) if e.entity == "complaint_id"]
    if len(named) != 1:
        return False
    await show_complaint(turn, named[0])
    return True


async def on_payload(turn: Turn, complaint_id: str) -> None:
    """``cmps:<CMP id>``: one complaint's page."""
    await show_complaint(turn, complaint_id.strip())


def complaint_update_replies(change: StatusChange) -> list[Reply]:
    """What the complainant is told when their complaint changes status (current locale).

    Called by the status-feed consumer for changes whose subject is a complaint; an unknown
    status gives no message.
    """
    try:
        status = ComplaintStatus(change.new_status)
    except ValueError:
        return []
    if status is ComplaintStatus.RECEIVED:
        return []  # the user was told the reference when they sent it
    lines = [
        _("Update on your complaint {reference}: it is now {status}.").format(
            reference=change.subject_id, status=status_label(status)
        )
    ]
    if change.note:
        lines.append(_("The officer's note: {note}").format(note=change.note))
    if status in _FINAL:
        lines.append(_("If you disagree, you can talk to an officer."))
    return [
        TextReply(
            "\n".join(lines),
            (
                Button(pgettext("button", "See the complaint"), f"{PAYLOAD}:{change.subject_id}"),
                Button(pgettext("button", "Talk to an officer"), "i:human_agent"),
            ),
        )
    ]


async def on_status_change(context: FeedContext, change: StatusChange) -> None:
    """The status feed's handler for complaints: the complainant is told each change, once.

    Registered with the one status-feed consumer (:mod:`bot.applications.feed`) below.
    """
    owner = change.owner
    if change.subject_type is not SubjectType.COMPLAINT or owner is None or not context.fresh:
        return
    if change.new_status == ComplaintStatus.RECEIVED.value:
        return  # told with the reference when it was sent
    await context.deliver(
        owner.channel,
        owner.user_id,
        lambda: complaint_update_replies(change),
        dedupe_key=context.dedupe_key(change),
    )


FEED_HANDLERS.register(SubjectType.COMPLAINT, on_status_change)
