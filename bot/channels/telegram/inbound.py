"""Telegram updates translated into the core's channel-neutral :class:`InboundMessage`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from telegram import Bot, CallbackQuery, Message, User
from telegram.error import BadRequest

from bot.channels.telegram.commands import command_payload
from bot.channels.telegram.files import (
    FileTooLargeError,
    FileUrlRefusedError,
    download,
    incoming_file,
)
from bot.messages import Attachment, InboundMessage

CHANNEL: Final = "telegram"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Received:
    """A user's message for the core, and whether a file in it was refused as too large."""

    message: InboundMessage
    file_refused: bool = False
    file_unreadable: bool = False
    """Telegram would not hand the file over (an unknown or expired ``file_id``, a file URL
    outside its file host): asking again cannot help, so the user is asked to resend."""

    @property
    def has_content(self) -> bool:
        """True when there is something for the core: text or a file."""
        return bool(self.message.text.strip() or self.message.attachments)


def _without_bot_mention(text: str, bot_username: str) -> str:
    """``/menu@cets_bot`` becomes ``/menu``, so typed navigation commands work in any form."""
    if not text.startswith("/"):
        return text
    command, space, rest = text.partition(" ")
    name, _at, mention = command.partition("@")
    if mention and mention.lower() == bot_username.lower():
        return f"{name}{space}{rest}"
    return text


async def from_message(
    message: Message, user: User, bot: Bot, *, max_download_bytes: int, edited: bool = False
) -> Received:
    """Text (or a caption) and the downloaded file of a message.

    An edited message counts as new text only: its file, if any, arrived with the original.
    """
    text = _without_bot_mention(message.text or message.caption or "", bot.username)
    if not text and message.contact is not None:
        text = message.contact.phone_number  # "share my phone number" arrives as a contact
    incoming = None if edited else incoming_file(message)
    attachments: tuple[Attachment, ...] = ()
    refused = unreadable = False
    if incoming is not None:
        try:
            attachments = (await download(bot, incoming, max_download_bytes),)
        except FileTooLargeError:
            refused = True
        except (BadRequest, FileUrlRefusedError) as exc:
            log.info("a file could not be fetched: %s", exc)
            unreadable = True
    return Received(
        InboundMessage(
            channel=CHANNEL,
            user_id=str(user.id),
            text=text,
            attachments=attachments,
            language_code=user.language_code,
            message_id=str(message.message_id),
        ),
        file_refused=refused,
        file_unreadable=unreadable,
    )


def from_command(
    message: Message, user: User, command: str, arguments: list[str]
) -> InboundMessage:
    """A menu command or deep link as the payload it stands for."""
    return InboundMessage(
        channel=CHANNEL,
        user_id=str(user.id),
        payload=command_payload(command, arguments),
        language_code=user.language_code,
        message_id=str(message.message_id),
    )


def from_callback(query: CallbackQuery, data: str) -> InboundMessage:
    """A pressed button as its payload (the callback data is the payload itself)."""
    return InboundMessage(
        channel=CHANNEL,
        user_id=str(query.from_user.id),
        payload=data,
        language_code=query.from_user.language_code,
        message_id=query.id,
    )
