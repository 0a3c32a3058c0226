"""The Telegram channel at run time: accept updates into the inbox, process them through PTB."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

from telegram import Update
from telegram.ext import ContextTypes

from bot.channels.telegram.application import TelegramApplication, build_application
from bot.channels.telegram.commands import register_menu_commands
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.handlers import UpdateHandlers
from bot.channels.telegram.inbound import CHANNEL
from bot.channels.telegram.polling import poll_updates
from bot.inbox import InboundEvent, InboxWorker
from bot.runtime import BotRuntime

log = logging.getLogger(__name__)

# The update types the bot asks Telegram for; anything else that still arrives is ignored.
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query", "inline_query")


class UpdateFailedError(RuntimeError):
    """A handler failed on an update; raised so that the inbox records and retries it."""


class MalformedUpdateError(ValueError):
    """A webhook body that is not a Telegram update."""


def update_kind(update: Update) -> str:
    """The type of an update, e.g. ``message`` or ``channel_post`` (for logs)."""
    for name in Update.ALL_TYPES:
        if getattr(update, name, None) is not None:
            return name
    return "unknown"


def inbox_user_key(update: Update) -> str:
    """Whose queue an update joins: the user, else the chat (channel posts have no user)."""
    if update.effective_user is not None:
        return str(update.effective_user.id)
    if update.effective_chat is not None:
        return f"chat:{update.effective_chat.id}"
    return "-"


class TelegramChannel:
    """Owns the PTB Application, the inbox worker and, without a webhook, the polling task."""

    def __init__(self, config: TelegramConfig, runtime: BotRuntime) -> None:
        self.config = config
        self._runtime = runtime
        self.application: TelegramApplication = build_application(config)
        handlers = UpdateHandlers(config, runtime.core)
        handlers.register(self.application)
        self.application.add_error_handler(self._record_failure)
        self._failures: dict[int, BaseException] = {}
        self._worker = InboxWorker(runtime.inbox, CHANNEL, self._process)
        self._polling: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in (getMe), register the menu, resume pending updates, then receive new ones."""
        await self.application.initialize()
        bot = self.application.bot
        log.info("Telegram bot @%s ready", bot.username)
        await register_menu_commands(bot)
        await self._worker.start()
        if self.config.webhook_url is not None:
            await bot.set_webhook(
                self.config.webhook_url,
                secret_token=self.config.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            log.info("Telegram webhook registered")
        else:
            # getUpdates is refused while a webhook is set; pending updates stay queued.
            await bot.delete_webhook(drop_pending_updates=False)
            self._polling = asyncio.create_task(
                poll_updates(
                    bot,
                    self.accept,
                    poll_seconds=self.config.poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                ),
                name="telegram-polling",
            )
            log.info("Telegram long polling started (no TELEGRAM_WEBHOOK_URL)")

    async def stop(self) -> None:
        """Stop receiving, stop processing (unfinished updates stay pending), log out."""
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
            self._polling = None
        await self._worker.stop()
        await self.application.shutdown()

    async def accept(self, body: dict[str, Any]) -> bool:
        """Store an update in the inbox and queue it; False when it was accepted before."""
        try:
            update = Update.de_json(body, self.application.bot)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MalformedUpdateError("not a Telegram update") from exc
        event = await self._runtime.inbox.accept(
            CHANNEL, str(update.update_id), inbox_user_key(update), body
        )
        if event is None:
            return False
        self._worker.submit(event)
        return True

    async def wait_idle(self) -> None:
        """Wait until every accepted update has been processed."""
        await self._worker.wait_idle()

    async def _process(self, event: InboundEvent) -> None:
        update = Update.de_json(event.body, self.application.bot)
        log.debug("processing %s update %s", update_kind(update), update.update_id)
        await self.application.process_update(update)
        failure = self._failures.pop(update.update_id, None)
        if failure is not None:
            raise UpdateFailedError(f"{update_kind(update)} update failed") from failure

    async def _record_failure(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """PTB hands handler exceptions here; keep them so that :meth:`_process` raises."""
        if isinstance(update, Update) and context.error is not None:
            self._failures[update.update_id] = context.error
        else:
            log.error("Telegram error outside an update", exc_info=context.error)
