"""The bot's one HTTP server: health checks, metrics and the channels' webhooks, on aiohttp."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.health import liveness, readiness_route
from bot.metrics import INBOX_DEPTH, metrics_endpoint, register_depth_probe
from bot.queue_depths import pending_events
from bot.runtime import BotRuntime, start_runtime
from bot.settings import Settings

log = logging.getLogger(__name__)

RUNTIME_KEY: web.AppKey[BotRuntime] = web.AppKey("runtime", BotRuntime)
SETTINGS_KEY: web.AppKey[Settings] = web.AppKey("settings", Settings)


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings or client addresses.

    Query strings carry secrets (Messenger's ``hub.verify_token``) and addresses are personal
    data, so only the method, path, status and duration are logged.
    """

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write one line for a finished request."""
        self.logger.info("%s %s %d %.3fs", request.method, request.path, response.status, time)


def _runtime_of(request: web.Request) -> BotRuntime:
    return request.app[RUNTIME_KEY]


async def _runtime_context(app: web.Application) -> AsyncIterator[None]:
    runtime = await start_runtime(app[SETTINGS_KEY])
    app[RUNTIME_KEY] = runtime
    register_depth_probe("inbox", INBOX_DEPTH, lambda: pending_events(runtime.engine))
    yield
    await runtime.close()


def build_web_app(settings: Settings) -> web.Application:
    """The aiohttp application with every configured channel's routes.

    The runtime (database, NLU, core) is opened first and closed last through ``cleanup_ctx``,
    so channels can rely on it in their own contexts.
    """
    app = web.Application()
    app[SETTINGS_KEY] = settings
    app.cleanup_ctx.append(_runtime_context)
    app.router.add_get("/healthz", liveness)
    app.router.add_get("/readyz", readiness_route(_runtime_of))
    app.router.add_get("/metrics", metrics_endpoint)
    if settings.telegram_bot_token:
        from bot.channels.telegram.setup import setup_telegram

        setup_telegram(app)
    if settings.messenger_page_access_token:
        from bot.channels.messenger.setup import setup_messenger

        setup_messenger(app)
    return app


def make_runner(settings: Settings) -> web.AppRunner:
    """The server's runner, logging requests without their query strings."""
    return web.AppRunner(build_web_app(settings), access_log_class=PathOnlyAccessLogger)


async def serve(settings: Settings) -> None:
    """Run the HTTP server until the task is cancelled (Ctrl-C)."""
    runner = make_runner(settings)
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    await site.start()
    log.info("listening on http://%s:%d", settings.http_host, settings.http_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
