"""Fixtures of the public register tests: the bot's real HTTP server over the demo data.

The server is ``python -m bot.web`` (the bot's own aiohttp server, no channel token set) in a
subprocess on a loopback port, over a SQLite file migrated and seeded with registry/demo.py.
The tests read what they expect through the embedded backend on the same file.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from backend_client import PublicCertificate
from registry.database import upgrade_database
from registry.demo import DEMO_SHOPS, DemoShop, seed_demo
from registry.embedded import EmbeddedBackend, open_store
from tests.web.browser import HeadlessChromium, chromium_or_skip

T = TypeVar("T")
BOT_USERNAME = "cets_test_bot"
MESSENGER_PAGE = "cetstestpage"
REPO = Path(__file__).resolve().parents[2]


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from sync code, even while a test's loop runs here."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class DemoRegister:
    """The running server and the demo certificates as the registry holds them."""

    url: str
    database_url: str
    certificates: dict[str, PublicCertificate]

    def shop(self, key: str) -> DemoShop:
        """The demo shop with this key (valid, expired, suspended, revoked, ...)."""
        return next(s for s in DEMO_SHOPS if s.key == key)


async def _seed(database_url: str) -> dict[str, PublicCertificate]:
    store = await open_store(database_url)
    try:
        await store.write(seed_demo)
        backend = EmbeddedBackend(store)
        return {
            shop.key: await backend.get_public_certificate(shop.certificate_id)
            for shop in DEMO_SHOPS
            if shop.certificate_id
        }
    finally:
        await store.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the bot server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("the bot server did not answer /healthz in time")


@pytest.fixture(scope="session")
def demo_register(
    tmp_path_factory: pytest.TempPathFactory, nlu_cache_dir: Path
) -> Iterator[DemoRegister]:
    """The bot's HTTP server with no channel token, over the seeded demo registry."""
    del nlu_cache_dir  # exported as CETS_CACHE_DIR: the server loads the session's NLU artifact
    folder = tmp_path_factory.mktemp("public-register")
    database_url = f"sqlite+aiosqlite:///{folder / 'cets.sqlite3'}"
    upgrade_database(database_url)
    certificates = run_async(_seed(database_url))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "TELEGRAM_BOT_TOKEN",
            "MESSENGER_PAGE_ACCESS_TOKEN",
            "CETS_BACKEND_URL",
            "CETS_NLU_URL",
            "MESSENGER_PAGE_ID",
        }
    }
    env.update(
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        CETS_DATA_DIR=str(folder),
        CETS_DATABASE_URL=database_url,
        CETS_HTTP_HOST="127.0.0.1",
        CETS_HTTP_PORT=str(port),
        CETS_PUBLIC_BASE_URL=url,
        TELEGRAM_BOT_USERNAME=BOT_USERNAME,
        MESSENGER_PAGE_USERNAME=MESSENGER_PAGE,
        # The browser and HTTP tests search from one address; the limit has its own test.
        CETS_SEARCHES_PER_MINUTE="100000",
        CETS_SEARCH_BURST="100000",
        CETS_LOG_LEVEL="WARNING",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.web"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(url, process)
        yield DemoRegister(url, database_url, certificates)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[HeadlessChromium]:
    """Debian's Chromium, headless, for the whole session."""
    browser = HeadlessChromium(chromium_or_skip())
    yield browser
    browser.close()
