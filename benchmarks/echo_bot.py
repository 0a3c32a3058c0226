"""The bare python-telegram-bot echo bot, with the same webhook shape as the CETS bot.

    PYTHONPATH=. .venv/bin/python benchmarks/echo_bot.py --port 8090 --token T \
        --api-base-url http://127.0.0.1:9000/bot --secret S [--rate-limiter]

``POST /telegram/webhook`` checks the secret token, reads the update, answers 200 at once and
processes it afterwards, one update at a time per user in arrival order (as the CETS inbox
does, without storing anything); the handler echoes the text with ``reply_text``. This is the
floor the load benchmark compares the CETS bot with: the same HTTP stack, no conversation.
``--rate-limiter`` adds python-telegram-bot's ``AIORateLimiter`` (Telegram's flood limits).
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import os
import signal
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the message's text back."""
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def main(args: argparse.Namespace) -> None:
    """Serve the echo bot until SIGTERM/SIGINT."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    builder: Any = ApplicationBuilder().token(args.token).updater(None).base_url(args.api_base_url)
    if args.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter())
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    await application.initialize()
    tails: dict[int, asyncio.Task[None]] = {}

    async def after(previous: asyncio.Task[None] | None, update: Update) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        await application.process_update(update)

    async def webhook(request: web.Request) -> web.Response:
        received = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(received.encode(), args.secret.encode()):
            return web.Response(status=403)
        update = Update.de_json(await request.json(), application.bot)
        user = update.effective_user.id if update.effective_user else 0
        task = asyncio.create_task(after(tails.get(user), update))
        tails[user] = task
        task.add_done_callback(
            lambda done: tails.pop(user, None) if tails.get(user) is done else None
        )
        return web.Response(status=200)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/telegram/webhook", webhook)
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    await application.shutdown()


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--api-base-url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--rate-limiter", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
