"""The wizard's answers as a registry draft, and a registry application as the wizard's answers.

Field names are short (they travel in Telegram's 64-byte button payloads): ``c1``..``c9`` hold
the evidence of the 9 criteria, ``db``..``df`` that of documents (b)-(f). Document (a) is the
application itself and (g) the evidence of the criteria, so neither is asked separately.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from backend_client import (
    CRITERIA,
    Application,
    ApplicationDraft,
    BusinessCategory,
    Identifier,
)
from bot.applications.evidence import (
    items_from_written,
    items_of,
    new_files,
    written_lines,
)
from bot.applications.fields import identifier_json, identifier_text, resolved
from bot.dialogue.state import JsonValue

CRITERION_FIELDS: Final = {n: f"c{n}" for n in CRITERIA}
WARRANTY_QUESTION: Final = "c3q"
"""Whether the seller offers warranties at all (criterion 3 applies only if so)."""
ASKED_DOCUMENTS: Final = ("b", "c", "d", "e", "f")
DOCUMENT_FIELDS: Final = {letter: f"d{letter}" for letter in ASKED_DOCUMENTS}
APPLICATION: Final = "_app"
"""Where a reopened flow keeps the id of the application it updates."""
CURRENT: Final = "_cur"
"""Where a reopened flow keeps, per field, what the registry already holds (shown, not resent)."""
NO_WARRANTY: Final = "no"

ACTIVITIES: Final = ("online_retail", "marketplace", "digital_services", "other")
ELIGIBILITY_ACTIVITY: Final = {
    "goods": "online_retail",
    "services": "digital_services",
    "intermediary": "marketplace",
}


def criterion_key(number: int) -> str:
    """The registry's written-answer key of a criterion."""
    return f"criterion_{number}"


def document_key(letter: str) -> str:
    """The registry's written-answer key of a document."""
    return f"document_{letter}"


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A stored file to attach to a criterion or a document."""

    sha256: str
    filename: str
    mime_type: str
    criterion: int | None = None
    document: str | None = None

    @property
    def target(self) -> str:
        """``c4`` or ``db``: what the file is evidence for."""
        return f"c{self.criterion}" if self.criterion is not None else f"d{self.document}"

    def to_json(self) -> dict[str, JsonValue]:
        """The file as JSON (outbox payloads)."""
        return {
            "sha256": self.sha256,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "criterion": self.criterion,
            "document": self.document,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> EvidenceFile:
        """A file read back from :meth:`to_json`."""
        criterion = data.get("criterion")
        document = data.get("document")
        return cls(
            sha256=str(data["sha256"]),
            filename=str(data["filename"]),
            mime_type=str(data["mime_type"]),
            criterion=int(criterion) if isinstance(criterion, int) else None,
            document=str(document) if isinstance(document, str) else None,
        )


def _text(answers: dict[str, JsonValue], name: str) -> str | None:
    value = resolved(answers, name)
    return value if isinstance(value, str) and value else None


def _evidence_answers(
    answers: dict[str, JsonValue], fields: Iterable[str] | None
) -> tuple[dict[str, str], list[EvidenceFile]]:
    """Written answers (links, texts) by registry key, and the new files, of the evidence fields."""
    wanted = None if fields is None else set(fields)
    written: dict[str, str] = {}
    files: list[EvidenceFile] = []
    held = answers.get(CURRENT)
    current: dict[str, JsonValue] = held if isinstance(held, dict) else {}
    targets: list[tuple[str, str, int | None, str | None]] = [
        (field, criterion_key(n), n, None) for n, field in CRITERION_FIELDS.items()
    ] + [(field, document_key(letter), None, letter) for letter, field in DOCUMENT_FIELDS.items()]
    for field, key, criterion, document in targets:
        if wanted is not None and field not in wanted:
            continue
        items = items_of(current.get(field)) + items_of(answers.get(field))
        lines = written_lines(items)
        if criterion == 3 and answers.get(WARRANTY_QUESTION) == NO_WARRANTY:
            lines = [NOT_APPLICABLE_WARRANTY]
        if lines:
            written[key] = "\n".join(dict.fromkeys(lines))
        for item in new_files(items_of(answers.get(field))):
            files.append(
                EvidenceFile(
                    sha256=str(item["sha256"]),
                    filename=str(item.get("filename") or "evidence"),
                    mime_type=str(item.get("mime_type") or "application/octet-stream"),
                    criterion=criterion,
                    document=document,
                )
            )
    return written, files


NOT_APPLICABLE_WARRANTY: Final = "Not applicable: no warranties or service guarantees are offered."
"""The written answer of criterion 3 for a seller who offers no warranties (read by officers)."""


def application_draft(
    answers: dict[str, JsonValue], *, fields: Iterable[str] | None = None
) -> tuple[ApplicationDraft, list[EvidenceFile]]:
    """The registry draft and the files to attach, from the wizard's answers.

    ``fields`` limits the draft to those fields (a reopened application changes only what the
    officer asked for); None means the whole form.
    """
    wanted = None if fields is None else set(fields)

    def given(name: str) -> bool:
        return wanted is None or name in wanted

    category = _text(answers, "cat")
    registered = _text(answers, "regd")
    identifiers = answers.get("ids")
    written, files = _evidence_answers(answers, fields)
    draft = ApplicationDraft(
        business_name=_text(answers, "nen") if given("nen") else None,
        business_name_km=_text(answers, "nkm") if given("nkm") else None,
        category=BusinessCategory(category) if category and given("cat") else None,
        registration_no=_text(answers, "reg") if given("reg") else None,
        registered_on=date.fromisoformat(registered) if registered and given("regd") else None,
        address=_text(answers, "addr") if given("addr") else None,
        phone=_text(answers, "tel") if given("tel") else None,
        email=_text(answers, "mail") if given("mail") else None,
        activity_type=_text(answers, "act") if given("act") else None,
        identifiers=(
            tuple(identifier_text(item) for item in identifiers)
            if isinstance(identifiers, list) and given("ids")
            else None
        ),
        code_of_conduct_declared=True,
        answers=written or None,
    )
    return draft, files


# -- a registry application back as answers (request for information, renewal) ------------------


def _identifier_items(identifiers: Sequence[Identifier]) -> list[JsonValue]:
    return [identifier_json(i) for i in identifiers]


def answers_from_application(application: Application) -> dict[str, JsonValue]:
    """The wizard's answers for an application the registry holds (its files as held items)."""
    answers: dict[str, JsonValue] = {APPLICATION: application.application_id}
    plain: dict[str, JsonValue] = {
        "cat": application.category.value if application.category else None,
        "reg": application.registration_no,
        "regd": application.registered_on.isoformat() if application.registered_on else None,
        "nkm": application.business_name_km,
        "nen": application.business_name,
        "addr": application.address,
        "tel": application.phone,
        "mail": application.email,
        "act": application.activity_type,
    }
    answers.update({k: v for k, v in plain.items() if v})
    if application.identifiers:
        answers["ids"] = _identifier_items(application.identifiers)
    current: dict[str, JsonValue] = {}
    for number, field in CRITERION_FIELDS.items():
        items = items_from_written(application.answers.get(criterion_key(number), ""))
        if number == 3 and any(i.get("text") == NOT_APPLICABLE_WARRANTY for i in items):
            answers[WARRANTY_QUESTION] = NO_WARRANTY
            items = []
        elif number == 3:
            answers[WARRANTY_QUESTION] = "yes"
        current[field] = items
    for letter, field in DOCUMENT_FIELDS.items():
        current[field] = items_from_written(application.answers.get(document_key(letter), ""))
    for evidence in application.evidence:
        target = (
            CRITERION_FIELDS.get(evidence.criterion or 0)
            if evidence.criterion is not None
            else DOCUMENT_FIELDS.get(evidence.document or "")
        )
        if target is None:
            continue
        held = current.setdefault(target, [])
        assert isinstance(held, list)
        held.append(
            {
                "evidence_id": evidence.evidence_id,
                "sha256": evidence.sha256,
                "filename": evidence.filename,
                "mime_type": evidence.mime_type,
                "size": evidence.size,
                "kind": "pdf" if evidence.mime_type == "application/pdf" else "image",
            }
        )
    answers[CURRENT] = current
    return answers


# -- which items an officer asks for ------------------------------------------------------------

_CRITERION_WORDS: Final = re.compile(
    r"(?:criteri(?:on|a)|លក្ខណៈវិនិច្ឆ័យ(?:ទី)?|#)\s*((?:\d\s*(?:,|and|&|និង|ឬ|or|\s)\s*)*\d)",
    re.IGNORECASE,
)
_DOCUMENT_WORDS: Final = re.compile(
    r"(?:documents?|ឯកសារ)\s*((?:\(?[a-gកខគឃងចឆ]\)?\s*(?:,|and|&|និង|ឬ|or|\s)\s*)*"
    r"\(?[a-gកខគឃងចឆ]\)?)(?![a-z])",
    re.IGNORECASE,
)
_KHMER_LETTERS: Final = str.maketrans("កខគឃងចឆ", "abcdefg")
_ITEMS_LINE: Final = re.compile(r"^\s*(?:items?|ធាតុ)\s*[:៖]\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_FIELD_WORDS: Final = (
    ("addr", re.compile(r"\baddress\b|អាសយដ្ឋាន", re.IGNORECASE)),
    ("tel", re.compile(r"\bphone\b|ទូរស័ព្ទ", re.IGNORECASE)),
    ("mail", re.compile(r"\be-?mail\b|អ៊ីមែល", re.IGNORECASE)),
    ("ids", re.compile(r"\b(pages?|websites?|handles?|accounts?)\b|គេហទំព័រ", re.IGNORECASE)),
    ("reg", re.compile(r"\bregistration\b|ចុះបញ្ជី", re.IGNORECASE)),
    ("nen", re.compile(r"\bnames?\b|ឈ្មោះ", re.IGNORECASE)),
    ("act", re.compile(r"\bactivity\b|សកម្មភាព", re.IGNORECASE)),
)
_KHMER_DIGITS: Final = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def requested_items(note: str) -> list[str]:
    """The wizard fields an officer's note names: "criterion 4", "documents (b) and (e)", …

    A line ``Items: criterion 4, document (b), address`` (what the officer CLI's ``--item``
    writes, see ``registry.cli.items_line``) is read alone and may also name fields; otherwise
    criteria and documents are found anywhere in the note. An empty list means nothing is
    recognisable (then the whole review is reopened).
    """
    text = note.translate(_KHMER_DIGITS)
    line = _ITEMS_LINE.search(text)
    scope = line.group(1) if line else text
    found: list[str] = []
    for match in _CRITERION_WORDS.finditer(scope):
        for digit in re.findall(r"\d", match.group(1)):
            field = CRITERION_FIELDS.get(int(digit))
            if field is not None:
                if field == CRITERION_FIELDS[3]:
                    found.append(WARRANTY_QUESTION)
                found.append(field)
    for match in _DOCUMENT_WORDS.finditer(scope):
        for letter in re.findall(r"[a-g]", match.group(1).lower().translate(_KHMER_LETTERS)):
            if letter in DOCUMENT_FIELDS:
                found.append(DOCUMENT_FIELDS[letter])
    if line:
        for field, pattern in _FIELD_WORDS:
            if pattern.search(scope):
                found.append(field)
                if field == "nen":
                    found.append("nkm")
                if field == "reg":
                    found.append("regd")
    return list(dict.fromkeys(found))
