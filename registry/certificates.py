"""Trustmark certificates: issue on approval, renew, suspend, reinstate, revoke, read.

The stored status is what an officer decided (valid, suspended, revoked); expiry and the end of a
suspension follow from the dates and are applied whenever a certificate is read.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.errors import Conflict, NotFound, ValidationError
from backend_client.models import (
    Certificate,
    CertificateStatus,
    Identifier,
    IdentifierKind,
    SubjectType,
)
from registry.audit import record_status_change
from registry.clock import now, today, validity_end
from registry.models import (
    ApplicationRecord,
    Business,
    BusinessIdentifier,
    CertificateIdentifier,
    CertificateRecord,
    Penalty,
)
from registry.numbering import CERTIFICATE_PREFIX, next_number, normalise_number

logger = logging.getLogger(__name__)
VALIDITY_YEARS = 2


class CertificateFacts(NamedTuple):
    """The columns of a certificate a verdict needs, read without the ORM (hot path)."""

    id: str
    status: str
    issued_on: date
    valid_from: date
    valid_until: date
    suspended_until: date | None
    revoked_on: date | None
    status_reason: str | None
    renewal_count: int


CERTIFICATE_FACT_COLUMNS = tuple(getattr(CertificateRecord, f) for f in CertificateFacts._fields)
"""Columns in :class:`CertificateFacts` order."""


def effective_status(
    record: CertificateRecord | CertificateFacts, on: date | None = None
) -> CertificateStatus:
    """Status on a day: revoked stays revoked; past ``valid_until`` it is expired; a suspension
    ends after ``suspended_until``."""
    day = on or today()
    if record.status == CertificateStatus.REVOKED.value:
        return CertificateStatus.REVOKED
    if day > record.valid_until:
        return CertificateStatus.EXPIRED
    if record.status == CertificateStatus.SUSPENDED.value and (
        record.suspended_until is None or day <= record.suspended_until
    ):
        return CertificateStatus.SUSPENDED
    return CertificateStatus.VALID


def to_certificate(
    record: CertificateRecord | CertificateFacts,
    registration_no: str | None,
    business_name: str,
    covered: Sequence[Identifier],
) -> Certificate:
    """The public form of a certificate, with its status as of today."""
    status = effective_status(record)
    return Certificate(
        certificate_id=record.id,
        registration_no=registration_no,
        business_name=business_name,
        status=status,
        issued_on=record.issued_on,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        suspended_until=record.suspended_until if status is CertificateStatus.SUSPENDED else None,
        revoked_on=record.revoked_on,
        status_reason=record.status_reason,
        renewal_count=record.renewal_count,
        covered_identifiers=tuple(covered),
    )


async def _covered(
    session: AsyncSession, certificate_ids: Sequence[str]
) -> dict[str, list[Identifier]]:
    covered: dict[str, list[Identifier]] = {c: [] for c in certificate_ids}
    if not certificate_ids:
        return covered
    rows = await session.execute(
        select(
            CertificateIdentifier.certificate_id,
            CertificateIdentifier.kind,
            CertificateIdentifier.value,
            CertificateIdentifier.display,
        )
        .where(CertificateIdentifier.certificate_id.in_(certificate_ids))
        .order_by(CertificateIdentifier.kind, CertificateIdentifier.value)
    )
    for certificate_id, kind, value, display in rows:
        covered[certificate_id].append(Identifier(IdentifierKind(kind), value, display))
    return covered


async def get_certificate(session: AsyncSession, certificate_id: str) -> Certificate:
    """A certificate as it stands today."""
    record = await _record(session, certificate_id)
    business = await session.get(Business, record.business_id)
    assert business is not None
    covered = await _covered(session, [record.id])
    return to_certificate(record, business.registration_no, business.name, covered[record.id])


async def _record(session: AsyncSession, certificate_id: str) -> CertificateRecord:
    record = await session.get(CertificateRecord, normalise_number(certificate_id))
    if record is None:
        raise NotFound(f"no certificate {certificate_id}")
    return record


async def _bind_identifiers(session: AsyncSession, certificate_id: str, business_id: int) -> None:
    """Bind the certificate to the business's declared identifiers as they are now."""
    await session.execute(
        delete(CertificateIdentifier).where(CertificateIdentifier.certificate_id == certificate_id)
    )
    rows = await session.execute(
        select(BusinessIdentifier.kind, BusinessIdentifier.value, BusinessIdentifier.display).where(
            BusinessIdentifier.business_id == business_id
        )
    )
    session.add_all(
        CertificateIdentifier(certificate_id=certificate_id, kind=k, value=v, display=d)
        for k, v, d in rows
    )


async def issue_certificate(
    session: AsyncSession, application: ApplicationRecord, business_id: int, *, officer: str
) -> CertificateRecord:
    """Issue a certificate valid two years from today for an approved application."""
    issued = today()
    certificate_id = await next_number(session, CERTIFICATE_PREFIX, issued.year)
    record = CertificateRecord(
        id=certificate_id,
        business_id=business_id,
        application_id=application.id,
        owner_channel=application.owner_channel,
        owner_user_id=application.owner_user_id,
        status=CertificateStatus.VALID.value,
        issued_on=issued,
        valid_from=issued,
        valid_until=validity_end(issued, VALIDITY_YEARS),
        renewal_count=0,
        created_at=now(),
        updated_at=now(),
    )
    session.add(record)
    await session.flush()
    await _bind_identifiers(session, certificate_id, business_id)
    record_status_change(
        session,
        subject_type=SubjectType.CERTIFICATE,
        subject_id=certificate_id,
        owner=(application.owner_channel, application.owner_user_id),
        old_status=None,
        new_status=CertificateStatus.VALID.value,
        actor=officer,
        note=f"issued for {application.id}",
    )
    logger.info("certificate %s issued for %s", certificate_id, application.id)
    return record


async def renew_certificate(
    session: AsyncSession, application: ApplicationRecord, *, officer: str
) -> CertificateRecord:
    """Extend a certificate by two years from its end (or from today if it already ended)."""
    assert application.renewal_of is not None
    record = await _record(session, application.renewal_of)
    if record.status == CertificateStatus.REVOKED.value:
        raise Conflict("a revoked certificate cannot be renewed")
    old_status = effective_status(record)
    day = today()
    start = day if day > record.valid_until else record.valid_until + timedelta(days=1)
    record.valid_until = validity_end(start, VALIDITY_YEARS)
    record.renewal_count += 1
    await _bind_identifiers(session, record.id, record.business_id)
    _record_change(
        session,
        record,
        old_status,
        officer=officer,
        note=f"renewed until {record.valid_until.isoformat()} ({application.id})",
    )
    return record


def _owner(record: CertificateRecord) -> tuple[str, str] | tuple[None, None]:
    if record.owner_channel is None or record.owner_user_id is None:
        return (None, None)
    return (record.owner_channel, record.owner_user_id)


def _record_change(
    session: AsyncSession,
    record: CertificateRecord,
    old: CertificateStatus,
    *,
    officer: str,
    note: str | None,
    penalty: str | None = None,
) -> None:
    """Stamp an officer's change of a certificate: status history, and a penalty if any."""
    record.updated_at = now()
    if penalty is not None:
        session.add(
            Penalty(
                business_id=record.business_id, kind=penalty, note=note or "", at=now(), by=officer
            )
        )
    record_status_change(
        session,
        subject_type=SubjectType.CERTIFICATE,
        subject_id=record.id,
        owner=_owner(record),
        old_status=old.value,
        new_status=effective_status(record).value,
        actor=officer,
        note=note,
    )


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError("a reason is required", fields=("reason",))
    return reason.strip()


async def suspend_certificate(
    session: AsyncSession, certificate_id: str, *, until: date, officer: str, reason: str
) -> Certificate:
    """Suspend until a date (inclusive), recording a suspension penalty."""
    record = await _record(session, certificate_id)
    old = effective_status(record)
    if old in (CertificateStatus.REVOKED, CertificateStatus.EXPIRED):
        raise Conflict(f"certificate is {old.value}")
    if until < today():
        raise ValidationError("suspension must end today or later", fields=("until",))
    record.status = CertificateStatus.SUSPENDED.value
    record.suspended_until = until
    record.status_reason = _reason(reason)
    _record_change(
        session,
        record,
        old,
        officer=officer,
        penalty="suspension",
        note=f"{record.status_reason} (until {until.isoformat()})",
    )
    return await get_certificate(session, record.id)


async def reinstate_certificate(
    session: AsyncSession, certificate_id: str, *, officer: str, note: str | None
) -> Certificate:
    """End a suspension now."""
    record = await _record(session, certificate_id)
    if record.status != CertificateStatus.SUSPENDED.value:
        raise Conflict("only a suspended certificate can be reinstated")
    old = effective_status(record)
    record.status = CertificateStatus.VALID.value
    record.suspended_until = None
    record.status_reason = note
    _record_change(session, record, old, officer=officer, note=note)
    return await get_certificate(session, record.id)


async def revoke_certificate(
    session: AsyncSession, certificate_id: str, *, officer: str, reason: str
) -> Certificate:
    """Revoke for good, recording a revocation penalty."""
    record = await _record(session, certificate_id)
    if record.status == CertificateStatus.REVOKED.value:
        raise Conflict("certificate is already revoked")
    old = effective_status(record)
    record.status = CertificateStatus.REVOKED.value
    record.revoked_on = today()
    record.suspended_until = None
    record.status_reason = _reason(reason)
    _record_change(
        session, record, old, officer=officer, note=record.status_reason, penalty="revocation"
    )
    return await get_certificate(session, record.id)
