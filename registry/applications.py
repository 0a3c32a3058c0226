"""Trustmark applications: drafts, evidence, submission, renewal, and the officers' decisions."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import fields
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.errors import Conflict, NotFound, ValidationError
from backend_client.models import (
    CRITERIA,
    Application,
    ApplicationDraft,
    ApplicationKind,
    ApplicationStatus,
    BusinessCategory,
    EvidenceItem,
    Identifier,
    IdentifierKind,
    Owner,
    StatusChange,
    StoredEvidence,
    SubjectType,
)
from registry.audit import record_audit, record_status_change
from registry.businesses import add_identifiers, create_business, reindex_name
from registry.certificates import issue_certificate, renew_certificate
from registry.clock import now, today
from registry.evidence import check_evidence, evidence_for, store_evidence, to_stored
from registry.identifiers import normalise_phone, parse_identifier
from registry.models import ApplicationRecord, Business, CertificateRecord
from registry.numbering import APPLICATION_PREFIX, next_number, normalise_number
from registry.redact import redact_owner
from registry.shops import normalise_registration_no
from registry.status_feed import history_for

logger = logging.getLogger(__name__)

EDITABLE = (ApplicationStatus.DRAFT.value, ApplicationStatus.MORE_INFO_REQUESTED.value)
IN_REVIEW = (ApplicationStatus.SUBMITTED.value, ApplicationStatus.UNDER_REVIEW.value)
OPEN = (*EDITABLE, *IN_REVIEW)
CURRENCIES = ("USD", "KHR")
MAX_ANSWER = 4000
MAX_TEXT = 300
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def criterion_answer_key(criterion: int) -> str:
    """Key of the written answer for a criterion in ``answers`` (``criterion_4``)."""
    return f"criterion_{criterion}"


def user_actor(owner: Sequence[str]) -> str:
    """How a bot user appears in the audit trail and status history."""
    return f"{owner[0]}:{owner[1]}"


def _text(value: str | None, field: str, problems: list[str], limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        problems.append(field)
    return value or None


def _apply_draft(record: ApplicationRecord, draft: ApplicationDraft) -> None:
    """Copy the given fields of a draft onto the record, normalised; ValidationError if bad."""
    problems: list[str] = []
    if draft.business_name is not None:
        record.business_name = _text(draft.business_name, "business_name", problems)
    if draft.business_name_km is not None:
        record.business_name_km = _text(draft.business_name_km, "business_name_km", problems)
    if draft.category is not None:
        record.category = BusinessCategory(draft.category).value
    if draft.registration_no is not None:
        number = _text(draft.registration_no, "registration_no", problems, 64)
        record.registration_no = normalise_registration_no(number) if number else None
    if draft.registered_on is not None:
        if draft.registered_on > today():
            problems.append("registered_on")
        record.registered_on = draft.registered_on
    if draft.address is not None:
        record.address = _text(draft.address, "address", problems, 1000)
    if draft.phone is not None:
        phone = normalise_phone(draft.phone) if draft.phone.strip() else None
        if draft.phone.strip() and phone is None:
            problems.append("phone")
        record.phone = phone
    if draft.email is not None:
        email = draft.email.strip() or None
        if email and not _EMAIL.match(email):
            problems.append("email")
        record.email = email
    if draft.activity_type is not None:
        record.activity_type = _text(draft.activity_type, "activity_type", problems, 64)
    if draft.identifiers is not None:
        parsed = [parse_identifier(raw) for raw in draft.identifiers if raw.strip()]
        if any(p is None for p in parsed):
            problems.append("identifiers")
        record.identifiers = [
            {"kind": p.kind.value, "value": p.value, "display": p.display}
            for p in dict.fromkeys(p for p in parsed if p is not None)
        ]
    if draft.code_of_conduct_declared is not None:
        record.code_of_conduct_declared = draft.code_of_conduct_declared
    if draft.answers is not None:
        merged = dict(record.answers or {})
        for key, value in draft.answers.items():
            if len(key) > 64 or len(value) > MAX_ANSWER:
                problems.append("answers")
            elif value.strip():
                merged[key] = value.strip()
            else:
                merged.pop(key, None)
        record.answers = merged
    if problems:
        raise ValidationError("some fields are not valid", fields=tuple(dict.fromkeys(problems)))


def _fee(fee: Decimal | None, currency: str) -> Decimal | None:
    if fee is None:
        return None
    try:
        if not fee.is_finite() or fee < 0:
            raise ValidationError("the fee must be zero or more", fields=("fee_quoted",))
        quantised = fee.quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationError("the fee is not a number", fields=("fee_quoted",)) from exc
    if currency not in CURRENCIES:
        raise ValidationError("currency must be USD or KHR", fields=("currency",))
    return quantised


def _identifiers(record: ApplicationRecord) -> tuple[Identifier, ...]:
    return tuple(
        Identifier(IdentifierKind(i["kind"]), i["value"], i.get("display", ""))
        for i in record.identifiers or []
    )


def to_application(
    record: ApplicationRecord,
    evidence: tuple[StoredEvidence, ...],
    history: tuple[StatusChange, ...],
) -> Application:
    """The public form of an application."""
    return Application(
        application_id=record.id,
        kind=ApplicationKind(record.kind),
        status=ApplicationStatus(record.status),
        owner=Owner(record.owner_channel, record.owner_user_id),
        business_name=record.business_name,
        business_name_km=record.business_name_km,
        category=BusinessCategory(record.category) if record.category else None,
        registration_no=record.registration_no,
        registered_on=record.registered_on,
        address=record.address,
        phone=record.phone,
        email=record.email,
        activity_type=record.activity_type,
        identifiers=_identifiers(record),
        code_of_conduct_declared=record.code_of_conduct_declared,
        answers=dict(record.answers or {}),
        fee_quoted=record.fee_quoted,
        currency=record.currency,
        evidence=evidence,
        history=history,
        certificate_id=record.certificate_id,
        renewal_of=record.renewal_of,
        decision_note=record.decision_note,
        created_at=record.created_at,
        updated_at=record.updated_at,
        submitted_at=record.submitted_at,
    )


async def load_applications(
    session: AsyncSession, records: Sequence[ApplicationRecord]
) -> tuple[Application, ...]:
    """Public forms of several applications, with evidence metadata and history."""
    ids = [r.id for r in records]
    evidence = await evidence_for(session, application_ids=ids)
    history = await history_for(session, SubjectType.APPLICATION, ids)
    return tuple(to_application(r, evidence.get(r.id, ()), history[r.id]) for r in records)


async def load_application(session: AsyncSession, record: ApplicationRecord) -> Application:
    """The public form of one application."""
    return (await load_applications(session, [record]))[0]


async def owned_record(
    session: AsyncSession, owner: Sequence[str], application_id: str
) -> ApplicationRecord:
    """The owner's application; NotFound for a missing one or for someone else's."""
    record = (
        await session.execute(
            select(ApplicationRecord).where(
                ApplicationRecord.id == normalise_number(application_id),
                ApplicationRecord.owner_channel == owner[0],
                ApplicationRecord.owner_user_id == owner[1],
            )
        )
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"no application {application_id}")
    return record


async def any_record(session: AsyncSession, application_id: str) -> ApplicationRecord:
    """Any application, for officers."""
    record = await session.get(ApplicationRecord, normalise_number(application_id))
    if record is None:
        raise NotFound(f"no application {application_id}")
    return record


def _set_status(
    session: AsyncSession,
    record: ApplicationRecord,
    status: ApplicationStatus,
    *,
    actor: str,
    note: str | None = None,
) -> None:
    old = record.status
    record.status = status.value
    record.updated_at = now()
    record_status_change(
        session,
        subject_type=SubjectType.APPLICATION,
        subject_id=record.id,
        owner=(record.owner_channel, record.owner_user_id),
        old_status=old,
        new_status=status.value,
        actor=actor,
        note=note,
    )


def _record_created(
    session: AsyncSession, record: ApplicationRecord, *, actor: str, note: str | None = None
) -> None:
    record_status_change(
        session,
        subject_type=SubjectType.APPLICATION,
        subject_id=record.id,
        owner=(record.owner_channel, record.owner_user_id),
        old_status=None,
        new_status=record.status,
        actor=actor,
        note=note,
    )


async def create_application(
    session: AsyncSession,
    owner: Sequence[str],
    draft: ApplicationDraft,
    *,
    fee_quoted: Decimal | None,
    currency: str,
) -> ApplicationRecord:
    """A new draft application of the owner."""
    stamp = now()
    record = ApplicationRecord(
        id=await next_number(session, APPLICATION_PREFIX, today().year),
        kind=ApplicationKind.NEW.value,
        status=ApplicationStatus.DRAFT.value,
        owner_channel=owner[0],
        owner_user_id=owner[1],
        identifiers=[],
        answers={},
        code_of_conduct_declared=False,
        fee_quoted=_fee(fee_quoted, currency),
        currency=currency,
        created_at=stamp,
        updated_at=stamp,
    )
    _apply_draft(record, draft)
    session.add(record)
    _record_created(session, record, actor=user_actor(owner))
    logger.info("application %s created by %s", record.id, redact_owner(owner))
    return record


async def _editable_record(
    session: AsyncSession, owner: Sequence[str], application_id: str
) -> ApplicationRecord:
    record = await owned_record(session, owner, application_id)
    if record.status not in EDITABLE:
        raise Conflict(f"application is {record.status} and can no longer be changed")
    return record


async def update_application(
    session: AsyncSession, owner: Sequence[str], application_id: str, draft: ApplicationDraft
) -> ApplicationRecord:
    """Change the fields of an editable application."""
    record = await _editable_record(session, owner, application_id)
    _apply_draft(record, draft)
    record.updated_at = now()
    record_audit(
        session,
        actor=user_actor(owner),
        action="application:update",
        subject_type="application",
        subject_id=record.id,
        details={"fields": [f.name for f in fields(draft) if getattr(draft, f.name) is not None]},
    )
    return record


async def attach_evidence(
    session: AsyncSession, owner: Sequence[str], application_id: str, item: EvidenceItem
) -> StoredEvidence:
    """Attach a file to a criterion or document of an editable application."""
    record = await _editable_record(session, owner, application_id)
    checked = check_evidence(item, for_application=True)
    stored = store_evidence(session, (owner[0], owner[1]), checked, application_id=record.id)
    await session.flush()
    record.updated_at = now()
    record_audit(
        session,
        actor=user_actor(owner),
        action="application:evidence",
        subject_type="application",
        subject_id=record.id,
        details={
            "evidence_id": stored.id,
            "criterion": checked.criterion,
            "document": checked.document,
            "sha256": stored.sha256,
        },
    )
    return to_stored(stored)


async def _missing_for_submission(session: AsyncSession, record: ApplicationRecord) -> list[str]:
    missing = []
    if not record.code_of_conduct_declared:
        missing.append("code_of_conduct_declared")
    if record.fee_quoted is None:
        missing.append("fee_quoted")
    if record.kind == ApplicationKind.RENEWAL.value:
        return missing
    if not (record.business_name or record.business_name_km):
        missing.append("business_name")
    if not record.category:
        missing.append("category")
    if not record.address:
        missing.append("address")
    if not (record.phone or record.email):
        missing.append("phone")
    if not record.identifiers:
        missing.append("identifiers")
    evidence = (await evidence_for(session, application_ids=[record.id])).get(record.id, ())
    covered = {e.criterion for e in evidence}
    answers = record.answers or {}
    missing.extend(
        f"criterion_{n}"
        for n in CRITERIA
        if n not in covered and not answers.get(criterion_answer_key(n))
    )
    return missing


async def submit_application(
    session: AsyncSession, owner: Sequence[str], application_id: str, *, fee_quoted: Decimal | None
) -> ApplicationRecord:
    """Submit a complete application; ValidationError.fields lists what is missing."""
    record = await owned_record(session, owner, application_id)
    if record.status in IN_REVIEW:
        return record  # submitting twice changes nothing
    if record.status not in EDITABLE:
        raise Conflict(f"application is {record.status}")
    if fee_quoted is not None:
        record.fee_quoted = _fee(fee_quoted, record.currency)
    missing = await _missing_for_submission(session, record)
    if missing:
        raise ValidationError("the application is not complete", fields=tuple(missing))
    record.submitted_at = now()
    _set_status(session, record, ApplicationStatus.SUBMITTED, actor=user_actor(owner))
    logger.info("application %s submitted by %s", record.id, redact_owner(owner))
    return record


async def start_renewal(
    session: AsyncSession, owner: Sequence[str], certificate_id: str, *, fee_quoted: Decimal | None
) -> ApplicationRecord:
    """A renewal draft prefilled from the application that earned the certificate.

    An open renewal of the same certificate is returned instead of a second one.
    """
    certificate = await session.get(CertificateRecord, normalise_number(certificate_id))
    if certificate is None or (certificate.owner_channel, certificate.owner_user_id) != (
        owner[0],
        owner[1],
    ):
        raise NotFound(f"no certificate {certificate_id} of yours")
    if certificate.status == "revoked":
        raise Conflict("a revoked certificate cannot be renewed")
    open_renewal = (
        (
            await session.execute(
                select(ApplicationRecord).where(
                    ApplicationRecord.renewal_of == certificate.id,
                    ApplicationRecord.status.in_(OPEN),
                )
            )
        )
        .scalars()
        .first()
    )
    if open_renewal is not None:
        return open_renewal
    original = await session.get(ApplicationRecord, certificate.application_id)
    assert original is not None
    stamp = now()
    record = ApplicationRecord(
        id=await next_number(session, APPLICATION_PREFIX, today().year),
        kind=ApplicationKind.RENEWAL.value,
        status=ApplicationStatus.DRAFT.value,
        owner_channel=owner[0],
        owner_user_id=owner[1],
        business_name=original.business_name,
        business_name_km=original.business_name_km,
        category=original.category,
        registration_no=original.registration_no,
        registered_on=original.registered_on,
        address=original.address,
        phone=original.phone,
        email=original.email,
        activity_type=original.activity_type,
        identifiers=list(original.identifiers or []),
        code_of_conduct_declared=False,  # to be declared again
        answers=dict(original.answers or {}),
        fee_quoted=_fee(fee_quoted, original.currency),
        currency=original.currency,
        business_id=certificate.business_id,
        renewal_of=certificate.id,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(record)
    _record_created(session, record, actor=user_actor(owner), note=f"renewal of {certificate.id}")
    return record


async def list_owned(session: AsyncSession, owner: Sequence[str]) -> Sequence[ApplicationRecord]:
    """The owner's applications, newest first."""
    rows = await session.execute(
        select(ApplicationRecord)
        .where(
            ApplicationRecord.owner_channel == owner[0], ApplicationRecord.owner_user_id == owner[1]
        )
        .order_by(ApplicationRecord.created_at.desc(), ApplicationRecord.id.desc())
    )
    return rows.scalars().all()


async def list_all(
    session: AsyncSession, status: ApplicationStatus | None, limit: int
) -> Sequence[ApplicationRecord]:
    """Applications for officers, newest first."""
    statement = (
        select(ApplicationRecord)
        .order_by(ApplicationRecord.created_at.desc(), ApplicationRecord.id.desc())
        .limit(max(1, min(limit, 1000)))
    )
    if status is not None:
        statement = statement.where(ApplicationRecord.status == status.value)
    return (await session.execute(statement)).scalars().all()


async def start_review(
    session: AsyncSession, application_id: str, *, officer: str, note: str | None
) -> ApplicationRecord:
    """Submitted to under review."""
    record = await any_record(session, application_id)
    if record.status != ApplicationStatus.SUBMITTED.value:
        raise Conflict(f"application is {record.status}, not submitted")
    _set_status(session, record, ApplicationStatus.UNDER_REVIEW, actor=officer, note=note)
    return record


async def request_more_information(
    session: AsyncSession, application_id: str, *, officer: str, note: str
) -> ApplicationRecord:
    """Send back to the applicant with what is missing."""
    record = await any_record(session, application_id)
    if record.status not in IN_REVIEW:
        raise Conflict(f"application is {record.status}, not in review")
    if not note.strip():
        raise ValidationError("say what information is needed", fields=("note",))
    record.decision_note = note
    _set_status(session, record, ApplicationStatus.MORE_INFO_REQUESTED, actor=officer, note=note)
    return record


async def reject_application(
    session: AsyncSession, application_id: str, *, officer: str, reason: str
) -> ApplicationRecord:
    """Reject with a reason."""
    record = await any_record(session, application_id)
    if record.status not in (*IN_REVIEW, ApplicationStatus.MORE_INFO_REQUESTED.value):
        raise Conflict(f"application is {record.status}")
    if not reason.strip():
        raise ValidationError("a reason is required", fields=("reason",))
    record.decision_note = reason
    _set_status(session, record, ApplicationStatus.REJECTED, actor=officer, note=reason)
    return record


async def _business_for_application(
    session: AsyncSession, record: ApplicationRecord, officer: str
) -> Business:
    """The registered business the application is for, created if new; its declared
    identifiers, phone and names are brought up to date."""
    business: Business | None = None
    if record.business_id is not None:
        business = await session.get(Business, record.business_id)
    if business is None and record.registration_no:
        business = (
            await session.execute(
                select(Business).where(Business.registration_no == record.registration_no)
            )
        ).scalar_one_or_none()
    identifiers = list(_identifiers(record))
    if record.phone:
        identifiers.append(Identifier(IdentifierKind.PHONE, record.phone, record.phone))
    name = record.business_name or record.business_name_km or record.id
    if business is None:
        business = await create_business(
            session,
            name=name,
            name_km=record.business_name_km,
            registration_no=record.registration_no,
            source="application",
            actor=officer,
            identifiers=identifiers,
            category=record.category,
            registered_on=record.registered_on,
            address=record.address,
            email=record.email,
        )
    else:
        business.name = name
        business.name_km = record.business_name_km or business.name_km
        business.category = record.category or business.category
        business.address = record.address or business.address
        business.email = record.email or business.email
        business.updated_at = now()
        await add_identifiers(session, business.id, identifiers)
        await reindex_name(session, business)
    record.business_id = business.id
    return business


async def approve_application(
    session: AsyncSession, application_id: str, *, officer: str, note: str | None
) -> ApplicationRecord:
    """Approve: issue a two-year certificate, or extend the renewed one."""
    record = await any_record(session, application_id)
    if record.status not in IN_REVIEW:
        raise Conflict(f"application is {record.status}, not in review")
    business = await _business_for_application(session, record, officer)
    if record.kind == ApplicationKind.RENEWAL.value:
        certificate = await renew_certificate(session, record, officer=officer)
    else:
        certificate = await issue_certificate(session, record, business.id, officer=officer)
    record.certificate_id = certificate.id
    record.decision_note = note
    _set_status(
        session,
        record,
        ApplicationStatus.APPROVED,
        actor=officer,
        note=note or f"certificate {certificate.id}",
    )
    return record
