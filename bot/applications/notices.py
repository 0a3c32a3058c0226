"""What the seller is told outside a turn: submitted, decided, reminded. Short, with a next button.

Every function here returns the replies of one delivery and is called by ``deliver`` in the
user's saved language, so it reads only what it is given (and the knowledge base), never a turn.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from backend_client import Application, ApplicationKind, Certificate
from bot import keyboards
from bot.applications.draft import CRITERION_FIELDS, DOCUMENT_FIELDS
from bot.applications.submission import NEW, RENEWAL, REOPENED, Submission
from bot.badge import LinksConfigError, render_badge, verification_links
from bot.env import env_text
from bot.handlers.documents import document_mark
from bot.handlers.fees import fee_quote
from bot.i18n import _, current_locale, format_long_date, format_percent, ngettext, pgettext
from bot.messages import Button, FileReply, Reply, TextReply
from kb import KnowledgeBase, load_knowledge_base

log = logging.getLogger(__name__)

STATUS_BUTTON_PAYLOAD: Final = "i:application_status"
BADGE_LOCALES: Final = ("km", "en")
DISPLAY_RULE: Final = 1
"""The obligation that says where the mark may be shown (kb/obligations.yaml, second item)."""
CHANGES_RULE: Final = 3
"""The obligation to tell the Ministry about changes."""


@functools.cache
def knowledge_base() -> KnowledgeBase:
    """The knowledge base, for deliveries composed outside a turn (loaded once)."""
    return load_knowledge_base()


def khr_per_usd(kb: KnowledgeBase) -> Decimal:
    """The riel rate: ``CETS_KHR_PER_USD`` when set and valid, else the knowledge base's."""
    raw = env_text("CETS_KHR_PER_USD")
    try:
        rate = Decimal(raw) if raw else None
    except InvalidOperation:
        rate = None
    return rate if rate is not None and rate > 0 else kb.fees.khr_per_usd


def status_button() -> Button:
    """ "My application": where every application and certificate stands."""
    return Button(pgettext("button", "My application"), STATUS_BUTTON_PAYLOAD)


def reopen_button(application_id: str) -> Button:
    """Reopen an application at the items an officer asked for."""
    return Button(
        pgettext("button", "Add the information"),
        f"apl:info:{application_id}",
        pgettext("short", "Add information"),
    )


def renew_button(certificate_id: str) -> Button:
    """Open the renewal form of a certificate."""
    return Button(pgettext("button", "Renew now"), f"rnw:{certificate_id}")


# -- submitted ----------------------------------------------------------------------------------


def submitted_lines(
    kb: KnowledgeBase, reference: str, category: str | None, *, kind: str, khr_per_usd: Decimal
) -> list[str]:
    """What the applicant is told once the registry has the application."""
    if kind == REOPENED:
        first = _("Thank you. {reference} is back with the officers with what they asked for.")
    elif kind == RENEWAL:
        first = _("Thank you, your renewal is sent. Your reference: {reference}.")
    else:
        first = _("Thank you, your application is sent. Your reference: {reference}.")
    lines = [
        first.format(reference=reference),
        _(
            "What happens next: officers of the Ministry of Commerce check your documents and "
            "evidence, may verify your pages online or visit, then approve or reject. I will "
            "tell you here, and “my application” shows where it stands."
        ),
    ]
    if kind in (NEW, RENEWAL) and category:
        lines += fee_quote(kb, category, khr_per_usd=khr_per_usd, renewal=kind == RENEWAL)
    return lines


def submitted_notice(result: dict[str, Any], payload: dict[str, Any]) -> Sequence[Reply]:
    """The backend outbox's message once a queued submission reached the registry."""
    kb = knowledge_base()
    submission = Submission.from_json(payload)
    category = submission.draft.category.value if submission.draft.category else None
    if category is None:
        category = payload.get("category")
    lines = submitted_lines(
        kb,
        str(result.get("reference", "")),
        category,
        kind=submission.kind,
        khr_per_usd=khr_per_usd(kb),
    )
    return [TextReply("\n".join(lines), (status_button(), keyboards.menu_button()))]


def failed_notice(message: str, payload: dict[str, Any]) -> Sequence[Reply]:
    """The registry refused a queued submission for good."""
    del message  # the registry's words are for officers and logs, not the applicant
    return [
        TextReply(
            _(
                "Sorry, the registry could not accept your application as it was. Your answers "
                "are kept: tap “Apply” to check them and send it again."
            ),
            (Button(pgettext("button", "Apply"), "i:apply"), keyboards.menu_button()),
        )
    ]


# -- decisions ----------------------------------------------------------------------------------


def under_review_notice(application_id: str) -> list[Reply]:
    """An officer started reviewing the application."""
    return [
        TextReply(
            _("Your application {reference} is now being reviewed by an officer.").format(
                reference=application_id
            ),
            (status_button(),),
        )
    ]


def rejected_notice(application_id: str, reason: str) -> list[Reply]:
    """The application was rejected: the reason and how to apply again."""
    return [
        TextReply(
            "\n".join(
                [
                    _("Your application {reference} was not approved.").format(
                        reference=application_id
                    ),
                    _("The officer's reason: {reason}").format(reason=reason),
                    _(
                        "You can apply again once this is fixed: tap “Apply”, and I will start "
                        "a new application."
                    ),
                ]
            ),
            (Button(pgettext("button", "Apply"), "i:apply"), status_button()),
        )
    ]


def item_names(kb: KnowledgeBase, fields: Sequence[str]) -> list[str]:
    """The items of the wizard, named as the applicant knows them."""
    locale = current_locale()
    names: list[str] = []
    documents = {d.letter: d for d in kb.documents}
    for field in fields:
        criterion = next((n for n, f in CRITERION_FIELDS.items() if f == field), None)
        letter = next((x for x, f in DOCUMENT_FIELDS.items() if f == field), None)
        if criterion is not None:
            title = next(c.title.get(locale) for c in kb.criteria if c.number == criterion)
            names.append(_("criterion {number} ({title})").format(number=criterion, title=title))
        elif letter is not None:
            names.append(
                _("document {mark} {title}").format(
                    mark=document_mark(letter), title=documents[letter].title.get(locale)
                )
            )
        elif field in FIELD_NAMES:
            names.append(FIELD_NAMES[field]())
    return names


FIELD_NAMES: Final = {
    "cat": lambda: _("business type"),
    "reg": lambda: _("registration number"),
    "regd": lambda: _("registration date"),
    "nkm": lambda: _("name in Khmer"),
    "nen": lambda: _("name in Latin letters"),
    "addr": lambda: _("address"),
    "tel": lambda: _("phone"),
    "mail": lambda: _("e-mail"),
    "ids": lambda: _("pages and accounts"),
    "act": lambda: _("type of activity"),
}


def more_info_notice(application_id: str, note: str, items: Sequence[str]) -> list[Reply]:
    """An officer asks for more: which items, and a button that reopens exactly those."""
    lines = [
        _("The Ministry needs more information for your application {reference}.").format(
            reference=application_id
        ),
        _("The officer wrote: {note}").format(note=note),
    ]
    names = item_names(knowledge_base(), items)
    if names:
        lines.append(_("What to add: {items}.").format(items=", ".join(names)))
    lines.append(_("Tap the button and I will ask only for that; the rest stays as it is."))
    return [TextReply("\n".join(lines), (reopen_button(application_id), status_button()))]


@dataclass(frozen=True, slots=True)
class ApprovedCertificate:
    """What an approval message says: the certificate and what it covers."""

    application_id: str
    certificate_id: str
    valid_from: date
    valid_until: date
    covered: tuple[str, ...]
    renewal: bool
    verify_telegram: str | None = None
    verify_messenger: str | None = None
    verify_web: str | None = None
    badges: tuple[tuple[str, bytes], ...] = ()
    """The badge PNG per locale (rendered before delivery; CPU work stays off the loop)."""


async def approved_certificate(
    application: Application, certificate: Certificate, covered: Sequence[str]
) -> ApprovedCertificate:
    """What the approval message needs, the badge rendered in both languages (off the loop).

    Without a public register address or the bot's user name the QR code has nowhere to
    point: the message goes without the badge, and the log says what to configure.
    """
    names = (
        application.business_name or certificate.business_name,
        application.business_name_km,
    )
    badges: list[tuple[str, bytes]] = []
    telegram = messenger = web = None
    try:
        links = verification_links(certificate.certificate_id)
        telegram, messenger, web = links.telegram, links.messenger, links.web
        for locale in BADGE_LOCALES:
            png = await asyncio.to_thread(
                render_badge, certificate.certificate_id, names, certificate.valid_until, locale
            )
            badges.append((locale, png))
    except LinksConfigError:
        log.warning(
            "no badge for %s: set TELEGRAM_BOT_USERNAME or CETS_PUBLIC_BASE_URL",
            certificate.certificate_id,
        )
    return ApprovedCertificate(
        application_id=application.application_id,
        certificate_id=certificate.certificate_id,
        valid_from=certificate.valid_from,
        valid_until=certificate.valid_until,
        covered=tuple(covered),
        renewal=application.kind is ApplicationKind.RENEWAL,
        verify_telegram=telegram,
        verify_messenger=messenger,
        verify_web=web,
        badges=tuple(badges),
    )


def approved_notice(approved: ApprovedCertificate) -> list[Reply]:
    """The certificate message: number, validity, coverage, the rules of the mark, the badge."""
    kb = knowledge_base()
    locale = current_locale()
    first = (
        _("Your renewal {reference} is approved.")
        if approved.renewal
        else _("Congratulations! Your application {reference} is approved.")
    ).format(reference=approved.application_id)
    lines = [
        first,
        _("Certificate: {certificate}").format(certificate=approved.certificate_id),
        _("Valid from {start} until {end}.").format(
            start=format_long_date(approved.valid_from), end=format_long_date(approved.valid_until)
        ),
    ]
    if approved.covered:
        lines.append(_("It covers: {identifiers}").format(identifiers=", ".join(approved.covered)))
    lines += [
        kb.obligations[DISPLAY_RULE].get(locale),
        kb.obligations[CHANGES_RULE].get(locale),
    ]
    links = [
        link
        for link in (approved.verify_web, approved.verify_telegram, approved.verify_messenger)
        if link
    ]
    if links:
        lines.append(_("Shoppers can check your certificate here:"))
        lines += links
    replies: list[Reply] = [TextReply("\n".join(lines))]
    badge = dict(approved.badges).get(locale) or dict(approved.badges).get("km")
    if badge is not None:
        replies.append(
            FileReply(
                filename=f"{approved.certificate_id}-badge.png",
                mime_type="image/png",
                data=badge,
                caption=_("Your trustmark badge. Its QR code opens the live check."),
            )
        )
    closing = (
        _("Show the badge on your pages. Anything else?")
        if badge is not None
        else _("Anything else?")
    )
    replies.append(TextReply(closing, (status_button(), keyboards.menu_button())))
    return replies


def certificate_changed_notice(certificate_id: str, status: str, note: str | None) -> list[Reply]:
    """An officer suspended, reinstated or revoked the certificate."""
    if status == "suspended":
        text = _(
            "Your certificate {certificate} is suspended. Do not show the trustmark until it is "
            "reinstated."
        )
    elif status == "revoked":
        text = _("Your certificate {certificate} is revoked. Remove the trustmark from your pages.")
    else:
        text = _("Your certificate {certificate} is valid again.")
    lines = [text.format(certificate=certificate_id)]
    if note:
        lines.append(_("The officer wrote: {note}").format(note=note))
    return [TextReply("\n".join(lines), (status_button(),))]


# -- reminders ----------------------------------------------------------------------------------


def renewal_reminder(certificate_id: str, valid_until: date, days_left: int) -> list[Reply]:
    """The certificate ends soon: when, the renewal fee, a button to renew."""
    kb = knowledge_base()
    lines = [
        ngettext(
            "Your certificate {certificate} ends in {days} day, on {date}.",
            "Your certificate {certificate} ends in {days} days, on {date}.",
            days_left,
        ).format(certificate=certificate_id, days=days_left, date=format_long_date(valid_until)),
        _(
            "Renewing is a short form: I ask only what changed. The renewal fee is {percent} of "
            "the application fee."
        ).format(percent=format_percent(kb.fees.renewal_percent)),
    ]
    return [TextReply("\n".join(lines), (renew_button(certificate_id), status_button()))]


def expired_notice(certificate_id: str, valid_until: date) -> list[Reply]:
    """The certificate ended: stop showing the mark, how to renew."""
    return [
        TextReply(
            "\n".join(
                [
                    _("Your certificate {certificate} ended on {date}.").format(
                        certificate=certificate_id, date=format_long_date(valid_until)
                    ),
                    _(
                        "Please remove the trustmark from your pages until it is renewed. Tap "
                        "“Renew now”: I ask only what changed."
                    ),
                ]
            ),
            (renew_button(certificate_id), status_button()),
        )
    ]


def missing_reminder(fields: Sequence[str]) -> list[Reply]:
    """The application draft still lacks evidence."""
    names = item_names(knowledge_base(), fields)
    return [
        TextReply(
            "\n".join(
                [
                    _("Your trustmark application is waiting for: {items}.").format(
                        items=", ".join(names)
                    ),
                    _("Send the photos, PDFs or links when you have them; I kept everything else."),
                ]
            ),
            (Button(pgettext("button", "Continue"), "app:!resume"), keyboards.menu_button()),
        )
    ]
