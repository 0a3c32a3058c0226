"""Fixtures of the registry tests: one contract suite over three backends.

``registry`` is parametrised: the embedded backend on SQLite, the embedded backend on
PostgreSQL (``CETS_TEST_POSTGRES_URL``, see scripts/postgres-start.sh; the database is wiped at
the start of the session), and the HTTP client talking to the reference server started as a
real subprocess on a loopback port over its own SQLite file. Databases and the server live for
the session; each test uses its own users and shops, so tests never depend on each other's data.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from backend_client import OfficerBackend, RegistryBackend
from backend_client.http_client import HttpOfficerBackend, HttpRegistryBackend
from backend_client.transport import RetryPolicy
from registry.database import create_engine, upgrade_database
from registry.embedded import EmbeddedBackend, EmbeddedOfficer, open_store
from tests.backend.support import BOT_TOKEN, OFFICER_TOKEN, ServerProcess, start_reference_server

POSTGRES_ENV = "CETS_TEST_POSTGRES_URL"


def postgres_url_or_skip() -> str:
    """The test PostgreSQL URL; without it: fail under CI=true, skip elsewhere."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    message = (
        f'{POSTGRES_ENV} is not set: run `eval "$(scripts/postgres-start.sh)"` to start a '
        "throwaway PostgreSQL and export it"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


async def _wipe_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file shared by the session."""
    path = tmp_path_factory.mktemp("registry") / "registry.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL database, wiped and migrated once per session."""
    url = postgres_url_or_skip()
    # Requested from inside an async fixture: give asyncio.run a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _wipe_postgres(url)).result()
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def reference_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The reference server (``registry serve``) in a subprocess over its own SQLite file."""
    path: Path = tmp_path_factory.mktemp("server") / "registry.sqlite3"
    server = start_reference_server(f"sqlite+aiosqlite:///{path}")
    yield server
    server.stop()


@dataclass(frozen=True)
class Registry:
    """The two faces of one backend under test."""

    kind: str
    bot: RegistryBackend
    officer: OfficerBackend


BACKENDS = [
    "embedded-sqlite",
    pytest.param("embedded-postgres", marks=pytest.mark.postgres),
    "http",
]


@pytest.fixture(params=BACKENDS)
async def registry(request: pytest.FixtureRequest) -> AsyncIterator[Registry]:
    """The bot's and the officers' backend, for each of the three implementations."""
    kind: str = request.param
    if kind == "http":
        server: ServerProcess = request.getfixturevalue("reference_server")
        retry = RetryPolicy(attempts=3, first_delay=0.05)
        bot_http = HttpRegistryBackend(server.url, BOT_TOKEN, retry=retry)
        officer_http = HttpOfficerBackend(server.url, OFFICER_TOKEN, retry=retry)
        yield Registry(kind, bot_http, officer_http)
        await bot_http.close()
        await officer_http.close()
        return
    url = request.getfixturevalue("sqlite_url" if kind == "embedded-sqlite" else "postgres_url")
    store = await open_store(url)
    yield Registry(kind, EmbeddedBackend(store), EmbeddedOfficer(store))
    await store.close()
