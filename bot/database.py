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
import weakref
from collections.abc import Callable
from typing import Any, Final, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
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


_SQLITE_BUSY: Final = 5
_CHECKPOINT_EVERY: Final = 200  # writes on the event loop between two WAL checkpoints


def _never_waiting(engine: Engine) -> Engine:
    """The engine's connections give up at once on a locked file (SQLITE_BUSY) and leave
    WAL checkpoints to others: what runs on the event loop must never wait."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:  # after the factory's
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    return engine


def _busy(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlite_errorcode", None) == _SQLITE_BUSY or "locked" in str(exc.orig)


class _Busy(Exception):
    """The file was locked by another connection: the work was not run (or only read)."""


_LOOP_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _loop_writer_lock(database: str) -> asyncio.Lock:
    """One queue per SQLite file for the writers of the running event loop: a write that had
    to go to a thread (the file was locked) is waited for, not overtaken by threads more."""
    locks = _LOOP_WRITERS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(database, asyncio.Lock())


class Transactions:
    """Runs units of work, functions of a synchronous ``Session``, each in one transaction.

    On SQLite the work runs on a pysqlite engine of the same file (the same WAL and BEGIN
    IMMEDIATE for writers). It runs right on the event loop when it cannot wait: this
    process's writers are not writing (a lock of its own) and the file is not locked by
    another process, which the loop's connections check without waiting (busy timeout 0).
    Otherwise, and for the WAL checkpoints the loop's connections leave, it runs in a worker
    thread with the usual busy timeout. A unit of work here is a few statements (a fraction
    of a millisecond); a thread hop costs more than that, and under load most of a turn's
    hops went to waking threads and trading the GIL. Elsewhere (PostgreSQL) the work runs
    through the async engine with ``run_sync``.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._async_readers = async_sessionmaker(engine, expire_on_commit=False)
        self._async_writers = async_sessionmaker(writer(engine), expire_on_commit=False)
        url = engine.url.render_as_string(hide_password=False)
        self._sync = create_sqlite_reader(url)
        self._sync_readers: sessionmaker[Session] | None = None
        self._sync_writers: sessionmaker[Session] | None = None
        self._loop_engine: Engine | None = None
        self._loop_readers: sessionmaker[Session] | None = None
        self._loop_writers: sessionmaker[Session] | None = None
        self._lock: threading.Lock | None = None
        self._loop_writes = 0
        self._database = ""
        if self._sync is not None:
            self._database = str(self._sync.url.database)
            self._lock = _writer_lock(self._database)
            self._sync_readers = sessionmaker(self._sync, expire_on_commit=False)
            self._sync_writers = sessionmaker(
                self._sync.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
            )
            loop_engine = create_sqlite_reader(url)
            if loop_engine is not None and not env_flag("CETS_SQLITE_IN_THREADS"):
                self._loop_engine = _never_waiting(loop_engine)
                self._loop_readers = sessionmaker(loop_engine, expire_on_commit=False)
                self._loop_writers = sessionmaker(
                    loop_engine.execution_options(**{WRITE_OPTION: True}),
                    expire_on_commit=False,
                )

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a read transaction."""
        if self._loop_readers is not None:
            with contextlib.suppress(_Busy):
                return self._on_loop(work, self._loop_readers, reading=True)
        return await self._run(work, self._sync_readers, self._async_readers, None)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a write transaction, committed when it returns."""
        lock = self._lock
        if self._loop_writers is None or lock is None:
            return await self._run(work, self._sync_writers, self._async_writers, lock)
        async with _loop_writer_lock(self._database):
            if lock.acquire(blocking=False):
                try:
                    result = self._on_loop(work, self._loop_writers, reading=False)
                except _Busy:
                    done = False
                else:
                    done = True
                finally:
                    lock.release()
                if done:
                    await self._after_loop_write()  # this loop's writers still wait
                    return result
            return await self._run(work, self._sync_writers, self._async_writers, lock)

    @staticmethod
    def _on_loop(
        work: Callable[[Session], T], sessions: sessionmaker[Session], *, reading: bool
    ) -> T:
        """Run the work now; :class:`_Busy` when the file is locked by another connection.

        A writer's BEGIN IMMEDIATE takes the lock before any of the work runs, so only that
        BEGIN can find the file locked; a reader (a deferred BEGIN) may meet it on any read,
        and is run again from the start in a thread.
        """
        with sessions.begin() as session:
            try:
                session.connection()  # BEGIN (IMMEDIATE for a writer) before the work
                if reading:
                    return work(session)
            except OperationalError as exc:
                if _busy(exc):
                    raise _Busy from exc
                raise
            return work(session)

    async def _after_loop_write(self) -> None:
        """Every few hundred writes, a WAL checkpoint in a worker thread.

        Run while this loop's writers wait (the caller holds their lock): a checkpoint that
        copies every frame lets the next writer start the WAL again from its beginning,
        which a checkpoint racing new writes never does (the WAL would only grow).
        """
        self._loop_writes += 1
        if self._loop_writes % _CHECKPOINT_EVERY or self._sync is None:
            return
        sync = self._sync

        def checkpoint() -> None:
            connection = sync.raw_connection()  # autocommit: no transaction around it
            try:
                connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                connection.close()

        try:
            await asyncio.to_thread(checkpoint)
        except Exception as exc:  # a checkpoint is an optimisation: never a write's failure
            log.warning("WAL checkpoint skipped: %s", type(exc).__name__)

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
        """Close the synchronous engines' connections (the async engine is the caller's)."""
        for engine in (self._sync, self._loop_engine):
            if engine is not None:
                await asyncio.to_thread(engine.dispose)
