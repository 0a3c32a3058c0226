"""PDF documents: recognised by their header, opened with pypdf to prove they can be read."""

from __future__ import annotations

import logging
from io import BytesIO
from typing import Final

from bot.intake.refusals import FileRefused, RefusalReason

PDF_MIME_TYPE: Final = "application/pdf"
PDF_EXTENSION: Final = ".pdf"
_HEADER: Final = b"%PDF-"
_TRAILER_WINDOW: Final = 2048  # "%%EOF" must be near the end; readers tolerate trailing junk

log = logging.getLogger(__name__)


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` claims to be a PDF (it starts with ``%PDF-``)."""
    return data.startswith(_HEADER)


def check_pdf(data: bytes) -> int:
    """The number of pages of a readable PDF; FileRefused when it is damaged or locked.

    Nothing is rendered and no content stream is decompressed: pypdf reads the cross-reference
    table and the page tree only.
    """
    if not is_pdf(data):
        raise FileRefused(RefusalReason.NOT_ACCEPTED, detail="no %PDF- header")
    if b"%%EOF" not in data[-_TRAILER_WINDOW:]:
        raise FileRefused(RefusalReason.DAMAGED, detail="no %%EOF marker: truncated PDF")
    # Imported on the first PDF: pypdf with its AES support takes a quarter of a second to load.
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise FileRefused(RefusalReason.LOCKED, detail="PDF needs a password")
        pages = len(reader.pages)
    except FileRefused:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on malformed files
        log.info("a PDF could not be read: %s", type(exc).__name__)
        raise FileRefused(RefusalReason.DAMAGED, detail=type(exc).__name__) from exc
    if pages == 0:
        raise FileRefused(RefusalReason.DAMAGED, detail="PDF without pages")
    return pages
