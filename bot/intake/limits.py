"""The one size limit for files users send, shared by the channels, the intake and the registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.env import env_positive_int

MAX_FILE_BYTES_VARIABLE: Final = "CETS_MAX_FILE_BYTES"
DEFAULT_MAX_FILE_BYTES: Final = 20 * 1024 * 1024
"""20 MiB: the largest file Telegram's cloud Bot API lets a bot download (getFile)."""
DEFAULT_MAX_IMAGE_PIXELS: Final = 64_000_000
"""Enough for a 48-50 megapixel phone photo; decoded, such an image takes about 200 MB as RGB.

Below Pillow's own ``Image.MAX_IMAGE_PIXELS`` (about 89 million), so this check decides first.
"""


class FileLimitsError(ValueError):
    """A file-limit setting is unusable (the message names the variable, never a secret)."""


@dataclass(frozen=True, slots=True)
class FileLimits:
    """How large a file a user may send, in bytes, and an image, in pixels."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS

    def __post_init__(self) -> None:
        if self.max_file_bytes <= 0 or self.max_image_pixels <= 0:
            raise FileLimitsError("file limits must be positive")

    @classmethod
    def from_env(cls) -> FileLimits:
        """The limits from ``CETS_MAX_FILE_BYTES`` (default 20 MiB)."""
        return cls(
            max_file_bytes=env_positive_int(
                MAX_FILE_BYTES_VARIABLE, DEFAULT_MAX_FILE_BYTES, FileLimitsError
            )
        )

    def lowered(self, override: int | None, variable: str, error: type[Exception]) -> int:
        """A channel's own byte limit: ``override`` may lower the shared limit, never raise it."""
        if override is None:
            return self.max_file_bytes
        if override > self.max_file_bytes:
            raise error(
                f"{variable} ({override} bytes) is above {MAX_FILE_BYTES_VARIABLE} "
                f"({self.max_file_bytes} bytes); it can only lower that limit"
            )
        return override
