"""Evidence files: checked, hashed and kept as database blobs next to their record."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.errors import NotFound, ValidationError
from backend_client.models import CRITERIA, DOCUMENTS, EvidenceItem, StoredEvidence
from bot.intake.limits import FileLimits
from registry.clock import now
from registry.models import EvidenceRecord

MAX_COMPLAINT_EVIDENCE = 10
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+\-]*/[a-z0-9][a-z0-9!#$&^_.+\-]*$")


def check_evidence(item: EvidenceItem, *, for_application: bool) -> EvidenceItem:
    """Validate an evidence item and return it with a safe file name."""
    problems = []
    max_bytes = FileLimits.from_env().max_file_bytes  # the bot's channels share this limit
    name = PureWindowsPath(PurePosixPath(item.filename).name).name.strip()[:255]
    if not name:
        problems.append("filename")
    if not _MIME.match(item.mime_type.lower()):
        problems.append("mime_type")
    if not item.data or len(item.data) > max_bytes:
        problems.append("data")
    if for_application:
        by_criterion = item.criterion is not None
        by_document = item.document is not None
        if by_criterion == by_document:
            problems.append("criterion")
        if by_criterion and item.criterion not in CRITERIA:
            problems.append("criterion")
        if by_document and item.document not in DOCUMENTS:
            problems.append("document")
    elif item.criterion is not None or item.document is not None:
        problems.append("criterion")
    if problems:
        raise ValidationError(
            f"evidence needs a file name, a mime type, 1 to {max_bytes} bytes of data and, "
            "for an application, either a criterion 1-9 or a document a-g",
            fields=tuple(dict.fromkeys(problems)),
        )
    return EvidenceItem(name, item.mime_type.lower(), item.data, item.criterion, item.document)


def store_evidence(
    session: AsyncSession,
    owner: tuple[str, str],
    item: EvidenceItem,
    *,
    application_id: str | None = None,
    complaint_id: str | None = None,
) -> EvidenceRecord:
    """Add a checked evidence item to the session."""
    record = EvidenceRecord(
        application_id=application_id,
        complaint_id=complaint_id,
        owner_channel=owner[0],
        owner_user_id=owner[1],
        filename=item.filename,
        mime_type=item.mime_type,
        size=len(item.data),
        sha256=hashlib.sha256(item.data).hexdigest(),
        criterion=item.criterion,
        document=item.document,
        data=item.data,
        added_at=now(),
    )
    session.add(record)
    return record


_METADATA = (
    EvidenceRecord.id,
    EvidenceRecord.application_id,
    EvidenceRecord.complaint_id,
    EvidenceRecord.filename,
    EvidenceRecord.mime_type,
    EvidenceRecord.size,
    EvidenceRecord.sha256,
    EvidenceRecord.criterion,
    EvidenceRecord.document,
    EvidenceRecord.added_at,
)


async def evidence_for(
    session: AsyncSession, *, application_ids: Sequence[str] = (), complaint_ids: Sequence[str] = ()
) -> dict[str, tuple[StoredEvidence, ...]]:
    """Evidence metadata (not the bytes) of applications or complaints, by record id."""
    column = EvidenceRecord.application_id if application_ids else EvidenceRecord.complaint_id
    ids = list(application_ids or complaint_ids)
    found: dict[str, list[StoredEvidence]] = {i: [] for i in ids}
    if not ids:
        return {}
    rows = await session.execute(
        select(*_METADATA).where(column.in_(ids)).order_by(EvidenceRecord.id)
    )
    for row in rows:
        key = row.application_id if application_ids else row.complaint_id
        found[key].append(
            StoredEvidence(
                evidence_id=row.id,
                filename=row.filename,
                mime_type=row.mime_type,
                size=row.size,
                sha256=row.sha256,
                criterion=row.criterion,
                document=row.document,
                added_at=row.added_at,
            )
        )
    return {k: tuple(v) for k, v in found.items()}


def to_stored(record: EvidenceRecord) -> StoredEvidence:
    """The metadata of a freshly stored evidence record."""
    return StoredEvidence(
        evidence_id=record.id,
        filename=record.filename,
        mime_type=record.mime_type,
        size=record.size,
        sha256=record.sha256,
        criterion=record.criterion,
        document=record.document,
        added_at=record.added_at,
    )


async def read_any_evidence(session: AsyncSession, evidence_id: int) -> EvidenceItem:
    """Any evidence file, for officers reviewing an application or a complaint."""
    if not 0 < evidence_id < 2**31:
        raise NotFound(f"no evidence {evidence_id}")
    record = await session.get(EvidenceRecord, evidence_id)
    if record is None:
        raise NotFound(f"no evidence {evidence_id}")
    return EvidenceItem(
        record.filename, record.mime_type, record.data, record.criterion, record.document
    )


async def read_evidence(
    session: AsyncSession, owner: tuple[str, str], evidence_id: int
) -> EvidenceItem:
    """The file of one of the owner's evidence items."""
    if not 0 < evidence_id < 2**31:  # ids are 32-bit integers on PostgreSQL
        raise NotFound(f"no evidence {evidence_id}")
    record = (
        await session.execute(
            select(EvidenceRecord).where(
                EvidenceRecord.id == evidence_id,
                EvidenceRecord.owner_channel == owner[0],
                EvidenceRecord.owner_user_id == owner[1],
            )
        )
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"no evidence {evidence_id}")
    return EvidenceItem(
        record.filename, record.mime_type, record.data, record.criterion, record.document
    )
