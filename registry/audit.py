"""The audit trail and the status-change feed, written in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.models import SubjectType
from registry.clock import now
from registry.models import AuditEntry, StatusChangeRecord


def record_audit(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Note who did what to which record, now."""
    session.add(
        AuditEntry(
            at=now(),
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details or {},
        )
    )


def record_status_change(
    session: AsyncSession,
    *,
    subject_type: SubjectType,
    subject_id: str,
    owner: tuple[str, str] | tuple[None, None],
    old_status: str | None,
    new_status: str,
    actor: str,
    note: str | None = None,
) -> None:
    """Append a status change to the history and notification feed, and to the audit trail."""
    at = now()
    session.add(
        StatusChangeRecord(
            subject_type=subject_type.value,
            subject_id=subject_id,
            owner_channel=owner[0],
            owner_user_id=owner[1],
            old_status=old_status,
            new_status=new_status,
            note=note,
            actor=actor,
            at=at,
        )
    )
    record_audit(
        session,
        actor=actor,
        action=f"status:{new_status}",
        subject_type=subject_type.value,
        subject_id=subject_id,
        details={"from": old_status, "to": new_status, "note": note},
    )
