"""Running the HTTP server as a service: until SIGTERM or SIGINT, then a clean stop in 10 s.

On the signal the process (1) reports itself draining (``/readyz`` answers 503), (2) stops
listening, so no new webhook call is accepted, (3) lets the inbox events being processed finish
(their turns, their replies) while no new one starts, and (4) stops the channels and closes
the database. Events that had not started stay pending in the database and are processed on
the next start. Each phase has a time limit, so the process exits within
:data:`SHUTDOWN_SECONDS` of the signal even when something hangs.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time
from typing import Final

from aiohttp import web

from bot.lifecycle import LIFECYCLE
from bot.server import PathOnlyAccessLogger, build_web_app
from bot.settings import Settings
from bot.workers.supervisor import listening_site

log = logging.getLogger(__name__)

# From the signal to the exit, at most.
SHUTDOWN_SECONDS: Final = 10.0
# Of which: for the events in flight to finish ...
EVENTS_GRACE_SECONDS: Final = 6.0
# ... and for webhook requests being answered when the channels stop.
HTTP_GRACE_SECONDS: Final = 1.0


async def serve(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    """Serve on ``settings.http_host:http_port`` until SIGTERM/SIGINT, then stop cleanly."""
    LIFECYCLE.reset()
    runner = web.AppRunner(
        build_web_app(settings),
        access_log_class=PathOnlyAccessLogger,
        handle_signals=False,
        shutdown_timeout=HTTP_GRACE_SECONDS,
    )
    await runner.setup()
    # The models, catalogs and knowledge base loaded at start live as long as the process:
    # moved out of the collector's reach, a full collection no longer walks them (which
    # stalled every user for 100 ms or more once the heap was large).
    gc.collect()
    gc.freeze()
    site = listening_site(runner, settings)  # `run --workers N`: the supervisor's socket
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.warning("listening on http://%s:%d", settings.http_host, settings.http_port)
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await _shut_down(runner, site)
        gc.unfreeze()  # let the interpreter's exit free what start-up froze


async def _shut_down(runner: web.AppRunner, site: web.BaseSite) -> None:
    started = time.monotonic()
    LIFECYCLE.start_draining()
    log.warning("stopping: %d events in flight", LIFECYCLE.in_flight)
    await site.stop()
    try:
        async with asyncio.timeout(EVENTS_GRACE_SECONDS):
            await LIFECYCLE.wait_idle()
    except TimeoutError:
        log.error("%d events still in flight; stopping anyway", LIFECYCLE.in_flight)
    remaining = SHUTDOWN_SECONDS - (time.monotonic() - started) - 0.5
    try:
        async with asyncio.timeout(max(remaining, 0.5)):
            await runner.cleanup()
    except TimeoutError:
        log.error("the channels did not stop in time; exiting anyway")
    log.warning("stopped in %.1f s", time.monotonic() - started)
