"""``python -m bot.web``: run the bot's HTTP server (public register, health check, and the
webhooks of any configured channel) even when no channel token is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

from bot.server import serve
from bot.settings import Settings


def main() -> None:
    """Serve on CETS_HTTP_HOST:CETS_HTTP_PORT until interrupted."""
    logging.basicConfig(
        level=os.environ.get("CETS_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(Settings.from_env()))


if __name__ == "__main__":
    main()
