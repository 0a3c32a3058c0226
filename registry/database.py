"""Database URLs, engines and migrations for the registry (SQLite or PostgreSQL).

SQLite engines run in WAL mode with a busy timeout, and write transactions begin with
``BEGIN IMMEDIATE`` so that two writers (the bot, the CLI, the HTTP server) queue for the lock
instead of failing halfway with "database is locked".
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
WRITE_OPTION = "cets_write"
"""Execution option marking a connection whose transactions will write."""


def default_database_url() -> str:
    """``CETS_DATABASE_URL``, else a SQLite file ``$CETS_DATA_DIR/cets.sqlite3`` (./var)."""
    url = os.environ.get("CETS_DATABASE_URL")
    if url:
        return url
    data_dir = Path(os.environ.get("CETS_DATA_DIR", "./var"))
    return f"sqlite+aiosqlite:///{data_dir / 'cets.sqlite3'}"


def _ensure_sqlite_directory(url: str) -> None:
    """Create the directory of a SQLite file so that the first connect succeeds."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout, and explicit BEGIN (IMMEDIATE for writers)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module; "begin" below emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def create_engine(url: str | None = None, **kwargs: Any) -> AsyncEngine:
    """An async engine for the registry database (default: :func:`default_database_url`)."""
    url = url or default_database_url()
    _ensure_sqlite_directory(url)
    backend = make_url(url).get_backend_name()
    # Bound values (phones, names) stay out of exception messages and therefore out of logs.
    kwargs.setdefault("hide_parameters", True)
    if backend == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        # No pre-ping: it doubles the round trips of a lookup. A connection found dead on use
        # is invalidated and its transaction run again (RegistryStore).
        kwargs.setdefault("pool_recycle", 1800)
    engine = create_async_engine(url, **kwargs)
    if backend == "sqlite":
        _configure_sqlite(engine.sync_engine)
    return engine


def create_sqlite_reader(url: str) -> Engine | None:
    """A synchronous sqlite3 engine on the same file as an aiosqlite ``url`` (None otherwise).

    Used for the shop lookup in a worker thread and for the bot's units of work
    (``bot.database.Transactions``): aiosqlite hands every cursor call to its own thread, a
    dozen hops per lookup, each a wait for the scheduler on a busy machine.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    engine = sa_create_engine(
        parsed.set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=4,
        hide_parameters=True,
    )
    _configure_sqlite(engine)
    return engine


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` that needs no alembic.ini on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's ini interpolation treats "%" specially (e.g. in URL-encoded passwords).
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(url: str) -> None:
    """Run Alembic to head in this thread (which must have no running event loop)."""
    _ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), "head")


def upgrade_database(url: str) -> None:
    """Migrate the database at ``url`` to the latest schema (SQLite or PostgreSQL).

    Blocking; from async code prefer :func:`upgrade_database_async`. Safe to call when an event
    loop runs in this thread: Alembic then runs in a helper thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _upgrade(url)
        return
    failure: list[BaseException] = []

    def run() -> None:
        try:
            _upgrade(url)
        except BaseException as exc:  # re-raised in the calling thread below
            failure.append(exc)

    worker = threading.Thread(target=run, name="alembic-upgrade")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


async def upgrade_database_async(url: str) -> None:
    """Migrate the database at ``url`` to the latest schema without blocking the loop."""
    await asyncio.to_thread(_upgrade, url)


def head_revision() -> str | None:
    """The newest migration in the repository."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The migration the database is at (None for an empty database)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)
