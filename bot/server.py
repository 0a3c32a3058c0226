"""The bot's one HTTP server: health checks, metrics and the channels' webhooks, on aiohttp.

The server knows channels only through :class:`bot.channels.base.ChannelSetup` and
:class:`~bot.channels.base.Channel`: it adds each configured channel's routes, starts the
channels once the runtime is open, registers them with the deliveries, and stops them in
reverse order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.app_keys import CHANNELS_KEY, RUNTIME_KEY, SETTINGS_KEY
from bot.channels.base import Channel, ChannelSetup
from bot.channels.registry import configured_channels
from bot.health import liveness, readiness_route
from bot.metrics import INBOX_DEPTH, OUTBOX_DEPTH, metrics_endpoint, register_depth_probe
from bot.queue_depths import pending_events, unsent_deliveries
from bot.runtime import BotRuntime, start_runtime
from bot.settings import Settings
from bot.workers.supervisor import listening_site

log = logging.getLogger(__name__)

__all__ = ["CHANNELS_KEY", "RUNTIME_KEY", "SETTINGS_KEY", "build_web_app", "make_runner", "serve"]


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
    register_depth_probe("outbox", OUTBOX_DEPTH, lambda: unsent_deliveries(runtime.engine))
    yield
    await runtime.close()


def _channels_context(
    setups: Sequence[ChannelSetup],
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(app: web.Application) -> AsyncIterator[None]:
        runtime = app[RUNTIME_KEY]
        started: list[Channel] = []
        app[CHANNELS_KEY] = {}
        try:
            for setup in setups:
                channel = setup.create(app, runtime)
                app[CHANNELS_KEY][channel.name] = channel
                started.append(channel)
                await channel.start()
                runtime.deliveries.register(channel)
            await runtime.deliveries.start()
            runtime.start_background()
            yield
        finally:
            await runtime.deliveries.stop()
            for channel in reversed(started):
                try:
                    await channel.stop()
                except Exception:
                    log.exception("stopping the %s channel failed", channel.name)

    return context


def build_web_app(settings: Settings) -> web.Application:
    """The aiohttp application with every configured channel's routes.

    Channel configuration is read here, so a mistake stops the server before it listens. The
    runtime (database, NLU, core) is opened first and closed last through ``cleanup_ctx``.
    """
    app = web.Application()
    app[SETTINGS_KEY] = settings
    app.router.add_get("/healthz", liveness)
    app.router.add_get("/readyz", readiness_route(_runtime_of))
    app.router.add_get("/metrics", metrics_endpoint)
    from bot.web import setup_public_register  # the public register needs no channel token

    setup_public_register(app)
    setups = configured_channels(settings)
    for setup in setups:
        app.router.add_routes(setup.routes())
    app.cleanup_ctx.append(_runtime_context)
    app.cleanup_ctx.append(_channels_context(setups))
    return app


def make_runner(settings: Settings) -> web.AppRunner:
    """The server's runner, logging requests without their query strings."""
    return web.AppRunner(build_web_app(settings), access_log_class=PathOnlyAccessLogger)


async def serve(settings: Settings) -> None:
    """Run the HTTP server until the task is cancelled (Ctrl-C)."""
    runner = make_runner(settings)
    await runner.setup()
    site = listening_site(runner, settings)  # the supervisor's shared socket, if any
    await site.start()
    log.info("listening on %s", site.name)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
