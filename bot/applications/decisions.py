"""Decisions on applications and certificates, told to their owner from the status feed.

Approved: the certificate message and the badge (and renewal reminders for its validity);
rejected: the reason and how to apply again; more information requested: which items, with a
button that reopens the wizard at exactly those; under review: a short note. A certificate
suspended, revoked or reinstated is told too. Issue and renewal of a certificate are part of
the approval message and not told twice.
"""

from __future__ import annotations

import logging
from typing import Final

from backend_client import (
    ApplicationStatus,
    Certificate,
    CertificateStatus,
    MatchKind,
    NotFound,
    Owner,
    StatusChange,
    SubjectType,
)
from bot.applications import notices
from bot.applications.draft import requested_items
from bot.applications.feed import FEED_HANDLERS, FeedContext
from bot.applications.fields import identifier_json, identifier_text

log = logging.getLogger(__name__)

_CERTIFICATE_NOTICES: Final = (
    CertificateStatus.SUSPENDED.value,
    CertificateStatus.REVOKED.value,
)


async def certificate_of(context: FeedContext, certificate_id: str) -> Certificate | None:
    """A certificate as the registry shows it today (through the bot's shop lookup)."""
    for match in await context.backend.find_shops(certificate_id, limit=1):
        if match.matched_by is MatchKind.CERTIFICATE_ID and match.shop.certificate is not None:
            return match.shop.certificate
    return None


async def on_application_change(context: FeedContext, change: StatusChange) -> None:
    """Tell the applicant what happened to their application."""
    owner = change.owner
    assert owner is not None
    status = change.new_status
    note = change.note or ""
    key = context.dedupe_key(change)
    application_id = change.subject_id
    if status == ApplicationStatus.APPROVED.value:
        await _approved(context, change, owner)
        return
    if not context.fresh:
        return
    if status == ApplicationStatus.UNDER_REVIEW.value:
        await context.deliver(
            owner.channel,
            owner.user_id,
            lambda: notices.under_review_notice(application_id),
            dedupe_key=key,
        )
    elif status == ApplicationStatus.REJECTED.value:
        await context.deliver(
            owner.channel,
            owner.user_id,
            lambda: notices.rejected_notice(application_id, note),
            dedupe_key=key,
        )
    elif status == ApplicationStatus.MORE_INFO_REQUESTED.value:
        items = requested_items(note)
        await context.deliver(
            owner.channel,
            owner.user_id,
            lambda: notices.more_info_notice(application_id, note, items),
            dedupe_key=key,
        )


async def _approved(context: FeedContext, change: StatusChange, owner: Owner) -> None:
    try:
        application = await context.backend.get_application(owner, change.subject_id)
    except NotFound:
        log.warning("an approved application could not be read back")
        return
    if application.certificate_id is None:
        return
    certificate = await certificate_of(context, application.certificate_id)
    if certificate is None:
        return
    await context.schedule.schedule_renewal(
        (owner.channel, owner.user_id),
        certificate.certificate_id,
        certificate.valid_until,
        context.now,
    )
    if not context.fresh:
        return
    approved = await notices.approved_certificate(
        application,
        certificate,
        [identifier_text(identifier_json(i)) for i in certificate.covered_identifiers],
    )
    await context.deliver(
        owner.channel,
        owner.user_id,
        lambda: notices.approved_notice(approved),
        dedupe_key=context.dedupe_key(change),
    )


async def on_certificate_change(context: FeedContext, change: StatusChange) -> None:
    """Suspension, revocation and reinstatement of a certificate."""
    owner = change.owner
    assert owner is not None
    if not context.fresh or change.old_status is None:
        return  # an issue: told with the approval
    status = change.new_status
    reinstated = (
        change.old_status == CertificateStatus.SUSPENDED.value
        and status == CertificateStatus.VALID.value
    )
    if status not in _CERTIFICATE_NOTICES and not reinstated:
        return  # a renewal: told with the approval
    certificate_id, note = change.subject_id, change.note
    await context.deliver(
        owner.channel,
        owner.user_id,
        lambda: notices.certificate_changed_notice(certificate_id, status, note),
        dedupe_key=context.dedupe_key(change),
    )


FEED_HANDLERS.register(SubjectType.APPLICATION, on_application_change)
FEED_HANDLERS.register(SubjectType.CERTIFICATE, on_certificate_change)
