"""Sessions over the registry database: read transactions and serialised write transactions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

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
        self._sync_readers = (
            sessionmaker(self._sync_engine, expire_on_commit=False) if self._sync_engine else None
        )

    async def read_sync(self, work: Callable[[Session], T]) -> T:
        """Run a synchronous read: in one worker thread on SQLite, via run_sync elsewhere."""
        if self._sync_readers is None:
            async with self.reading() as session:
                return await session.run_sync(work)
        readers = self._sync_readers

        def run() -> T:
            with readers() as session, session.begin():
                return work(session)

        try:
            return await asyncio.to_thread(run)
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, IntegrityError):
                raise
            logger.exception("registry database read failed")
            raise BackendUnavailable("the registry database is not available") from exc

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; nothing it does is committed."""
        try:
            async with self._readers() as session:
                yield session
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, IntegrityError):
                raise
            logger.exception("registry database read failed")
            raise BackendUnavailable("the registry database is not available") from exc

    async def write(self, work: Callable[[AsyncSession], Awaitable[T]], attempts: int = 3) -> T:
        """Run ``work`` in one write transaction, committed when it returns.

        ``work`` may raise :class:`RetryableWrite` after losing a race; it is then run again in a
        fresh transaction (where it will see the winner's result).
        """
        for attempt in range(1, attempts + 1):
            try:
                async with self._writers() as session, session.begin():
                    return await work(session)
            except RetryableWrite:
                if attempt == attempts:
                    raise
                logger.info("write lost a race; retrying (attempt %d)", attempt + 1)
            except IntegrityError:
                raise
            except (OperationalError, DBAPIError) as exc:
                logger.exception("registry database write failed")
                raise BackendUnavailable("the registry database is not available") from exc
        raise AssertionError("unreachable")

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self._sync_engine is not None:
            await asyncio.to_thread(self._sync_engine.dispose)
