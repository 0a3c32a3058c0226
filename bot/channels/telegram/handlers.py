"""python-telegram-bot handlers: hand each update to the core and send its replies.

Private chats only: commands, text, files and button presses go to the core as an
:class:`InboundMessage`; inline queries (from any chat) get verification cards. Edited text
messages are answered like new messages (people fix a typo by editing); an edited caption of a
file is ignored, as the file itself was already received. Everything else (channel posts,
reactions, member updates, group messages) matches no handler and is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

from telegram import CallbackQuery, Message, Update, User
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from backend_client import BackendError
from bot.channels.notices import file_too_large
from bot.channels.telegram.application import TelegramApplication
from bot.channels.telegram.commands import COMMAND_PAYLOADS
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.inbound import CHANNEL, from_callback, from_command, from_message
from bot.channels.telegram.inline import inline_article, results_button
from bot.channels.telegram.rendering import escape, send_replies
from bot.core import ConversationCore
from bot.i18n import DEFAULT_LOCALE, normalise_locale, use_locale
from bot.messages import InboundMessage, Reply, TextReply
from bot.metrics import delivery_failed

log = logging.getLogger(__name__)

# Inline results are personal (their language follows the user) and cached briefly, because
# a certificate can be suspended at any time.
INLINE_CACHE_SECONDS: Final = 30

Context = ContextTypes.DEFAULT_TYPE
_PRIVATE_MESSAGES = filters.ChatType.PRIVATE & (
    filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
)
_CONTENT = (
    filters.TEXT
    | filters.PHOTO
    | filters.Document.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.Sticker.ALL
)


class UpdateHandlers:
    """The callbacks registered on the Application; each ends with the replies sent."""

    def __init__(self, config: TelegramConfig, core: ConversationCore) -> None:
        self._config = config
        self._core = core

    def register(self, application: TelegramApplication) -> None:
        """Add every handler to the Application."""
        application.add_handler(
            CommandHandler(list(COMMAND_PAYLOADS), self.on_command, filters=_PRIVATE_MESSAGES)
        )
        application.add_handler(CallbackQueryHandler(self.on_callback_query))
        application.add_handler(InlineQueryHandler(self.on_inline_query))
        application.add_handler(MessageHandler(_PRIVATE_MESSAGES & _CONTENT, self.on_message))

    async def on_command(self, update: Update, context: Context) -> None:
        """A menu command or a deep link (``/start cert_CETS-2025-000001``)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        command = message.text.split()[0].lstrip("/").split("@")[0].lower()
        inbound = from_command(message, user, command, list(context.args or []))
        await self._converse(context, message.chat_id, inbound)

    async def on_message(self, update: Update, context: Context) -> None:
        """Text, a photo, a document, a voice note or a video from the user."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        edited = update.edited_message is not None
        if edited and message.text is None:
            return
        received = await from_message(
            message,
            user,
            context.bot,
            max_download_bytes=self._config.max_download_bytes,
            edited=edited,
        )
        if received.file_refused:
            await self._file_too_large(context, message, user, received.message.text)
            if not received.has_content:
                return
        await self._converse(context, message.chat_id, received.message)

    async def on_callback_query(self, update: Update, context: Context) -> None:
        """A pressed button: answer the query at once, then let the core handle the payload."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except BadRequest:
            # Too old to answer (e.g. handled again after a restart); the press still counts.
            log.info("callback query could no longer be answered")
        if not query.data:
            return
        await self._show_choice(query)
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        await self._converse(context, chat_id, from_callback(query, query.data))

    async def on_inline_query(self, update: Update, context: Context) -> None:
        """``@bot <shop name, page or phone>`` in any chat: verification cards to post there."""
        inline_query = update.inline_query
        if inline_query is None:
            return
        locale = normalise_locale(inline_query.from_user.language_code) or DEFAULT_LOCALE
        try:
            cards = await self._core.shop_cards(inline_query.query, locale)
        except BackendError:
            log.warning("registry lookup for an inline query failed", exc_info=True)
            cards = []
        username = context.bot.username
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
        except BadRequest:
            # Pressed twice, or the message is gone: the choice is still handled.
            log.debug("could not mark the pressed button's message")

    async def _file_too_large(
        self, context: Context, message: Message, user: User, text: str
    ) -> None:
        locale = await self._core.reply_locale(CHANNEL, str(user.id), text, user.language_code)
        with use_locale(locale):
            notice = file_too_large(self._config.max_download_bytes)
        log.info("a file over the download limit was refused")
        await self._send(context, message.chat_id, [TextReply(notice)])

    async def _converse(self, context: Context, chat_id: int, message: InboundMessage) -> None:
        try:
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError:
            log.debug("typing indicator not shown", exc_info=True)
        replies = await self._core.handle(message)
        await self._send(context, chat_id, replies)

    async def _send(self, context: Context, chat_id: int, replies: Sequence[Reply]) -> None:
        try:
            await send_replies(context.bot, chat_id, replies)
        except Forbidden:
            # The user blocked the bot or deleted the chat; there is nobody to answer.
            log.info("a user can no longer be messaged")
            delivery_failed(CHANNEL)
