"""An intake over a real, migrated database (SQLite per test; PostgreSQL when available)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.database import open_engine, prepare_database
from bot.intake import FileIntake, FileLimits
from bot.intake.models import StoredFileRecord


@pytest.fixture(autouse=True)
def no_limit_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default limits, whatever the developer's environment says."""
    for name in (
        "CETS_MAX_FILE_BYTES",
        "TELEGRAM_MAX_DOWNLOAD_MB",
        "MESSENGER_MAX_ATTACHMENT_BYTES",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """The bot's tables in a fresh SQLite file, brought up by the Alembic migrations."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cets.sqlite3'}"
    await prepare_database(url)
    engine = open_engine(url)
    yield engine
    await engine.dispose()


@pytest.fixture
def intake(engine: AsyncEngine) -> FileIntake:
    """The intake with the default limits (20 MiB, 64 megapixels)."""
    return FileIntake(engine, FileLimits())


async def stored_rows(engine: AsyncEngine) -> int:
    """How many files the stored_files table holds."""
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(StoredFileRecord))
    return int(count or 0)
