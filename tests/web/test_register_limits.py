"""The register's own guards, on an application of its own over real HTTP on loopback: the
per-client search limit, a registry that is down, and the language choice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from backend_client import RegistryBackend
from backend_client.http_client import HttpRegistryBackend
from backend_client.transport import RetryPolicy
from bot.i18n import _, use_locale
from bot.public_links import PublicLinks
from bot.web import RegisterConfig, create_register_app
from bot.web.language import from_accept_language, page_locale
from bot.web.rate_limit import SearchRateLimiter
from registry.database import upgrade_database
from registry.embedded import open_embedded_backend
from tests.web.conftest import free_port


@pytest.fixture
async def backend(tmp_path: Path) -> AsyncIterator[RegistryBackend]:
    """An embedded registry on an empty SQLite file."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.sqlite3'}"
    upgrade_database(url)
    registry = await open_embedded_backend(url)
    yield registry
    await registry.close()


async def serve(backend: RegistryBackend, config: RegisterConfig) -> TestServer:
    """The register alone, listening on a loopback port."""
    server = TestServer(create_register_app(backend, config), host="127.0.0.1")
    await server.start_server()
    return server


async def get(server: TestServer, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of a GET."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.make_url(path), headers=headers) as response,
    ):
        return response.status, dict(response.headers), await response.text()


async def test_each_client_gets_its_own_search_allowance(backend: RegistryBackend) -> None:
    config = RegisterConfig(searches_per_minute=2, search_burst=3, trust_forwarded_for=True)
    server = await serve(backend, config)
    try:
        first_client = {"X-Forwarded-For": "198.51.100.7, 203.0.113.10"}
        statuses = [
            (await get(server, "/search?q=Sokha&lang=en", **first_client))[0] for _ in range(4)
        ]
        status, headers, html = await get(server, "/search?q=Sokha&lang=en", **first_client)
        other_status, _headers, _body = await get(
            server, "/search?q=Sokha", **{"X-Forwarded-For": "198.51.100.7, 203.0.113.11"}
        )
        start_page, _headers, _body = await get(server, "/search", **first_client)
    finally:
        await server.close()
    assert statuses == [200, 200, 200, 429]
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 30
    assert headers["Cache-Control"] == "no-store"
    with use_locale("en"):
        assert _("Too many searches") in html
    assert other_status == 200  # the limit counts the address the proxy saw, per client
    assert start_page == 200  # the empty search box reads nothing and is never limited


async def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(
    backend: RegistryBackend,
) -> None:
    server = await serve(backend, RegisterConfig(searches_per_minute=1, search_burst=1))
    try:
        first, _headers, _body = await get(
            server, "/search?q=Sokha", **{"X-Forwarded-For": "192.0.2.1"}
        )
        second, _headers, _body = await get(
            server, "/search?q=Sokha", **{"X-Forwarded-For": "192.0.2.2"}
        )
    finally:
        await server.close()
    assert (first, second) == (200, 429)


def test_the_allowance_refills_at_the_configured_rate() -> None:
    now = [1000.0]
    limiter = SearchRateLimiter(per_minute=6, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("a"), limiter.acquire("a")] == [0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(10.0)
    now[0] += 10.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("b") == 0.0


def test_the_limiter_forgets_the_longest_idle_clients_first() -> None:
    limiter = SearchRateLimiter(per_minute=1, burst=1, max_clients=2, clock=lambda: 0.0)
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("b") == 0.0
    assert limiter.acquire("a") > 0  # a is now the most recent
    assert limiter.acquire("c") == 0.0  # b is forgotten, not a
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


async def test_a_registry_that_is_down_gives_a_clear_page() -> None:
    unreachable = HttpRegistryBackend(
        f"http://127.0.0.1:{free_port()}",
        "token",
        retry=RetryPolicy(attempts=1, first_delay=0.01),
    )
    server = await serve(unreachable, RegisterConfig())
    try:
        record = await get(server, "/v/CETS-2025-000001?lang=en")
        found = await get(server, "/search?q=012+345+601&lang=en")
    finally:
        await server.close()
        await unreachable.close()
    with use_locale("en"):
        message = _("The register cannot be reached right now")
    for status, headers, html in (record, found):
        assert status == 503
        assert headers["Retry-After"] == "60"
        assert message in html


async def test_served_over_https_browsers_are_told_to_keep_to_it(backend: RegistryBackend) -> None:
    links = PublicLinks(public_base_url="https://verify.cets.example")
    server = await serve(backend, RegisterConfig(links=links))
    try:
        _status, headers, html = await get(server, "/v/CETS-2025-000001")
    finally:
        await server.close()
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert 'content="https://verify.cets.example/v/CETS-2025-000001?lang=km"' in html
    assert "t.me/" not in html  # no bot configured: no buttons pointing nowhere


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("km-KH", "km"),
        ("fr-FR,en;q=0.3,km;q=0.5", "km"),
        ("fr-FR,en;q=0.5,km;q=0", "en"),
        ("de", None),
        ("", None),
        ("en;q=banana", None),
    ],
)
def test_accept_language_is_read_by_quality(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_the_link_wins_over_the_browser_and_khmer_is_the_default() -> None:
    assert page_locale({"lang": "en"}, {"Accept-Language": "km"}) == "en"
    assert page_locale({"lang": "xx"}, {"Accept-Language": "en"}) == "en"
    assert page_locale({}, {}) == "km"
