"""Files users send (photos, documents, voice notes, videos) downloaded into attachments."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Final

from telegram import Bot, Message
from telegram.error import BadRequest

from bot.messages import Attachment, AttachmentKind

log = logging.getLogger(__name__)

# The longest a file may take to arrive (getFile and the download together).
DOWNLOAD_SECONDS: Final = 60.0


class FileUrlRefusedError(Exception):
    """getFile answered with a path outside the Bot API's file URL (never fetched)."""


class FileTooLargeError(Exception):
    """The user's file is over the download limit (20 MB on Telegram's cloud Bot API)."""

    def __init__(self, size: int | None, limit: int) -> None:
        super().__init__(f"file of {size} bytes is over the {limit}-byte limit")
        self.size = size
        self.limit = limit


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """What a message says about its file, before downloading it."""

    file_id: str
    kind: AttachmentKind
    filename: str
    mime_type: str
    size: int | None


def incoming_file(message: Message) -> IncomingFile | None:
    """The file a message carries, if any: the largest size of a photo, or the document."""
    if message.photo:
        photo = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
        return IncomingFile(
            photo.file_id,
            "image",
            f"photo-{photo.file_unique_id}.jpg",
            "image/jpeg",
            photo.file_size,
        )
    if message.document:
        document = message.document
        mime_type = document.mime_type or "application/octet-stream"
        kind: AttachmentKind = "image" if mime_type.startswith("image/") else "file"
        filename = document.file_name or f"document-{document.file_unique_id}"
        return IncomingFile(document.file_id, kind, filename, mime_type, document.file_size)
    if message.voice:
        voice = message.voice
        return IncomingFile(
            voice.file_id,
            "audio",
            f"voice-{voice.file_unique_id}.ogg",
            voice.mime_type or "audio/ogg",
            voice.file_size,
        )
    if message.audio:
        audio = message.audio
        return IncomingFile(
            audio.file_id,
            "audio",
            audio.file_name or f"audio-{audio.file_unique_id}",
            audio.mime_type or "audio/mpeg",
            audio.file_size,
        )
    if message.video:
        video = message.video
        return IncomingFile(
            video.file_id,
            "video",
            video.file_name or f"video-{video.file_unique_id}.mp4",
            video.mime_type or "video/mp4",
            video.file_size,
        )
    return None


def check_file_url(bot: Bot, file_path: str | None) -> None:
    """Refuse a file that is not under the Bot API's file URL (unless on a local Bot API).

    python-telegram-bot reads any ``file_path`` that names a file on this machine's disk
    directly; with the cloud Bot API a file must come from its file URL, nowhere else.
    """
    if bot.local_mode:
        return
    prefix = f"{bot.base_file_url}/"
    path = file_path or ""
    if not path.startswith(prefix) or ".." in path[len(prefix) :].split("/"):
        raise FileUrlRefusedError("the file is not under the Bot API file URL")


async def download(bot: Bot, incoming: IncomingFile, limit: int) -> Attachment:
    """Fetch a file through getFile and the file URL; FileTooLargeError when over ``limit``."""
    if incoming.size is not None and incoming.size > limit:
        raise FileTooLargeError(incoming.size, limit)
    async with asyncio.timeout(DOWNLOAD_SECONDS):
        try:
            telegram_file = await bot.get_file(incoming.file_id)
        except BadRequest as exc:
            # The cloud Bot API refuses getFile for files over 20 MB.
            if "too big" in exc.message.lower():
                raise FileTooLargeError(incoming.size, limit) from exc
            raise
        if telegram_file.file_size is not None and telegram_file.file_size > limit:
            raise FileTooLargeError(telegram_file.file_size, limit)
        check_file_url(bot, telegram_file.file_path)
        data = bytes(await telegram_file.download_as_bytearray())
    if len(data) > limit:
        raise FileTooLargeError(len(data), limit)
    log.debug("downloaded a %s of %d bytes", incoming.kind, len(data))
    return Attachment(
        kind=incoming.kind, filename=incoming.filename, mime_type=incoming.mime_type, data=data
    )
