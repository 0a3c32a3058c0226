"""The bot's database engine and schema migrations."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from registry.database import upgrade_database_async

log = logging.getLogger(__name__)


def open_engine(database_url: str) -> AsyncEngine:
    """An async engine for the URL; a SQLite file's folder is created when missing."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return create_async_engine(url)


async def prepare_database(database_url: str) -> None:
    """Bring the database to the newest schema (Alembic migrations in ``migrations/``)."""
    await upgrade_database_async(database_url)
    log.info("database ready (%s)", make_url(database_url).render_as_string(hide_password=True))
