"""The Telegram channel at run time: updates into the inbox, each answered through the core.

Updates arrive on the webhook (or by long polling), are stored in the durable inbox and
acknowledged; the inbox worker hands each user's updates, in order, to the
:class:`~bot.channels.telegram.updates.UpdateRouter`, and sends what it answers through PTB's
``Bot``. There is no PTB ``Application``: the inbox is the one per-user ordering.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.base import Channel, Purpose, SendFailed, SendProgress, SendResult, Sent
from bot.channels.telegram.application import TelegramBot, build_bot
from bot.channels.telegram.commands import register_menu_commands
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.inbound import CHANNEL
from bot.channels.telegram.polling import poll_updates
from bot.channels.telegram.rendering import rendered, send_message
from bot.channels.telegram.updates import UpdateRouter
from bot.handoff.service import SERVICE as HANDOFF
from bot.handoff.telegram import officer_desk
from bot.inbox import InboundEvent, TurnCommit
from bot.messages import Reply
from bot.send_budget import SendBudget, UnlimitedSendBudget, prepaid

if TYPE_CHECKING:
    from bot.runtime import BotRuntime

log = logging.getLogger(__name__)

# The update types the bot asks Telegram for; anything else that still arrives is ignored.
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query", "inline_query")
# Bot API answers that mean the chat is gone for good, whatever is sent.
_UNREACHABLE: Final = ("chat not found", "user is deactivated", "bot was blocked")


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


def album_key(update: Update) -> str | None:
    """The album an update's photo belongs to (its ``media_group_id``), if any."""
    message = update.message
    if message is not None and message.media_group_id:
        return str(message.media_group_id)[:64]
    return None


def send_failure(exc: TelegramError, sent: int) -> SendFailed:
    """What a Bot API error means for the rest of the answer."""
    reason = f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, Forbidden) or (
        isinstance(exc, BadRequest) and any(text in exc.message.lower() for text in _UNREACHABLE)
    ):
        return SendFailed(reason, sent=sent, retryable=False, reachable=False)
    if isinstance(exc, BadRequest):
        return SendFailed(reason, sent=sent, retryable=False)
    return SendFailed(reason, sent=sent, retryable=True)


class TelegramChannel(Channel):
    """The Bot, the inbox worker and, without a webhook, the polling task."""

    name: ClassVar[str] = CHANNEL

    def __init__(self, config: TelegramConfig, runtime: BotRuntime) -> None:
        self.config = config
        self._runtime = runtime
        # The token's send budget: shared by every worker through Redis when configured.
        self._budget: SendBudget = (
            runtime.send_budget("telegram", config.bot_token, config.max_sends_per_second)
            if config.rate_limiter
            else UnlimitedSendBudget()
        )
        self.bot: TelegramBot = build_bot(config, self._budget)
        # The officers' forum for handoffs, when TELEGRAM_OFFICER_CHAT_ID is set.
        self.officers = officer_desk(
            self.bot,
            runtime.core.services.get(HANDOFF),
            max_download_bytes=config.max_download_bytes,
        )
        self._router = UpdateRouter(
            config, self.bot, runtime.core, runtime.inbox, officers=self.officers
        )
        self._worker = runtime.inbox_worker(self)
        self._polling: asyncio.Task[None] | None = None
        # Updates parsed when accepted, until their first processing (each is parsed once).
        self._parsed: dict[int, Update] = {}

    async def start(self) -> None:
        """Log in (getMe), register the menu, resume pending updates, then receive new ones.

        With several workers only the holder of the leader lease registers the menu and the
        webhook, or long-polls (Telegram refuses two getUpdates callers at once).
        """
        await self.bot.initialize()
        log.info("Telegram bot @%s ready", self.bot.username)
        if self.officers is not None:
            self._runtime.deliveries.register(self.officers)
            await self.officers.start()
        await self._worker.start()
        leader = self._runtime.leader
        if leader is not None:
            leader.on_duty("telegram", self._lead)
            return
        await self._register()
        if self.config.webhook_url is None:
            self._polling = asyncio.create_task(self._poll(), name="telegram-polling")
            log.info("Telegram long polling started (no TELEGRAM_WEBHOOK_URL)")

    async def _register(self) -> None:
        """The menu commands, and the webhook (or none, for polling)."""
        await register_menu_commands(self.bot)
        if self.config.webhook_url is not None:
            await self.bot.set_webhook(
                self.config.webhook_url,
                secret_token=self.config.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            log.info("Telegram webhook registered")
        else:
            # getUpdates is refused while a webhook is set; pending updates stay queued.
            await self.bot.delete_webhook(drop_pending_updates=False)

    async def _poll(self) -> None:
        await poll_updates(
            self.bot,
            self.accept,
            poll_seconds=self.config.poll_timeout,
            allowed_updates=ALLOWED_UPDATES,
        )

    async def _lead(self) -> None:
        """The leader's duty: register, then poll until the lease is lost (webhook: done)."""
        await self._register()
        if self.config.webhook_url is None:
            log.info("Telegram long polling started by the leader (no TELEGRAM_WEBHOOK_URL)")
            await self._poll()

    async def stop(self) -> None:
        """Stop receiving, stop processing (unfinished updates stay pending), log out."""
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
            self._polling = None
        if self._runtime.leader is not None:
            await self._runtime.leader.drop_duty("telegram")
        await self._worker.stop()
        if self.officers is not None:
            await self.officers.stop()
        self._parsed.clear()
        await self.bot.shutdown()

    async def accept(self, body: Any) -> int:
        """Store an update in the inbox and queue it; 0 when it was accepted before."""
        try:
            update = Update.de_json(body, self.bot)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MalformedUpdateError("not a Telegram update") from exc
        event = await self._runtime.inbox.accept(
            CHANNEL,
            str(update.update_id),
            inbox_user_key(update),
            body,
            group_key=album_key(update),
        )
        if event is None:
            return 0
        self._parsed[event.id] = update
        self._worker.submit(event)
        return 1

    async def handle_event(self, event: InboundEvent, commit: TurnCommit) -> list[Reply] | None:
        """Answer one stored update (see :class:`UpdateRouter`)."""
        try:
            return await self._router.handle(event, commit, self._parsed.pop(event.id, None))
        finally:
            for merged in commit.merged:  # an album's other photos are never handled apart
                self._parsed.pop(merged, None)

    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        purpose: Purpose = Purpose.REPLY,
        progress: SendProgress | None = None,
    ) -> SendResult:
        """Send the replies to the user's private chat, after the first ``skip`` messages.

        Each message first takes its slot from the token's send budget, then ``progress`` is
        told, then it is sent (so a wait for the budget comes before the message is recorded
        as going out).
        """
        del purpose  # Telegram sends every kind of message the same way
        messages = rendered(replies)
        if not user_id.lstrip("-").isdigit():
            raise SendFailed("not a Telegram chat", sent=skip, retryable=False, reachable=False)
        chat_id = int(user_id)
        for number in range(skip, len(messages)):
            await self._budget.acquire()
            if progress is not None:
                await progress(number + 1)
            try:
                with prepaid():
                    await send_message(self.bot, chat_id, messages[number])
            except TelegramError as exc:
                raise send_failure(exc, number) from exc
        return SendResult(Sent.SENT, max(skip, len(messages)))

    async def wait_idle(self) -> None:
        """Wait until every accepted update has been processed."""
        await self._worker.wait_idle()
