"""One stored Telegram update to the core's message, and the turn that answers it.

Private chats only: commands, text, files and button presses go to the core as an
:class:`InboundMessage`; inline queries (from any chat) get verification cards. Edited text
messages are answered like new messages (people fix a typo by editing); an edited caption of a
file is ignored, as the file itself was already received. The photos of an album (updates
sharing a ``media_group_id``) are collected into one message. Everything else (channel posts,
reactions, member updates, group messages) is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Final, Protocol

from telegram import Bot, CallbackQuery, InlineQuery, Message, Update, User
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, TelegramError

from backend_client import BackendError
from bot.channels.notices import file_not_received, file_too_large
from bot.channels.telegram.commands import COMMAND_PAYLOADS
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.inbound import (
    CHANNEL,
    Received,
    from_callback,
    from_command,
    from_message,
)
from bot.channels.telegram.inline import inline_article, results_button
from bot.channels.telegram.rendering import escape
from bot.handlers.verification import unavailable_card
from bot.i18n import DEFAULT_LOCALE, normalise_locale, use_locale
from bot.inbox import CommitHook, InboundEvent, Inbox, TurnCommit
from bot.messages import Attachment, CardReply, InboundMessage, Reply, TextReply

if TYPE_CHECKING:
    from bot.handoff.telegram import TelegramOfficerDesk

log = logging.getLogger(__name__)

# Inline results are personal (their language follows the user) and cached briefly, because
# a certificate can be suspended at any time.
INLINE_CACHE_SECONDS: Final = 30
# A typing indicator is shown only when the answer takes longer than this.
TYPING_AFTER_SECONDS: Final = 1.0
# However long an album keeps arriving, it is answered after this.
ALBUM_MAX_WAIT: Final = timedelta(seconds=15)
_CONTENT: Final = ("text", "photo", "document", "voice", "audio", "video", "sticker", "contact")


class TurnRunner(Protocol):
    """What the router needs of the conversation core."""

    async def handle(
        self, message: InboundMessage, *, commit: CommitHook | None = None
    ) -> list[Reply]:
        """The replies to one message (``commit`` runs in the transaction saving the turn)."""
        ...

    async def reply_locale(
        self, channel: str, user_id: str, text: str = "", language_code: str | None = None
    ) -> str:
        """The language the core would answer this message in."""
        ...

    async def shop_cards(self, query: str, locale: str) -> list[CardReply]:
        """Verification cards for an inline query."""
        ...


def has_content(message: Message) -> bool:
    """True for the kinds of message the bot answers (not e.g. a location or a poll)."""
    return any(getattr(message, kind, None) for kind in _CONTENT)


def bot_command(message: Message, bot_username: str) -> tuple[str, list[str]] | None:
    """The menu command a message starts with, and its arguments; None for anything else.

    As Telegram marks it: a ``bot_command`` entity at the start, ``/name`` or
    ``/name@this_bot`` (a command for another bot is not ours). Whatever follows the entity,
    even punctuation (``/help?``), does not change the command.
    """
    text = message.text
    entities = message.entities
    if not text or not entities:
        return None
    first = entities[0]
    if first.type != MessageEntityType.BOT_COMMAND or first.offset != 0:
        return None
    name, _at, mention = text[1 : first.length].partition("@")
    if mention and mention.lower() != bot_username.lower():
        return None
    if name.lower() not in COMMAND_PAYLOADS:
        return None
    return name.lower(), text.split()[1:]


@contextlib.asynccontextmanager
async def typing_when_slow(bot: Bot, chat_id: int, after: float) -> AsyncIterator[None]:
    """Show "typing…" if the block is still running after ``after`` seconds.

    A request already on its way is finished, not cut off, and before the replies go out.
    """
    sending = asyncio.Event()

    async def show() -> None:
        await asyncio.sleep(after)
        sending.set()
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError:
            log.debug("typing indicator not shown", exc_info=True)

    task = asyncio.create_task(show(), name="telegram-typing")
    try:
        yield
    finally:
        if not sending.is_set():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class UpdateRouter:
    """Answers one stored update: a turn of the core, an inline answer, or nothing."""

    def __init__(
        self,
        config: TelegramConfig,
        bot: Bot,
        core: TurnRunner,
        inbox: Inbox,
        *,
        typing_after: float = TYPING_AFTER_SECONDS,
        officers: TelegramOfficerDesk | None = None,
    ) -> None:
        self._config = config
        self._bot = bot
        self._core = core
        self._inbox = inbox
        self._typing_after = typing_after
        self._officers = officers

    async def handle(
        self, event: InboundEvent, commit: TurnCommit, update: Update | None = None
    ) -> list[Reply] | None:
        """The replies to send for the update (``update``: already parsed), or None."""
        if update is None:
            update = Update.de_json(event.body, self._bot)
        if self._officers is not None and self._officers.owns(update):
            # The officers' forum: relayed to the user by the handoff, never a turn.
            await self._officers.handle_update(update)
            return None
        if update.inline_query is not None:
            await self._answer_inline(update.inline_query)
            return None
        if update.callback_query is not None:
            return await self._on_callback(update.callback_query, commit)
        message = update.message or update.edited_message
        user = message.from_user if message is not None else None
        if message is None or user is None or message.chat.type != ChatType.PRIVATE:
            return None
        if not has_content(message):
            return None
        edited = update.edited_message is not None
        async with typing_when_slow(self._bot, message.chat_id, self._typing_after):
            command = bot_command(message, self._bot.username)
            if command is not None:
                name, arguments = command
                return await self._converse(from_command(message, user, name, arguments), commit)
            if edited and message.text is None:
                return None
            if message.media_group_id and not edited:
                return await self._on_album(event, message, user, commit)
            received = await from_message(
                message,
                user,
                self._bot,
                max_download_bytes=self._config.max_download_bytes,
                edited=edited,
            )
            return await self._on_received(received, user, commit)

    async def _on_received(self, received: Received, user: User, commit: TurnCommit) -> list[Reply]:
        notices: list[Reply] = []
        if received.file_refused:
            notices.append(await self._file_too_large(user, received.message.text))
        if received.file_unreadable:
            notices.append(await self._notice(user, received.message.text, file_not_received))
        if notices and not received.has_content:
            return notices
        return await self._converse(received.message, commit, notices)

    async def _converse(
        self, message: InboundMessage, commit: TurnCommit, notices: Sequence[Reply] = ()
    ) -> list[Reply]:
        """A turn of the core, committed with the event; notices go before its replies."""
        commit.prefix = list(notices)
        replies = await self._core.handle(message, commit=commit)
        return [*notices, *replies]

    async def _on_callback(self, query: CallbackQuery, commit: TurnCommit) -> list[Reply] | None:
        """A pressed button: answer the query, mark the choice, let the core handle it."""
        try:
            await query.answer()
        except TelegramError:
            # Too old to answer (e.g. handled again after a restart); the press still counts.
            log.info("callback query could no longer be answered")
        if not query.data:
            return None
        await self._show_choice(query)
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        async with typing_when_slow(self._bot, chat_id, self._typing_after):
            return await self._converse(from_callback(query, query.data), commit)

    async def _show_choice(self, query: CallbackQuery) -> None:
        """Mark the pressed button's message with the choice and remove its keyboard."""
        message = query.message
        if not isinstance(message, Message) or message.text is None:
            return
        label = None
        if message.reply_markup is not None:
            for row in message.reply_markup.inline_keyboard:
                for button in row:
                    if button.callback_data == query.data:
                        label = button.text
        if label is None:
            return
        try:
            await message.edit_text(
                f"{message.text_html}\n\n\u203a {escape(label)}",
                parse_mode=ParseMode.HTML,
                reply_markup=None,
            )
        except TelegramError:
            # Pressed twice, or the message is gone: the choice is still handled.
            log.debug("could not mark the pressed button's message")

    async def _answer_inline(self, inline_query: InlineQuery) -> None:
        """``@bot <shop name, page or phone>`` in any chat: verification cards to post there."""
        locale = normalise_locale(inline_query.from_user.language_code) or DEFAULT_LOCALE
        try:
            cards = await self._core.shop_cards(inline_query.query, locale)
        except BackendError:
            log.warning("registry lookup for an inline query failed", exc_info=True)
            with use_locale(locale):
                cards = [unavailable_card()]
        username = self._bot.username
        with use_locale(locale):
            results = [inline_article(card, number, username) for number, card in enumerate(cards)]
            button = results_button()
        try:
            await inline_query.answer(
                results, cache_time=INLINE_CACHE_SECONDS, is_personal=True, button=button
            )
        except BadRequest:
            # Inline queries expire within seconds; a late answer is refused and not needed.
            log.info("inline query expired before it was answered")

    async def _on_album(
        self, event: InboundEvent, first: Message, user: User, commit: TurnCommit
    ) -> list[Reply]:
        """The album's photos, arriving as separate updates, answered as one message."""
        members = await self._album_members(event)
        commit.merged = [member.id for member in members if member.id != event.id]
        text = ""
        attachments: list[Attachment] = []
        refused = unreadable = False
        for member in members:
            update = Update.de_json(member.body, self._bot)
            message = update.message
            if message is None:
                continue
            received = await from_message(
                message, user, self._bot, max_download_bytes=self._config.max_download_bytes
            )
            text = text or received.message.text
            attachments.extend(received.message.attachments)
            refused = refused or received.file_refused
            unreadable = unreadable or received.file_unreadable
        log.info("an album of %d updates handled as one message", len(members))
        combined = Received(
            InboundMessage(
                channel=CHANNEL,
                user_id=str(user.id),
                text=text,
                attachments=tuple(attachments),
                language_code=user.language_code,
                message_id=str(first.message_id),
            ),
            file_refused=refused,
            file_unreadable=unreadable,
        )
        return await self._on_received(combined, user, commit)

    async def _album_members(self, event: InboundEvent) -> list[InboundEvent]:
        """The album's stored updates, once none has arrived for ``album_seconds``."""
        assert event.group_key is not None
        started = self._inbox.clock()
        quiet = timedelta(seconds=self._config.album_seconds)
        while True:
            members = await self._inbox.group(event.channel, event.user_id, event.group_key)
            if all(member.id != event.id for member in members):
                members = [event, *members]
            newest = max(member.received_at or started for member in members)
            now = self._inbox.clock()
            wait = min(newest + quiet, started + ALBUM_MAX_WAIT) - now
            if wait <= timedelta(0):
                return sorted(members, key=lambda member: member.id)
            await asyncio.sleep(wait.total_seconds())

    async def _file_too_large(self, user: User, text: str) -> Reply:
        log.info("a file over the download limit was refused")
        limit = self._config.max_download_bytes
        return await self._notice(user, text, lambda: file_too_large(limit))

    async def _notice(self, user: User, text: str, compose: Callable[[], str]) -> Reply:
        """A notice of the channel itself, in the language the bot would answer in."""
        locale = await self._core.reply_locale(CHANNEL, str(user.id), text, user.language_code)
        with use_locale(locale):
            return TextReply(compose())
