"""Consumer complaints: filing (about a registered shop or not), reading, officers' handling."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.errors import Conflict, NotFound, ValidationError
from backend_client.models import (
    Complaint,
    ComplaintCategory,
    ComplaintDraft,
    ComplaintStatus,
    Identifier,
    IdentifierKind,
    Owner,
    PaymentMethod,
    SubjectType,
)
from registry.applications import user_actor
from registry.audit import record_status_change
from registry.clock import now, today
from registry.evidence import MAX_COMPLAINT_EVIDENCE, check_evidence, evidence_for, store_evidence
from registry.models import Business, ComplaintRecord
from registry.numbering import COMPLAINT_PREFIX, next_number, normalise_number
from registry.redact import redact_owner
from registry.shops import resolve_business
from registry.status_feed import history_for

logger = logging.getLogger(__name__)
FINAL = (ComplaintStatus.RESOLVED.value, ComplaintStatus.REJECTED.value)
MAX_DESCRIPTION = 5000
MAX_LINKS = 10


def _amount(amount: Decimal | None) -> Decimal | None:
    if amount is None:
        return None
    try:
        if not amount.is_finite() or amount < 0:
            raise ValidationError("the amount must be zero or more", fields=("amount",))
        return amount.quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationError("the amount is not a number", fields=("amount",)) from exc


def _check(draft: ComplaintDraft) -> None:
    problems = []
    if not draft.shop_reference.strip() or len(draft.shop_reference) > 500:
        problems.append("shop_reference")
    if not draft.description.strip() or len(draft.description) > MAX_DESCRIPTION:
        problems.append("description")
    if draft.currency not in ("USD", "KHR"):
        problems.append("currency")
    if len(draft.evidence) > MAX_COMPLAINT_EVIDENCE:
        problems.append("evidence")
    if draft.incident_date is not None and draft.incident_date > today():
        problems.append("incident_date")
    if draft.payment_provider is not None and not 0 < len(draft.payment_provider.strip()) <= 32:
        problems.append("payment_provider")
    links_ok = all(0 < len(link.strip()) <= 500 for link in draft.links)
    if len(draft.links) > MAX_LINKS or not links_ok:
        problems.append("links")
    if draft.complainant_name is not None and (
        draft.anonymous or not 0 < len(draft.complainant_name.strip()) <= 200
    ):
        # A name is only kept when the complainant agreed that the seller may see it.
        problems.append("complainant_name")
    if problems:
        raise ValidationError("the complaint is not complete", fields=tuple(problems))


async def file_complaint(
    session: AsyncSession, owner: Sequence[str], draft: ComplaintDraft
) -> ComplaintRecord:
    """Record a complaint, linked to the business its shop reference names, if any."""
    _check(draft)
    evidence = [check_evidence(item, for_application=False) for item in draft.evidence]
    business_id, identifier = await session.run_sync(resolve_business, draft.shop_reference)
    stamp = now()
    record = ComplaintRecord(
        id=await next_number(session, COMPLAINT_PREFIX, today().year),
        owner_channel=owner[0],
        owner_user_id=owner[1],
        shop_reference=draft.shop_reference.strip(),
        shop_identifier_kind=identifier.kind.value if identifier else None,
        shop_identifier_value=identifier.value if identifier else None,
        business_id=business_id,
        category=ComplaintCategory(draft.category).value,
        description=draft.description.strip(),
        amount=_amount(draft.amount),
        currency=draft.currency,
        payment_method=PaymentMethod(draft.payment_method).value if draft.payment_method else None,
        anonymous=draft.anonymous,
        status=ComplaintStatus.RECEIVED.value,
        created_at=stamp,
        updated_at=stamp,
        incident_date=draft.incident_date,
        payment_provider=draft.payment_provider.strip() if draft.payment_provider else None,
        links=[link.strip() for link in draft.links],
        contact_allowed=draft.contact_allowed,
        complainant_name=draft.complainant_name.strip() if draft.complainant_name else None,
    )
    session.add(record)
    await session.flush()
    for item in evidence:
        store_evidence(session, (owner[0], owner[1]), item, complaint_id=record.id)
    record_status_change(
        session,
        subject_type=SubjectType.COMPLAINT,
        subject_id=record.id,
        owner=(owner[0], owner[1]),
        old_status=None,
        new_status=record.status,
        actor=user_actor(owner),
    )
    logger.info(
        "complaint %s filed by %s (registered shop: %s)",
        record.id,
        redact_owner(owner),
        business_id is not None,
    )
    return record


async def load_complaints(
    session: AsyncSession, records: Sequence[ComplaintRecord]
) -> tuple[Complaint, ...]:
    """Public forms of complaints, with evidence metadata, history and the shop's name."""
    ids = [r.id for r in records]
    evidence = await evidence_for(session, complaint_ids=ids)
    history = await history_for(session, SubjectType.COMPLAINT, ids)
    business_ids = {r.business_id for r in records if r.business_id is not None}
    businesses: dict[int, Business] = {}
    if business_ids:
        rows = await session.execute(select(Business).where(Business.id.in_(business_ids)))
        businesses = {b.id: b for b in rows.scalars()}
    complaints = []
    for r in records:
        business = businesses.get(r.business_id) if r.business_id is not None else None
        identifier = (
            Identifier(IdentifierKind(r.shop_identifier_kind), r.shop_identifier_value)
            if r.shop_identifier_kind and r.shop_identifier_value
            else None
        )
        complaints.append(
            Complaint(
                complaint_id=r.id,
                owner=Owner(r.owner_channel, r.owner_user_id),
                shop_reference=r.shop_reference,
                shop_identifier=identifier,
                registration_no=business.registration_no if business else None,
                shop_name=business.name if business else None,
                category=ComplaintCategory(r.category),
                description=r.description,
                amount=r.amount,
                currency=r.currency,
                payment_method=PaymentMethod(r.payment_method) if r.payment_method else None,
                anonymous=r.anonymous,
                status=ComplaintStatus(r.status),
                evidence=evidence.get(r.id, ()),
                history=history[r.id],
                created_at=r.created_at,
                updated_at=r.updated_at,
                incident_date=r.incident_date,
                payment_provider=r.payment_provider,
                links=tuple(r.links or ()),
                contact_allowed=bool(r.contact_allowed),
                complainant_name=None if r.anonymous else r.complainant_name,
                shop_name_km=business.name_km if business else None,
            )
        )
    return tuple(complaints)


async def owned_complaint(
    session: AsyncSession, owner: Sequence[str], complaint_id: str
) -> ComplaintRecord:
    """The owner's complaint; NotFound for a missing one or for someone else's."""
    record = (
        await session.execute(
            select(ComplaintRecord).where(
                ComplaintRecord.id == normalise_number(complaint_id),
                ComplaintRecord.owner_channel == owner[0],
                ComplaintRecord.owner_user_id == owner[1],
            )
        )
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"no complaint {complaint_id}")
    return record


async def any_complaint(session: AsyncSession, complaint_id: str) -> ComplaintRecord:
    """Any complaint, for officers."""
    record = await session.get(ComplaintRecord, normalise_number(complaint_id))
    if record is None:
        raise NotFound(f"no complaint {complaint_id}")
    return record


async def list_owned(session: AsyncSession, owner: Sequence[str]) -> Sequence[ComplaintRecord]:
    """The owner's complaints, newest first."""
    rows = await session.execute(
        select(ComplaintRecord)
        .where(ComplaintRecord.owner_channel == owner[0], ComplaintRecord.owner_user_id == owner[1])
        .order_by(ComplaintRecord.created_at.desc(), ComplaintRecord.id.desc())
    )
    return rows.scalars().all()


async def list_all(
    session: AsyncSession, status: ComplaintStatus | None, limit: int
) -> Sequence[ComplaintRecord]:
    """Complaints for officers, newest first."""
    statement = (
        select(ComplaintRecord)
        .order_by(ComplaintRecord.created_at.desc(), ComplaintRecord.id.desc())
        .limit(max(1, min(limit, 1000)))
    )
    if status is not None:
        statement = statement.where(ComplaintRecord.status == status.value)
    return (await session.execute(statement)).scalars().all()


async def update_status(
    session: AsyncSession,
    complaint_id: str,
    status: ComplaintStatus,
    *,
    officer: str,
    note: str | None,
) -> ComplaintRecord:
    """Move a complaint on; resolved and rejected complaints are closed."""
    record = await any_complaint(session, complaint_id)
    if record.status in FINAL:
        raise Conflict(f"complaint is already {record.status}")
    if status is ComplaintStatus.RECEIVED or status.value == record.status:
        raise Conflict(f"complaint cannot move from {record.status} to {status.value}")
    old = record.status
    record.status = status.value
    record.updated_at = now()
    record_status_change(
        session,
        subject_type=SubjectType.COMPLAINT,
        subject_id=record.id,
        owner=(record.owner_channel, record.owner_user_id),
        old_status=old,
        new_status=status.value,
        actor=officer,
        note=note,
    )
    return record
