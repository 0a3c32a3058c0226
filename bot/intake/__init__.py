"""File intake: one module for every channel's files (photos and PDFs).

``FileIntake(engine, limits).take(attachment)`` types a file from its content (JPEG, PNG, WebP
or PDF only), refuses decompression bombs and files over the one size limit, strips EXIF (GPS
included) from photos and stores each file once by the sha256 of its stored bytes.
``FileRefused.message()`` tells the user why a file was refused, in the current locale.
"""

from bot.intake.intake import FileIntake, FileNotStored
from bot.intake.limits import FileLimits, FileLimitsError
from bot.intake.refusals import FileRefused, RefusalReason
from bot.intake.stored import FileKind, StoredFile

__all__ = [
    "FileIntake",
    "FileKind",
    "FileLimits",
    "FileLimitsError",
    "FileNotStored",
    "FileRefused",
    "RefusalReason",
    "StoredFile",
]
