"""The intake on PostgreSQL: bytea storage and one row under concurrent takes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import open_engine, prepare_database
from bot.intake import FileIntake, FileLimits
from bot.intake.models import StoredFileRecord
from bot.messages import Attachment
from tests.backend.conftest import postgres_url_or_skip
from tests.intake.samples import jpeg_with_gps, open_image, pdf, picture

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_engine() -> AsyncIterator[AsyncEngine]:
    """The test PostgreSQL database, migrated (never wiped: other suites share it)."""
    url = postgres_url_or_skip()
    await prepare_database(url)
    engine = open_engine(url)
    yield engine
    await engine.dispose()


async def test_concurrent_takes_of_one_photo_store_one_row_on_postgres(
    pg_engine: AsyncEngine,
) -> None:
    intake = FileIntake(pg_engine, FileLimits())
    photo = jpeg_with_gps(picture(seed=int.from_bytes(os.urandom(4), "big")))
    results = await asyncio.gather(
        *(intake.take(Attachment("image", f"{i}.jpg", "image/jpeg", photo)) for i in range(6))
    )
    sha256 = results[0].sha256
    assert {stored.sha256 for stored in results} == {sha256}
    kept = open_image(await intake.read(sha256))
    assert len(kept.getexif()) == 0
    assert (await intake.get(sha256)).filename.endswith(".jpg")
    document = pdf(pages=2)
    stored = await intake.take(Attachment("file", "a.pdf", "application/pdf", document))
    assert await intake.read(stored.sha256) == document
    async with pg_engine.begin() as connection:
        gone = await connection.execute(
            delete(StoredFileRecord).where(StoredFileRecord.sha256.in_([sha256, stored.sha256]))
        )
    assert gone.rowcount == 2  # exactly one row each
