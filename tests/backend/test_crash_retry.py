"""Kill the reference server in the middle of a creating request: the client's retry (same
idempotency key) must leave exactly one record."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest

from backend_client import ApplicationStatus
from backend_client.http_client import HttpRegistryBackend
from backend_client.models import Application, Owner
from backend_client.transport import RetryPolicy
from registry.database import upgrade_database_async
from registry.embedded import EmbeddedBackend, open_store
from tests.backend.support import (
    BOT_TOKEN,
    ServerProcess,
    complete_draft,
    new_owner,
    new_shop,
    screenshot,
    server_env,
    start_reference_server,
)

pytestmark = pytest.mark.slow


async def _crash_and_restart(
    url: str,
    path_suffix: str,
    moment: str,
    prepare: Callable[[HttpRegistryBackend], Awaitable[str | None]],
    call: Callable[[HttpRegistryBackend, str | None], Awaitable[Application]],
) -> Application:
    env = server_env(url) | {
        "CETS_TEST_HANG_PATH_SUFFIX": path_suffix,
        "CETS_TEST_HANG_MOMENT": moment,
    }
    crashing = await asyncio.to_thread(ServerProcess, ["-m", "tests.backend.crashing_server"], env)
    client = HttpRegistryBackend(
        crashing.url, BOT_TOKEN, retry=RetryPolicy(attempts=12, first_delay=0.2, max_delay=1.0)
    )
    restarted: ServerProcess | None = None
    try:
        prepared = await prepare(client)
        request = asyncio.create_task(call(client, prepared))
        await asyncio.to_thread(crashing.wait_for_line, "HANGING")
        crashing.kill()
        assert crashing.process.returncode == -9
        restarted = await asyncio.to_thread(start_reference_server, url, crashing.port)
        return await asyncio.wait_for(request, timeout=60)
    finally:
        await client.close()
        crashing.stop()
        if restarted is not None:
            restarted.stop()


async def _stored_applications(url: str, owner: Owner) -> tuple[Application, ...]:
    store = await open_store(url)
    try:
        return await EmbeddedBackend(store).list_applications(owner)
    finally:
        await store.close()


@pytest.mark.parametrize("moment", ["after_commit", "before_handler"])
async def test_killed_during_create_then_retried_makes_one_application(
    tmp_path: Path, moment: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.sqlite3'}"
    await upgrade_database_async(url)
    owner, shop = new_owner(), new_shop()

    async def nothing(client: HttpRegistryBackend) -> None:
        return None

    async def create(client: HttpRegistryBackend, _: str | None) -> Application:
        return await client.create_application(owner, complete_draft(shop), fee_quoted=Decimal(100))

    created = await _crash_and_restart(url, "/applications", moment, nothing, create)
    stored = await _stored_applications(url, owner)
    assert [a.application_id for a in stored] == [created.application_id]
    assert stored[0].business_name == shop.name


@pytest.mark.parametrize("moment", ["after_commit", "before_handler"])
async def test_killed_during_submit_then_retried_submits_once(tmp_path: Path, moment: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.sqlite3'}"
    await upgrade_database_async(url)
    owner, shop = new_owner(), new_shop()

    async def draft(client: HttpRegistryBackend) -> str:
        application = await client.create_application(
            owner, complete_draft(shop), fee_quoted=Decimal(100)
        )
        await client.attach_evidence(owner, application.application_id, screenshot(1))
        return application.application_id

    async def submit(client: HttpRegistryBackend, application_id: str | None) -> Application:
        assert application_id is not None
        return await client.submit_application(owner, application_id)

    submitted = await _crash_and_restart(url, "/submit", moment, draft, submit)
    assert submitted.status is ApplicationStatus.SUBMITTED
    (stored,) = await _stored_applications(url, owner)
    assert stored.application_id == submitted.application_id
    assert [h.new_status for h in stored.history] == ["draft", "submitted"]
