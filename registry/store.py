"""Sessions over the registry database: read transactions and serialised write transactions.

A transaction that fails because its pooled connection turned out dead (the database restarted)
is run once more on a fresh connection: nothing of it was committed. Other database failures
become :class:`BackendUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend_client.errors import BackendUnavailable
from registry.database import WRITE_OPTION, create_sqlite_reader

logger = logging.getLogger(__name__)
T = TypeVar("T")


class RetryableWrite(Exception):
    """A concurrent writer won a race (e.g. the same idempotency key); run the write again."""


class RegistryStore:
    """One engine, with a session factory for readers and one for writers.

    On SQLite a second, synchronous engine serves :meth:`read_sync` from a worker thread.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._readers = async_sessionmaker(engine, expire_on_commit=False)
        self._writers = async_sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        self._sync_engine = create_sqlite_reader(engine.url.render_as_string(hide_password=False))

    async def _run(self, attempt: Callable[[], Awaitable[T]], what: str, tries: int = 3) -> T:
        """Run ``attempt``, again after a lost race or a dead pooled connection."""
        for number in range(1, tries + 1):
            try:
                return await attempt()
            except RetryableWrite:
                if number == tries:
                    raise
                logger.info("%s lost a race; retrying", what)
            except IntegrityError:
                raise
            except DBAPIError as exc:
                if exc.connection_invalidated and number < tries:
                    logger.warning("%s met a dead database connection; retrying", what)
                    continue
                logger.exception("registry database %s failed", what)
                raise BackendUnavailable("the registry database is not available") from exc
        raise AssertionError("unreachable")

    async def read(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in a read transaction (nothing is committed)."""

        async def attempt() -> T:
            async with self._readers() as session:
                return await work(session)

        return await self._run(attempt, "read")

    async def read_sync(self, work: Callable[[Connection], T]) -> T:
        """Run a synchronous read of Core statements: in one worker thread on SQLite, through
        ``AsyncConnection.run_sync`` elsewhere."""
        sync_engine = self._sync_engine
        if sync_engine is None:

            async def attempt() -> T:
                async with self.engine.connect() as connection:
                    return await connection.run_sync(work)

            return await self._run(attempt, "read")

        def run() -> T:
            with sync_engine.connect() as connection, connection.begin():
                return work(connection)

        return await self._run(lambda: asyncio.to_thread(run), "read")

    async def write(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in one write transaction, committed when it returns.

        ``work`` may raise :class:`RetryableWrite` after losing a race; it is then run again in a
        fresh transaction (where it will see the winner's result).
        """

        async def attempt() -> T:
            async with self._writers() as session, session.begin():
                return await work(session)

        return await self._run(attempt, "write")

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self._sync_engine is not None:
            await asyncio.to_thread(self._sync_engine.dispose)
