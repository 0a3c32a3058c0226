"""What the intake tells about a stored file; form drafts keep it as JSON."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Final, Literal, get_args

FileKind = Literal["image", "pdf"]
_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_EXTENSION_ALIASES: Final = {".jpg": {".jpg", ".jpeg", ".jpe", ".jfif"}}
_LOOKS_LIKE_EXTENSION: Final = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}")
MAX_FILENAME_CHARS: Final = 255


def is_sha256(value: str) -> bool:
    """Whether ``value`` is a sha256 in lowercase hex, as the intake keys files."""
    return _SHA256.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file the intake keeps: its sha256 (the key), kind, MIME type, size and name.

    The name is the one the user sent it with, without folders, with the extension of what it
    really is (a PNG named ``scan.pdf`` is ``scan.png``).
    """

    sha256: str
    kind: FileKind
    mime_type: str
    size: int
    filename: str

    def to_json(self) -> dict[str, str | int]:
        """A JSON-ready form of this file (for a form draft's answers)."""
        return {
            "sha256": self.sha256,
            "kind": self.kind,
            "mime_type": self.mime_type,
            "size": self.size,
            "filename": self.filename,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredFile:
        """The file :meth:`to_json` described; ValueError when ``data`` is not such a form."""
        sha256, kind = data.get("sha256"), data.get("kind")
        mime_type, size, filename = data.get("mime_type"), data.get("size"), data.get("filename")
        if not isinstance(sha256, str) or not is_sha256(sha256):
            raise ValueError("a stored file needs a sha256 in lowercase hex")
        if kind not in get_args(FileKind):
            raise ValueError(f"unknown stored file kind {kind!r}")
        checked: FileKind = "image" if kind == "image" else "pdf"
        if not isinstance(mime_type, str) or not isinstance(filename, str):
            raise ValueError("a stored file needs a mime_type and a filename")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ValueError("a stored file needs a positive size")
        return cls(sha256, checked, mime_type, size, filename)


def safe_filename(name: str, extension: str, fallback_stem: str) -> str:
    """``name`` without folders or control characters, ending in the file's real extension."""
    base = PureWindowsPath(PurePosixPath(unicodedata.normalize("NFC", name)).name).name
    base = "".join(char for char in base if char.isprintable()).strip().strip(".")
    stem, suffix = base, ""
    dot = base.rfind(".")
    if dot > 0 and _LOOKS_LIKE_EXTENSION.fullmatch(base[dot:]):
        stem, suffix = base[:dot].rstrip(), base[dot:].lower()
    if suffix in _EXTENSION_ALIASES.get(extension, {extension}):
        extension = base[dot:]  # the user's own spelling of the right extension (.jpeg)
    stem = stem or fallback_stem
    return stem[: MAX_FILENAME_CHARS - len(extension)] + extension
