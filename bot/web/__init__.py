"""The public register on the web: ``/v/<certificate-id>`` and ``/search`` (docs/web.md).

Served by the bot's own HTTP server (:func:`setup_public_register`, called from
``bot.server.build_web_app``, with or without channel tokens), reading the registry only
through the bot's :class:`backend_client.RegistryBackend`. :func:`create_register_app` builds
the same routes over any backend on their own (benchmarks, tests).
"""

from __future__ import annotations

from aiohttp import web

from backend_client import RegistryBackend
from bot.web.config import RegisterConfig
from bot.web.handlers import REGISTER_KEY, PublicRegister, add_routes

__all__ = ["REGISTER_KEY", "RegisterConfig", "create_register_app", "setup_public_register"]


def setup_public_register(app: web.Application, config: RegisterConfig | None = None) -> None:
    """Add the register's routes to the bot's server, reading through the runtime's backend.

    Settings are read here (``RegisterConfig.from_env``), so a bad one stops the server before
    it listens; the backend is bound once the runtime has started.
    """
    from bot.server import RUNTIME_KEY

    settings = config or RegisterConfig.from_env()

    async def bind_backend(app: web.Application) -> None:
        app[REGISTER_KEY] = PublicRegister.create(app[RUNTIME_KEY].backend, settings)

    app.on_startup.append(bind_backend)
    add_routes(app.router)


def create_register_app(backend: RegistryBackend, config: RegisterConfig) -> web.Application:
    """An application serving only the register over ``backend`` (which the caller closes)."""
    app = web.Application()
    app[REGISTER_KEY] = PublicRegister.create(backend, config)
    add_routes(app.router)
    return app
