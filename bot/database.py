"""The bot's database engine and schema migrations.

One engine factory serves the bot's tables and the registry's: :func:`registry.database.
create_engine` (SQLite in WAL mode with a busy timeout, and ``BEGIN IMMEDIATE`` for write
transactions, so concurrent writers queue for the lock instead of failing with "database is
locked"). A transaction that will write must say so: open its session on :func:`writer`, or
ask for its connection with ``execution_options={WRITE_OPTION: True}``.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from registry.database import WRITE_OPTION, create_engine, upgrade_database_async

log = logging.getLogger(__name__)

__all__ = ["WRITE_OPTION", "open_engine", "prepare_database", "writer"]


def open_engine(database_url: str) -> AsyncEngine:
    """An async engine for the URL (a SQLite file's folder is created when missing)."""
    # aiosqlite logs every statement with its bound values at DEBUG: users' messages, phone
    # numbers and the bot's replies. Never, whatever the root logger's level.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    return create_engine(database_url)


def writer(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (same pool) whose transactions begin as writers."""
    return engine.execution_options(**{WRITE_OPTION: True})


async def prepare_database(database_url: str) -> None:
    """Bring the database to the newest schema (Alembic migrations in ``migrations/``)."""
    await upgrade_database_async(database_url)
    log.info("database ready (%s)", make_url(database_url).render_as_string(hide_password=True))
