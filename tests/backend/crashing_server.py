"""A reference server that stops answering at a chosen moment of one kind of request.

Run by test_crash_retry.py as a subprocess, which prints ``HANGING`` when the moment comes and
then kills the process with SIGKILL: a real crash in the middle of the request.
``CETS_TEST_HANG_PATH_SUFFIX`` picks the POST (e.g. ``/applications`` or ``/submit``),
``CETS_TEST_HANG_MOMENT`` is ``before_handler`` (nothing stored yet) or ``after_commit`` (stored,
answer never sent).
"""

from __future__ import annotations

import asyncio
import os

from aiohttp import web
from aiohttp.typedefs import Handler

from registry.http_server import ServerConfig, serve


@web.middleware
async def hang(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Hang on the chosen request, before it is handled or after its transaction committed."""
    suffix = os.environ["CETS_TEST_HANG_PATH_SUFFIX"]
    if request.method != "POST" or not request.path.endswith(suffix):
        return await handler(request)
    if os.environ["CETS_TEST_HANG_MOMENT"] == "before_handler":
        print("HANGING", flush=True)
        await asyncio.sleep(3600)
    response = await handler(request)  # the store has committed when this returns
    print("HANGING", flush=True)
    await asyncio.sleep(3600)
    return response


def main() -> None:
    """Serve on the port in CETS_REGISTRY_PORT (0: any) until killed."""
    config = ServerConfig(
        database_url=os.environ["CETS_DATABASE_URL"],
        bot_token=os.environ["CETS_REGISTRY_BOT_TOKEN"],
        officer_token=os.environ["CETS_REGISTRY_OFFICER_TOKEN"],
    )
    asyncio.run(
        serve(
            config,
            "127.0.0.1",
            int(os.environ.get("CETS_REGISTRY_PORT", "0")),
            middlewares=[hang],
            on_ready=lambda url: print(f"registry listening on {url}", flush=True),
        )
    )


if __name__ == "__main__":
    main()
