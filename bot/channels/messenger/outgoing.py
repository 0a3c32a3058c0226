"""One Send API message as rendered: the ``message`` object, and a file to upload with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FileUpload:
    """A file sent with the message as multipart ``filedata``."""

    filename: str
    mime_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """The Send API ``message`` object of one message, plus its file if it uploads one."""

    message: dict[str, Any]
    upload: FileUpload | None = None

    @property
    def text(self) -> str | None:
        """The plain text of a text message (None for templates and files)."""
        text = self.message.get("text")
        return text if isinstance(text, str) else None
