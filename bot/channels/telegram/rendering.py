"""Render the core's replies as Telegram messages: HTML-escaped, split, with inline keyboards."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from telegram import Bot, InputFile
from telegram.constants import ParseMode

from bot.channels.graphemes import text_length
from bot.channels.telegram.keyboard import inline_keyboard
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


async def send_reply(bot: Bot, chat_id: int, reply: Reply) -> None:
    """Send one reply to a chat; buttons go under the last message of a split text."""
    if isinstance(reply, FileReply):
        await _send_file(bot, chat_id, reply)
        return
    pieces = [piece for piece in html_pieces(reply) if piece.strip()]
    if not pieces:
        log.warning("empty %s reply not sent", type(reply).__name__)
        return
    keyboard = inline_keyboard(reply.buttons)
    for number, piece in enumerate(pieces, 1):
        await bot.send_message(
            chat_id,
            piece,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if number == len(pieces) else None,
        )


async def _send_file(bot: Bot, chat_id: int, reply: FileReply) -> None:
    caption = reply.caption if text_length(reply.caption) <= CAPTION_LIMIT else ""
    await bot.send_document(
        chat_id,
        InputFile(reply.data, filename=reply.filename),
        caption=escape(caption) or None,
        parse_mode=ParseMode.HTML if caption else None,
    )
    if reply.caption and not caption:
        # Too long for a caption: the text follows the file as ordinary messages.
        await send_reply(bot, chat_id, TextReply(reply.caption))


async def send_replies(bot: Bot, chat_id: int, replies: Sequence[Reply]) -> None:
    """Send the replies to one message, in order."""
    for reply in replies:
        await send_reply(bot, chat_id, reply)
