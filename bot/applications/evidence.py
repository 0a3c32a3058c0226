"""Evidence for a criterion or a document: photos, screenshots, PDFs, links or a written answer.

An evidence answer is a list of items, each a JSON object of one of these shapes:

- a file checked and stored by the intake: ``{"sha256", "kind", "mime_type", "size", "filename"}``;
- a file the registry already holds (reopened application): the same plus ``"evidence_id"``;
- a link: ``{"url": "https://..."}``;
- a written answer: ``{"text": "..."}`` (e.g. how sales are recorded).

Files go to the registry as evidence files; links and written answers as the criterion's (or
document's) written answer, one per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from bot.dialogue.state import JsonValue
from bot.forms import Accept, FieldInput, FormContext, Parsed
from bot.forms.escape import reads_as_question
from bot.i18n import _, ngettext

MIN_WRITTEN: Final = 30
MAX_WRITTEN: Final = 1500
MAX_LINK_CONTEXT: Final = 40
_URL: Final = re.compile(
    r"(?<![@\w.])((?:https?://)?(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
    r"(?::\d{2,5})?(?:/[^\s<>\"']*)?)",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION: Final = ".,;:!?)]}\u17d4\u17d5"


def links_in(text: str) -> list[str]:
    """The links a message holds, with ``https://`` added where the scheme was left out."""
    found: list[str] = []
    for match in _URL.finditer(text):
        link = match.group(1).rstrip(_TRAILING_PUNCTUATION)
        if not link.lower().startswith(("http://", "https://")):
            link = f"https://{link}"
        if link not in found:
            found.append(link)
    return found


def _without_links(text: str) -> str:
    return _URL.sub(" ", text).strip()


def parse_evidence(given: FieldInput, ctx: FormContext) -> Parsed:
    """Links or a written answer typed at an evidence question; files are taken as they are.

    A short message with a link is the link. A question ("is facebook.com/x real?") or a short
    remark is not evidence: it is left for the rest of the bot (None).
    """
    if given.files:
        return None  # the engine keeps the stored files as the answer
    text = given.text.strip()
    if not text:
        return None
    links = links_in(text)
    rest = _without_links(text)
    if links and len(rest) <= MAX_LINK_CONTEXT and not reads_as_question(text):
        return Accept([{"url": link} for link in links])
    if len(text) >= MIN_WRITTEN and not reads_as_question(text):
        return Accept({"text": text[:MAX_WRITTEN]})
    return None


def items_of(value: JsonValue) -> list[dict[str, JsonValue]]:
    """The items of an evidence answer (a list, one item, or nothing)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def is_file(item: dict[str, JsonValue]) -> bool:
    """Whether an item is a file (stored by the intake or held by the registry)."""
    return isinstance(item.get("sha256"), str)


def new_files(items: Iterable[dict[str, JsonValue]]) -> list[dict[str, JsonValue]]:
    """Files the registry does not hold yet (not from a reopened application)."""
    return [item for item in items if is_file(item) and item.get("evidence_id") is None]


def written_lines(items: Iterable[dict[str, JsonValue]]) -> list[str]:
    """Links and written answers, one per line, for the registry's written answer."""
    lines: list[str] = []
    for item in items:
        if isinstance(item.get("url"), str):
            lines.append(str(item["url"]))
        elif isinstance(item.get("text"), str):
            lines.append(str(item["text"]))
    return lines


def items_from_written(text: str) -> list[dict[str, JsonValue]]:
    """The link and written items a stored written answer was made of (reopened application)."""
    items: list[dict[str, JsonValue]] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if " " not in line and line.startswith(("http://", "https://")):
            items.append({"url": line})
        else:
            items.append({"text": line})
    return items


def _one(item: dict[str, JsonValue]) -> str:
    if is_file(item):
        name = item.get("filename")
        return str(name) if name else _("a file")
    if isinstance(item.get("url"), str):
        return str(item["url"])
    text = str(item.get("text", ""))
    return text if len(text) <= 60 else text[:57] + "..."


def counts(items: Sequence[dict[str, JsonValue]]) -> str:
    """A short count of evidence: "2 photos, 1 PDF, 1 link"."""
    files = [i for i in items if is_file(i)]
    photos = sum(1 for i in files if i.get("kind") == "image")
    pdfs = sum(1 for i in files if i.get("kind") == "pdf")
    links = sum(1 for i in items if isinstance(i.get("url"), str))
    texts = sum(1 for i in items if isinstance(i.get("text"), str))
    parts: list[str] = []
    if photos:
        parts.append(ngettext("{count} photo", "{count} photos", photos).format(count=photos))
    if pdfs:
        parts.append(ngettext("{count} PDF", "{count} PDFs", pdfs).format(count=pdfs))
    if len(files) - photos - pdfs:
        others = len(files) - photos - pdfs
        parts.append(ngettext("{count} file", "{count} files", others).format(count=others))
    if links:
        parts.append(ngettext("{count} link", "{count} links", links).format(count=links))
    if texts:
        parts.append(
            ngettext("{count} written answer", "{count} written answers", texts).format(count=texts)
        )
    return ", ".join(parts)


def summary(value: JsonValue, ctx: FormContext) -> str:
    """One item as listed under "So far:", or a whole answer as counted in the review."""
    if isinstance(value, dict):
        return _one(value)
    return counts(items_of(value))
