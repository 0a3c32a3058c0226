"""Sessions over the registry database: read transactions and serialised write transactions."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend_client.errors import BackendUnavailable
from registry.database import WRITE_OPTION

logger = logging.getLogger(__name__)
T = TypeVar("T")


class RetryableWrite(Exception):
    """A concurrent writer won a race (e.g. the same idempotency key); run the write again."""


class RegistryStore:
    """One engine, with a session factory for readers and one for writers."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._readers = async_sessionmaker(engine, expire_on_commit=False)
        self._writers = async_sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

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
