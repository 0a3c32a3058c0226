"""The bot's database engine and schema migrations.

One engine factory serves the bot's tables and the registry's: :func:`registry.database.
create_engine` (SQLite in WAL mode with a busy timeout, and ``BEGIN IMMEDIATE`` for write
transactions, so concurrent writers queue for the lock instead of failing with "database is
locked"). A transaction that will write must say so: open its session on :func:`writer`, or
ask for its connection with ``execution_options={WRITE_OPTION: True}``.

Migrations are a release step on PostgreSQL (``cets-bot db upgrade``, a Kubernetes Job, the
compose file's migration service): a worker starting on a database that is not at the newest
schema refuses to start, saying so (:func:`ensure_schema`), rather than have N workers race to
migrate. SQLite, the single-process default, is still migrated at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Final, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from bot.env import env_flag
from registry.database import (
    WRITE_OPTION,
    create_engine,
    create_sqlite_reader,
    current_revision,
    head_revision,
    upgrade_database_async,
)

log = logging.getLogger(__name__)

__all__ = [
    "NO_SYNC",
    "WRITE_OPTION",
    "SchemaNotCurrent",
    "Transactions",
    "ensure_schema",
    "open_engine",
    "prepare_database",
    "writer",
]

T = TypeVar("T")
# For ORM-enabled UPDATEs of rows not loaded in the session: nothing to synchronise, and
# working that out costs more than the statement.
NO_SYNC: Final = {"synchronize_session": False}


class SchemaNotCurrent(RuntimeError):
    """The database is not at the schema this code needs; the message says what to run."""


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


async def ensure_schema(database_url: str) -> None:
    """Make sure the database has the newest schema before the bot uses it.

    SQLite: migrated here (one process, one command). PostgreSQL: checked, and
    :class:`SchemaNotCurrent` raised when behind, unless ``CETS_MIGRATE_ON_START`` is on.
    """
    if make_url(database_url).get_backend_name() == "sqlite" or env_flag("CETS_MIGRATE_ON_START"):
        await prepare_database(database_url)
        return
    engine = create_engine(database_url)
    try:
        current = await current_revision(engine)
    finally:
        await engine.dispose()
    head = head_revision()
    if current != head:
        raise SchemaNotCurrent(
            f"the database is at schema {current or 'none'}, this release needs {head}: run "
            "`cets-bot db upgrade` once (the release step) before starting the workers"
        )


_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(database: str) -> threading.Lock:
    """One lock per SQLite file for this process's synchronous writers.

    SQLite has one writer at a time; a writer that finds the file locked sleeps in its busy
    handler (1, 2, 5 ... 100 ms steps) and does not wake when the lock is freed. Under a burst
    most of the time went to those sleeps. Writers of this process queue on this lock instead
    and start the moment the previous one commits (other processes still meet the busy
    timeout).
    """
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(database, threading.Lock())


class Transactions:
    """Runs units of work, functions of a synchronous ``Session``, each in one transaction.

    On SQLite the work runs in a worker thread on a pysqlite engine of the same file (the same
    WAL, busy timeout and BEGIN IMMEDIATE for writers): one thread hop per transaction, where
    aiosqlite makes three or four per statement and a writer would hold the lock across all of
    them. Elsewhere (PostgreSQL) it runs through the async engine with ``run_sync``.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._async_readers = async_sessionmaker(engine, expire_on_commit=False)
        self._async_writers = async_sessionmaker(writer(engine), expire_on_commit=False)
        self._sync = create_sqlite_reader(engine.url.render_as_string(hide_password=False))
        self._sync_readers: sessionmaker[Session] | None = None
        self._sync_writers: sessionmaker[Session] | None = None
        self._lock: threading.Lock | None = None
        if self._sync is not None:
            self._lock = _writer_lock(str(self._sync.url.database))
            self._sync_readers = sessionmaker(self._sync, expire_on_commit=False)
            self._sync_writers = sessionmaker(
                self._sync.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
            )

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a read transaction."""
        return await self._run(work, self._sync_readers, self._async_readers, None)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a write transaction, committed when it returns."""
        return await self._run(work, self._sync_writers, self._async_writers, self._lock)

    @staticmethod
    async def _run(
        work: Callable[[Session], T],
        sync_sessions: sessionmaker[Session] | None,
        async_sessions: async_sessionmaker[AsyncSession],
        lock: threading.Lock | None,
    ) -> T:
        if sync_sessions is not None:

            def run() -> T:
                with lock or contextlib.nullcontext(), sync_sessions.begin() as session:
                    return work(session)

            return await asyncio.to_thread(run)
        async with async_sessions.begin() as session:
            return await session.run_sync(work)

    async def close(self) -> None:
        """Close the synchronous engine's connections (the async engine is the caller's)."""
        if self._sync is not None:
            await asyncio.to_thread(self._sync.dispose)
