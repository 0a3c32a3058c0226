"""``GET /healthz`` (liveness) and ``GET /readyz`` (readiness) of the bot's HTTP server.

Liveness answers at once without touching anything: the event loop runs. Readiness checks what
a turn needs (the database, the registry, the NLU), each within a short time limit, and fails
while the process is draining after SIGTERM, so traffic goes to other workers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from bot.lifecycle import LIFECYCLE
from bot.runtime import BotRuntime

log = logging.getLogger(__name__)

# How long each readiness check may take.
CHECK_SECONDS: Final = 2.0


async def liveness(request: web.Request) -> web.Response:
    """``GET /healthz``: the process is up and its event loop answers."""
    return web.json_response({"status": "ok"})


async def _check(name: str, probe: Callable[[], Awaitable[object]]) -> str:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await probe()
    except Exception as exc:
        log.warning("readiness check %s failed: %s", name, type(exc).__name__)
        return f"failed ({type(exc).__name__})"
    return "ok"


async def readiness_checks(runtime: BotRuntime) -> dict[str, str]:
    """The result of every check: ``ok`` or ``failed (...)``."""

    async def registry() -> object:
        return await runtime.backend.status_changes_since(0, limit=1)

    async def nlu() -> object:
        return await runtime.nlu.parse("hello")

    names = ("database", "registry", "nlu")
    results = await asyncio.gather(
        _check("database", runtime.ping), _check("registry", registry), _check("nlu", nlu)
    )
    return dict(zip(names, results, strict=True))


def readiness_route(
    runtime_of: Callable[[web.Request], BotRuntime],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The ``GET /readyz`` handler, reading the runtime with ``runtime_of``."""

    async def readiness(request: web.Request) -> web.Response:
        checks = await readiness_checks(runtime_of(request))
        if LIFECYCLE.draining:
            checks["serving"] = "draining"
        ready = all(result == "ok" for result in checks.values())
        body = {"status": "ok" if ready else "unavailable", "checks": checks}
        return web.json_response(body, status=200 if ready else 503)

    return readiness
