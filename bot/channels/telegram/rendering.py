"""Render the core's replies as Telegram messages: HTML-escaped, split, with inline keyboards."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, InputFile, ReplyKeyboardMarkup
from telegram.constants import ParseMode

from bot.channels.graphemes import text_length
from bot.channels.telegram.keyboard import contact_keyboard, inline_keyboard
from bot.channels.telegram.text_split import CAPTION_LIMIT, split_text
from bot.messages import CardReply, FileReply, Reply, TextReply

log = logging.getLogger(__name__)


def escape(text: str) -> str:
    """Text made safe for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def card_text(card: CardReply) -> str:
    """A card as plain text: the title, the subtitle, then the link if any."""
    lines = [card.title, card.subtitle]
    if card.url:
        lines.append(card.url)
    return "\n".join(line for line in lines if line)


def html_pieces(reply: TextReply | CardReply) -> list[str]:
    """The HTML messages one text or card reply becomes (a card's title in bold)."""
    if isinstance(reply, TextReply):
        return [escape(piece) for piece in split_text(reply.text)]
    pieces = split_text(card_text(reply))
    first = pieces[0]
    if reply.title and first.startswith(reply.title):
        pieces[0] = f"<b>{escape(reply.title)}</b>{escape(first[len(reply.title) :])}"
        return [pieces[0], *(escape(piece) for piece in pieces[1:])]
    return [escape(piece) for piece in pieces]


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    """One Bot API message a reply becomes: HTML text with a keyboard, or a document."""

    text: str = ""
    keyboard: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
    document: FileReply | None = None


def telegram_messages(reply: Reply) -> list[TelegramMessage]:
    """The messages one reply becomes, in order; buttons go under the last piece of a text."""
    if isinstance(reply, FileReply):
        caption = reply.caption if text_length(reply.caption) <= CAPTION_LIMIT else ""
        messages = [TelegramMessage(escape(caption), document=reply)]
        if reply.caption and not caption:
            # Too long for a caption: the text follows the file as ordinary messages.
            messages += telegram_messages(TextReply(reply.caption))
        return messages
    pieces = [piece for piece in html_pieces(reply) if piece.strip()]
    if not pieces:
        log.warning("empty %s reply not sent", type(reply).__name__)
        return []
    keyboard = inline_keyboard(reply.buttons)
    messages = [
        TelegramMessage(piece, keyboard if number == len(pieces) else None)
        for number, piece in enumerate(pieces, 1)
    ]
    contact = contact_keyboard(reply.buttons)
    if contact is not None:
        # A message keeps one keyboard: the inline buttons stay with the text, the "share my
        # phone" button comes with a message of its own (its label says what it does).
        label = next(b.label for b in reply.buttons if b.kind == "contact")
        messages.append(TelegramMessage(escape(label), contact))
    return messages


def rendered(replies: Sequence[Reply]) -> list[TelegramMessage]:
    """Every message the replies become, in order (what a send counts)."""
    return [message for reply in replies for message in telegram_messages(reply)]


async def send_message(bot: Bot, chat_id: int, message: TelegramMessage) -> None:
    """Send one rendered message."""
    if message.document is not None:
        await bot.send_document(
            chat_id,
            InputFile(message.document.data, filename=message.document.filename),
            caption=message.text or None,
            parse_mode=ParseMode.HTML if message.text else None,
        )
        return
    await bot.send_message(
        chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=message.keyboard
    )


async def send_replies(bot: Bot, chat_id: int, replies: Sequence[Reply]) -> None:
    """Send the replies to one message, in order."""
    for message in rendered(replies):
        await send_message(bot, chat_id, message)
