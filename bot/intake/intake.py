"""The one door for files users send: check, clean and store each file once."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.intake.limits import FileLimits
from bot.intake.models import StoredFileRecord
from bot.intake.refusals import FileRefused, RefusalReason
from bot.intake.sanitise import Sanitised, sanitise
from bot.intake.stored import StoredFile, is_sha256, safe_filename
from bot.messages import Attachment

log = logging.getLogger(__name__)

# Files decoded at the same time: each large photo takes a few hundred MB while it is decoded.
PARALLEL_DECODES: Final = 2
_FALLBACK_STEMS: Final = {"image": "photo", "pdf": "document"}


class FileNotStored(LookupError):
    """No stored file has this sha256."""


class FileIntake:
    """Takes attachments from any channel and keeps them in the ``stored_files`` table.

    :meth:`take` types a file from its content (JPEG, PNG, WebP, PDF), refuses bombs and
    oversize files, strips every photo's EXIF (GPS included) and stores it keyed by the sha256
    of the stored bytes, so the same file sent twice is stored once. Decoding, encoding and
    hashing run in worker threads, never on the event loop.
    """

    def __init__(self, engine: AsyncEngine, limits: FileLimits) -> None:
        self._engine = engine
        self._limits = limits
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._decoding = asyncio.Semaphore(PARALLEL_DECODES)

    @property
    def limits(self) -> FileLimits:
        """The limits this intake applies."""
        return self._limits

    async def take(self, attachment: Attachment) -> StoredFile:
        """Check, clean and store one attachment; raises :class:`FileRefused` with the reason.

        The platform's kind, MIME type and file name are not trusted: the content decides.
        """
        data = attachment.data
        if not data:
            raise FileRefused(RefusalReason.EMPTY)
        if len(data) > self._limits.max_file_bytes:
            raise FileRefused(
                RefusalReason.TOO_LARGE,
                limit=self._limits.max_file_bytes,
                detail=f"{len(data)} bytes",
            )
        async with self._decoding:
            clean = await asyncio.to_thread(sanitise, data, self._limits)
        stored = StoredFile(
            sha256=clean.sha256,
            kind=clean.kind,
            mime_type=clean.mime_type,
            size=len(clean.data),
            filename=safe_filename(
                attachment.filename, clean.extension, _FALLBACK_STEMS[clean.kind]
            ),
        )
        new = await self._insert(stored, clean)
        log.info(
            "%s %s %s of %d bytes (from %d)",
            "stored" if new else "already had",
            clean.kind,
            clean.sha256[:12],
            stored.size,
            len(data),
        )
        return stored

    async def get(self, sha256: str) -> StoredFile:
        """What is stored under ``sha256`` (with the name it was first sent with)."""
        if is_sha256(sha256):
            async with self._sessions() as session:
                row = (
                    await session.execute(
                        select(
                            StoredFileRecord.kind,
                            StoredFileRecord.mime_type,
                            StoredFileRecord.size,
                            StoredFileRecord.filename,
                        ).where(StoredFileRecord.sha256 == sha256)
                    )
                ).one_or_none()
            if row is not None:
                return StoredFile.from_json(
                    {
                        "sha256": sha256,
                        "kind": row.kind,
                        "mime_type": row.mime_type,
                        "size": row.size,
                        "filename": row.filename,
                    }
                )
        raise FileNotStored(sha256)

    async def read(self, sha256: str) -> bytes:
        """The stored bytes of a file (a photo as cleaned, a PDF as sent)."""
        if is_sha256(sha256):
            async with self._sessions() as session:
                data = await session.scalar(
                    select(StoredFileRecord.data).where(StoredFileRecord.sha256 == sha256)
                )
            if data is not None:
                return data
        raise FileNotStored(sha256)

    async def _insert(self, stored: StoredFile, clean: Sanitised) -> bool:
        """Store the file unless its sha256 is there already; True when it was new."""
        values = {
            "sha256": stored.sha256,
            "kind": stored.kind,
            "mime_type": stored.mime_type,
            "size": stored.size,
            "filename": stored.filename,
            "data": clean.data,
            "stored_at": datetime.now(UTC),
        }
        statement = _insert_ignoring_duplicates(self._engine.dialect.name, values)
        async with self._sessions.begin() as session:
            if statement is not None:
                result = await session.execute(statement)
                return bool(getattr(result, "rowcount", 1))
            if await session.get(StoredFileRecord, stored.sha256) is not None:
                return False
        try:
            async with self._sessions.begin() as session:
                session.add(StoredFileRecord(**values))
        except IntegrityError:  # stored by a concurrent take of the same file
            return False
        return True


def _insert_ignoring_duplicates(dialect: str, values: dict[str, object]) -> Insert | None:
    """INSERT ... ON CONFLICT DO NOTHING for SQLite and PostgreSQL; None for other databases."""
    if dialect == "postgresql":
        return (
            postgresql.insert(StoredFileRecord)
            .values(values)
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
    if dialect == "sqlite":
        return (
            sqlite.insert(StoredFileRecord)
            .values(values)
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
    return None
