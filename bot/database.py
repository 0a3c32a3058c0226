"""The bot's database engine and schema preparation."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.dialogue.models import conversation_metadata

log = logging.getLogger(__name__)


def open_engine(database_url: str) -> AsyncEngine:
    """An async engine for the URL; a SQLite file's folder is created when missing."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return create_async_engine(url)


async def prepare_database(engine: AsyncEngine) -> None:
    """Create the bot's tables when they do not exist yet."""
    async with engine.begin() as connection:
        await connection.run_sync(conversation_metadata.create_all)
    log.info("database ready (%s)", engine.url.render_as_string(hide_password=True))
