"""The CPU part of taking a file: type it from its bytes, clean it, hash what will be stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.intake.images import IMAGE_FORMATS, clean_image
from bot.intake.limits import FileLimits
from bot.intake.pdf import PDF_EXTENSION, PDF_MIME_TYPE, check_pdf, is_pdf
from bot.intake.refusals import FileRefused, RefusalReason
from bot.intake.stored import FileKind


@dataclass(frozen=True, slots=True)
class Sanitised:
    """The bytes to store, what they are and their sha256."""

    kind: FileKind
    mime_type: str
    extension: str
    data: bytes
    sha256: str


def sanitise(data: bytes, limits: FileLimits) -> Sanitised:
    """Check and clean one file (blocking: run it in a worker thread).

    A PDF is kept byte for byte; a photo is decoded and encoded again without metadata.
    Raises :class:`FileRefused` for anything that is not a JPEG, PNG, WebP or PDF, and for a
    file that is empty, over the limits, damaged or locked.
    """
    if not data:
        raise FileRefused(RefusalReason.EMPTY)
    if len(data) > limits.max_file_bytes:
        raise FileRefused(
            RefusalReason.TOO_LARGE, limit=limits.max_file_bytes, detail=f"{len(data)} bytes"
        )
    if is_pdf(data):
        check_pdf(data)
        return Sanitised(
            "pdf", PDF_MIME_TYPE, PDF_EXTENSION, data, hashlib.sha256(data).hexdigest()
        )
    image = clean_image(data, limits.max_image_pixels)
    if len(image.data) > limits.max_file_bytes:
        # Encoding again rarely grows a file; when it does, what would be stored is too large.
        raise FileRefused(
            RefusalReason.TOO_LARGE,
            limit=limits.max_file_bytes,
            detail=f"{len(image.data)} bytes once cleaned",
        )
    mime_type, extension = IMAGE_FORMATS[image.format]
    return Sanitised(
        "image", mime_type, extension, image.data, hashlib.sha256(image.data).hexdigest()
    )
