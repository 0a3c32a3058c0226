"""The bot's one HTTP server: health check and the channels' webhooks, on aiohttp."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

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


async def healthz(request: web.Request) -> web.Response:
    """Liveness and readiness: the runtime is up and the database answers."""
    runtime = request.app[RUNTIME_KEY]
    await runtime.ping()
    return web.json_response({"status": "ok"})


async def _runtime_context(app: web.Application) -> AsyncIterator[None]:
    runtime = await start_runtime(app[SETTINGS_KEY])
    app[RUNTIME_KEY] = runtime
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
    app.router.add_get("/healthz", healthz)
    from bot.web import setup_public_register  # the public register needs no channel token

    setup_public_register(app)
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
