"""``cets-bot messenger setup``: set the Page's Get Started button, greeting and menu."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

import aiohttp

from bot.channels.messenger.config import MessengerConfig, MessengerConfigError
from bot.channels.messenger.page_setup import messenger_profile, set_up_page
from bot.channels.messenger.send_api import GraphApiError, GraphClient
from bot.settings import Settings

log = logging.getLogger(__name__)


async def _apply(config: MessengerConfig) -> None:
    timeout = aiohttp.ClientTimeout(total=config.request_timeout_seconds)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await set_up_page(GraphClient(session, config))


def setup_command(args: argparse.Namespace) -> int:
    """Send the Messenger profile to Meta (or print it with --dry-run); the exit code."""
    if args.dry_run:
        print(json.dumps(messenger_profile(), ensure_ascii=False, indent=2))
        return 0
    settings = Settings.from_env()
    try:
        config = MessengerConfig.for_page_setup(settings.messenger_page_access_token)
    except MessengerConfigError as exc:
        print(f"messenger setup: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_apply(config))
    except GraphApiError as exc:
        print(f"messenger setup failed: {exc}", file=sys.stderr)
        return 1
    print("Messenger profile set: Get Started button, greeting and persistent menu (km, en).")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``messenger`` command and its ``setup`` subcommand."""
    messenger = subparsers.add_parser("messenger", help="Facebook Messenger channel tools")
    commands = messenger.add_subparsers(dest="messenger_command", required=True)
    setup = commands.add_parser(
        "setup", help="set the Page's Get Started button, greeting and persistent menu"
    )
    setup.add_argument(
        "--dry-run", action="store_true", help="print the profile instead of sending it"
    )
    setup.set_defaults(func=setup_command)
