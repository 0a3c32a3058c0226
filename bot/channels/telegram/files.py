"""Files users send (photos, documents, voice notes, videos) downloaded into attachments."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Final

from telegram import Bot, Message, PhotoSize
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


def _text(value: object, default: str) -> str:
    """A string field of an update, or ``default`` when it is missing or of another type.

    python-telegram-bot does not check the types of what it parses; a forged or broken update
    may carry a list where a file name should be.
    """
    return value if isinstance(value, str) and value else default


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pixels(size: PhotoSize) -> tuple[int, int]:
    return ((_number(size.width) or 0) * (_number(size.height) or 0), _number(size.file_size) or 0)


def incoming_file(message: Message) -> IncomingFile | None:
    """The file a message carries, if any: the largest size of a photo, or the document."""
    if message.photo:
        photo = max(message.photo, key=_pixels)
        unique = _text(photo.file_unique_id, "unknown")
        return IncomingFile(
            _text(photo.file_id, ""), "image", f"photo-{unique}.jpg", "image/jpeg",
            _number(photo.file_size),
        )  # fmt: skip
    if message.document:
        document = message.document
        mime_type = _text(document.mime_type, "application/octet-stream")
        kind: AttachmentKind = "image" if mime_type.startswith("image/") else "file"
        unique = _text(document.file_unique_id, "unknown")
        filename = _text(document.file_name, f"document-{unique}")
        return IncomingFile(
            _text(document.file_id, ""), kind, filename, mime_type, _number(document.file_size)
        )
    if message.voice:
        voice = message.voice
        unique = _text(voice.file_unique_id, "unknown")
        return IncomingFile(
            _text(voice.file_id, ""), "audio", f"voice-{unique}.ogg",
            _text(voice.mime_type, "audio/ogg"), _number(voice.file_size),
        )  # fmt: skip
    if message.audio:
        audio = message.audio
        unique = _text(audio.file_unique_id, "unknown")
        return IncomingFile(
            _text(audio.file_id, ""), "audio", _text(audio.file_name, f"audio-{unique}"),
            _text(audio.mime_type, "audio/mpeg"), _number(audio.file_size),
        )  # fmt: skip
    if message.video:
        video = message.video
        unique = _text(video.file_unique_id, "unknown")
        return IncomingFile(
            _text(video.file_id, ""), "video", _text(video.file_name, f"video-{unique}.mp4"),
            _text(video.mime_type, "video/mp4"), _number(video.file_size),
        )  # fmt: skip
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
