"""Who to contact: the Ministry of Commerce and the consumer-protection directorate."""

from __future__ import annotations

from bot import keyboards
from bot.i18n import _, current_locale
from bot.turn import Turn
from kb import Contact, ContactDetail


def _detail_line(detail: ContactDetail) -> str | None:
    """One known way to reach an office, or None when it is still to be confirmed."""
    if not detail.confirmed:
        return None
    if detail.kind == "website" and detail.value:
        return _("Website: {value}").format(value=detail.value)
    if detail.kind == "cets_portal" and detail.value:
        return _("Planned CETS page: {value}").format(value=detail.value)
    if detail.kind == "complaint_channel":
        return _("Complaints: a dedicated e-mail address or online form is planned.")
    if detail.value:
        return detail.value
    return None


def _has_unconfirmed(contact: Contact) -> bool:
    return any(not d.confirmed for d in contact.details)


async def ask_contact(turn: Turn) -> None:
    """The Ministry's and the directorate's contact details that a source gives."""
    locale = current_locale()
    blocks: list[str] = []
    for contact in turn.kb.contacts:
        lines = [f"{contact.name.get(locale)}", contact.role.get(locale)]
        lines += [line for d in contact.details if (line := _detail_line(d))]
        if _has_unconfirmed(contact):
            lines.append(_("Phone, e-mail and address: still to be confirmed by the Ministry."))
        blocks.append("\n".join(lines))
    turn.outbox.say("\n\n".join(blocks), (keyboards.menu_button(),))
