"""The ``cets-bot`` command: chat in the terminal, run the bot, NLU and registry tools."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.channels import messenger_cli
from bot.channels.terminal import TerminalChat
from bot.database import SchemaNotCurrent, prepare_database
from bot.i18n import SUPPORTED_LOCALES
from bot.logs import configure_logging
from bot.runtime import start_runtime
from bot.settings import Settings
from nlu import cli as nlu_cli
from registry import cli as registry_cli

log = logging.getLogger(__name__)


async def _chat(user_id: str, locale: str | None) -> int:
    settings = Settings.from_env()
    try:
        runtime = await start_runtime(settings)
    except SchemaNotCurrent as exc:
        print(f"cets-bot: {exc}", file=sys.stderr)
        return 2
    runtime.start_background()
    try:
        if locale is not None:
            await runtime.core.set_language("terminal", user_id, locale)
        # Decisions made while the chat was closed are shown first (one round of the feed).
        await runtime.seller.catch_up()
        await TerminalChat(runtime.core, user_id=user_id, deliveries=runtime.deliveries).run()
    finally:
        await runtime.close()
    return 0


def _chat_command(args: argparse.Namespace) -> int:
    return asyncio.run(_chat(args.user, args.lang))


def _run_command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.workers is not None:
        from bot.workers.supervisor import run_workers

        return run_workers(args.workers, settings, migrate=args.migrate, verbose=args.verbose)
    if not settings.has_channel_tokens:
        print(
            "No TELEGRAM_BOT_TOKEN or MESSENGER_PAGE_ACCESS_TOKEN set: starting the terminal chat.",
            file=sys.stderr,
        )
        return asyncio.run(_chat(args.user, None))
    from bot.serving import serve

    try:
        # SIGTERM and SIGINT stop the server cleanly (bot/serving.py).
        asyncio.run(serve(settings))
    except SchemaNotCurrent as exc:
        print(f"cets-bot: {exc}", file=sys.stderr)
        return 2
    return 0


def _worker_count(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError("a number of workers from 1 to 64")
    return int(value)


def _db_upgrade_command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    asyncio.run(prepare_database(settings.database_url))
    print("database is at the newest schema")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand wired in."""
    parser = argparse.ArgumentParser(prog="cets-bot", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True)

    chat = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--lang", choices=SUPPORTED_LOCALES, help="answer in this language")
    chat.add_argument("--user", default="local", help="who you are (keeps your conversation)")
    chat.set_defaults(func=_chat_command)

    run = commands.add_parser("run", help="run the bot on the configured channels")
    run.add_argument("--user", default="local", help="terminal user when no channel is set")
    run.add_argument(
        "--workers",
        type=_worker_count,
        help="run N worker processes on one port (PostgreSQL; see docs/workers.md)",
    )
    run.add_argument(
        "--migrate", action="store_true", help="with --workers: migrate the database first"
    )
    run.set_defaults(func=_run_command)

    db = commands.add_parser("db", help="the bot's database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="create or migrate the tables").set_defaults(
        func=_db_upgrade_command
    )

    nlu_cli.register(commands)
    registry_cli.register(commands)
    messenger_cli.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cets-bot`` console script."""
    args = build_parser().parse_args(argv)
    configure_logging(verbose=args.verbose)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
