"""The bot's HTTP server: health check, and an access log that keeps secrets out."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from aiohttp import web

from bot.server import make_runner
from bot.settings import Settings


async def test_healthz_and_access_log_without_query(
    settings: Settings, caplog: pytest.LogCaptureFixture, nlu_engine: object
) -> None:
    runner = make_runner(settings)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        with caplog.at_level(logging.INFO, logger="aiohttp.access"):
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port}/healthz?hub.verify_token=s3cr3t") as response,
            ):
                assert response.status == 200
                assert await response.json() == {"status": "ok"}
    finally:
        await runner.cleanup()
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("GET /healthz 200" in line for line in access), access
    assert not any("s3cr3t" in r.getMessage() for r in caplog.records)
