"""Downloading the files users send, promptly: Meta's attachment URLs expire.

Files are fetched from the CDN URL in the webhook event with the shared session but without
the Page token, read in chunks and stopped as soon as they pass the size limit.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import re
from typing import Final
from urllib.parse import unquote, urlsplit

import aiohttp

from bot.channels.messenger.events import AttachmentRef
from bot.messages import Attachment

log = logging.getLogger(__name__)

_CHUNK: Final = 64 * 1024
_UNSAFE_NAME: Final = re.compile(r"[^\w.\-]+")
_DEFAULT_MIME: Final = {
    "image": "image/jpeg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "file": "application/octet-stream",
}


class AttachmentError(Exception):
    """A file the user sent could not be received."""


class AttachmentTooLarge(AttachmentError):
    """The file is larger than the channel accepts."""


class AttachmentUnavailable(AttachmentError):
    """The file could not be downloaded (expired URL, network failure)."""


def _filename(ref: AttachmentRef, mime_type: str) -> str:
    name = posixpath.basename(unquote(urlsplit(ref.url).path))
    name = _UNSAFE_NAME.sub("_", name).strip("._")[:120]
    if not name:
        name = ref.kind
    if "." not in name:
        name += mimetypes.guess_extension(mime_type) or ""
    return name


async def download_attachment(
    session: aiohttp.ClientSession, ref: AttachmentRef, *, max_bytes: int
) -> Attachment:
    """The file behind ``ref`` with its bytes; raises an :class:`AttachmentError` subclass."""
    if not ref.url.startswith(("https://", "http://")):
        raise AttachmentUnavailable("not an http(s) URL")
    try:
        async with session.get(ref.url, allow_redirects=True) as response:
            if response.status != 200:
                raise AttachmentUnavailable(f"HTTP {response.status}")
            if response.content_length is not None and response.content_length > max_bytes:
                raise AttachmentTooLarge(f"{response.content_length} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentTooLarge(f"more than {max_bytes} bytes")
                chunks.append(chunk)
            mime_type = response.content_type or ""
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise AttachmentUnavailable(type(exc).__name__) from exc
    if not mime_type or mime_type == "application/octet-stream":
        guessed = mimetypes.guess_type(urlsplit(ref.url).path)[0]
        mime_type = guessed or _DEFAULT_MIME[ref.kind]
    data = b"".join(chunks)
    log.debug("downloaded a %s attachment of %d bytes", ref.kind, len(data))
    return Attachment(
        kind=ref.kind,
        filename=_filename(ref, mime_type),
        mime_type=mime_type,
        data=data,
        source_url=None,
    )
