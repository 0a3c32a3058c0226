"""Load and validate the CETS knowledge base from the YAML files in the ``kb`` package.

Each file has a ``version``; each fact has a ``source`` ({document, section}); each text has
``km`` and ``en``. Any problem raises :class:`KnowledgeBaseError` naming the file and field.
Nothing is cached here: the caller loads once and keeps the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn, TypeVar

import yaml

from kb.model import (
    CONTACT_KINDS,
    CONTACT_STATUSES,
    BusinessCategory,
    Contact,
    ContactDetail,
    Criterion,
    Eligibility,
    Exclusion,
    FeeSchedule,
    KnowledgeBase,
    LocalizedText,
    Phase,
    Renewal,
    RequiredDocument,
    Source,
    Trustmark,
)

__all__ = ["CATEGORY_KEYS", "KnowledgeBaseError", "load_knowledge_base"]

CATEGORY_KEYS = ("individual", "sole_proprietorship", "legal_person", "foreign_branch")
CRITERIA_COUNT = 9
DOCUMENT_LETTERS = ("a", "b", "c", "d", "e", "f", "g")
PHASE_COUNT = 3
SHORT_TEXT_MAX = 20  # Messenger quick-reply titles; counted in code points, the strictest unit
TITLE_MAX = 60

_KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

_T = TypeVar("_T")


class KnowledgeBaseError(Exception):
    """The knowledge-base data is missing or invalid; the message names the file and field."""


class _File:
    """One YAML file being read; knows its name so errors can point at it."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        path = directory / name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.fail("", f"file not found in {directory}")
        except (OSError, UnicodeDecodeError) as exc:
            self.fail("", f"cannot read file: {exc}")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            self.fail("", f"invalid YAML: {exc}")
        if not isinstance(data, dict):
            self.fail("", f"expected a mapping at the top level, got {_kind(data)}")
        if "version" not in data:
            self.fail("", "missing field(s): version")
        self.root: dict[str, object] = data
        self.version = self.string(data["version"], "version")

    def fail(self, where: str, problem: str) -> NoReturn:
        """Raise a KnowledgeBaseError about ``where`` in this file."""
        location = f"{self.name}: {where}" if where else self.name
        raise KnowledgeBaseError(f"{location}: {problem}")

    def mapping(self, node: object, where: str, keys: tuple[str, ...]) -> dict[str, object]:
        """Check that ``node`` is a mapping with exactly ``keys`` and return it."""
        if not isinstance(node, dict):
            self.fail(where, f"expected a mapping, got {_kind(node)}")
        missing = [key for key in keys if key not in node]
        if missing:
            self.fail(where, f"missing field(s): {', '.join(missing)}")
        unknown = sorted(str(key) for key in node if key not in keys)
        if unknown:
            self.fail(where, f"unknown field(s): {', '.join(unknown)}")
        return {str(key): value for key, value in node.items()}

    def sequence(self, node: object, where: str) -> list[object]:
        """Check that ``node`` is a non-empty list and return it."""
        if not isinstance(node, list) or not node:
            self.fail(where, f"expected a non-empty list, got {_kind(node)}")
        return node

    def items(self, node: object, where: str, read: Callable[[object, str], _T]) -> tuple[_T, ...]:
        """Read every element of a non-empty list with ``read``."""
        elements = self.sequence(node, where)
        return tuple(read(item, f"{where}[{i}]") for i, item in enumerate(elements))

    def string(self, node: object, where: str) -> str:
        """Check that ``node`` is a non-empty string and return it stripped."""
        if not isinstance(node, str) or not node.strip():
            self.fail(where, f"expected a non-empty string, got {_kind(node)}")
        if _INVISIBLE.search(node):
            self.fail(where, "contains a zero-width or invisible character")
        return node.strip()

    def integer(self, node: object, where: str) -> int:
        """Check that ``node`` is an integer (not a boolean) and return it."""
        if isinstance(node, bool) or not isinstance(node, int):
            self.fail(where, f"expected an integer, got {_kind(node)}")
        return node

    def boolean(self, node: object, where: str) -> bool:
        """Check that ``node`` is true or false and return it."""
        if not isinstance(node, bool):
            self.fail(where, f"expected true or false, got {_kind(node)}")
        return node

    def amount(self, node: object, where: str) -> Decimal:
        """Read a positive money amount or rate, written as an integer or a quoted decimal."""
        # Floats are refused: 37.5 in YAML is a binary float, "37.5" is exact.
        if isinstance(node, bool) or not isinstance(node, int | str):
            self.fail(where, f"expected an integer or a quoted decimal, got {_kind(node)}")
        try:
            value = Decimal(str(node).strip())
        except InvalidOperation:
            self.fail(where, f"not a number: {node!r}")
        if not value.is_finite() or value <= 0:
            self.fail(where, f"must be a positive number, got {node!r}")
        return value

    def text(self, node: object, where: str, max_length: int | None = None) -> LocalizedText:
        """Read a {km, en} pair: Khmer in Khmer script, English without Khmer script."""
        fields = self.mapping(node, where, ("km", "en"))
        km = self.string(fields["km"], f"{where}.km")
        en = self.string(fields["en"], f"{where}.en")
        if not _KHMER.search(km):
            self.fail(f"{where}.km", f"Khmer text contains no Khmer script: {km!r}")
        if _KHMER.search(en):
            self.fail(f"{where}.en", f"English text contains Khmer script: {en!r}")
        if max_length is not None:
            for language, value in (("km", km), ("en", en)):
                if len(value) > max_length:
                    self.fail(
                        f"{where}.{language}",
                        f"{len(value)} characters, at most {max_length} allowed: {value!r}",
                    )
        return LocalizedText(km=km, en=en)

    def texts(self, node: object, where: str) -> tuple[LocalizedText, ...]:
        """Read a non-empty list of {km, en} pairs."""
        return self.items(node, where, self.text)

    def source(self, node: object, where: str) -> Source:
        """Read a {document, section} source reference."""
        fields = self.mapping(node, where, ("document", "section"))
        return Source(
            document=self.string(fields["document"], f"{where}.document"),
            section=self.string(fields["section"], f"{where}.section"),
        )


def _kind(node: object) -> str:
    return "nothing" if node is None else type(node).__name__


def _top(file: _File, keys: tuple[str, ...]) -> dict[str, object]:
    """Check the top-level fields of a file (``version`` is always required)."""
    return file.mapping(file.root, "", ("version", *keys))


def _read_manifest(directory: Path) -> str:
    file = _File(directory, "knowledge_base.yaml")
    _top(file, ())
    return file.version


def _read_trustmark(directory: Path) -> Trustmark:
    file = _File(directory, "trustmark.yaml")
    keys = ("what", "issuer", "voluntary", "legal_basis", "validity", "process")
    f = _top(file, (*keys, "consumer_services", "source"))
    return Trustmark(
        what=file.text(f["what"], "what"),
        issuer=file.text(f["issuer"], "issuer"),
        voluntary=file.text(f["voluntary"], "voluntary"),
        legal_basis=file.texts(f["legal_basis"], "legal_basis"),
        validity=file.text(f["validity"], "validity"),
        process=file.texts(f["process"], "process"),
        consumer_services=file.text(f["consumer_services"], "consumer_services"),
        source=file.source(f["source"], "source"),
    )


def _read_eligibility(directory: Path) -> Eligibility:
    file = _File(directory, "eligibility.yaml")
    f = _top(
        file,
        (
            "summary",
            "eligible_categories",
            "service_provider",
            "intermediary",
            "exclusions",
            "cross_border",
            "licence_advice",
            "source",
        ),
    )

    def exclusion(node: object, where: str) -> Exclusion:
        e = file.mapping(node, where, ("key", "text", "source"))
        return Exclusion(
            key=file.string(e["key"], f"{where}.key"),
            text=file.text(e["text"], f"{where}.text"),
            source=file.source(e["source"], f"{where}.source"),
        )

    categories = file.items(f["eligible_categories"], "eligible_categories", file.string)
    if categories != CATEGORY_KEYS:
        file.fail("eligible_categories", f"expected {list(CATEGORY_KEYS)}, got {list(categories)}")
    return Eligibility(
        summary=file.text(f["summary"], "summary"),
        eligible_categories=categories,
        service_provider=file.text(f["service_provider"], "service_provider"),
        intermediary=file.text(f["intermediary"], "intermediary"),
        exclusions=file.items(f["exclusions"], "exclusions", exclusion),
        cross_border=file.text(f["cross_border"], "cross_border"),
        licence_advice=file.text(f["licence_advice"], "licence_advice"),
        source=file.source(f["source"], "source"),
    )


def _read_categories(directory: Path) -> tuple[BusinessCategory, ...]:
    file = _File(directory, "categories.yaml")
    f = _top(file, ("categories",))

    def category(node: object, where: str) -> BusinessCategory:
        c = file.mapping(node, where, ("key", "name", "short_name", "description", "source"))
        return BusinessCategory(
            key=file.string(c["key"], f"{where}.key"),
            name=file.text(c["name"], f"{where}.name", TITLE_MAX),
            short_name=file.text(c["short_name"], f"{where}.short_name", SHORT_TEXT_MAX),
            description=file.text(c["description"], f"{where}.description"),
            source=file.source(c["source"], f"{where}.source"),
        )

    categories = file.items(f["categories"], "categories", category)
    keys = tuple(c.key for c in categories)
    if keys != CATEGORY_KEYS:
        file.fail("categories", f"expected keys {list(CATEGORY_KEYS)} in order, got {list(keys)}")
    return categories


def _read_fees(directory: Path) -> FeeSchedule:
    file = _File(directory, "fees.yaml")
    f = _top(
        file,
        (
            "status",
            "label",
            "source",
            "currency",
            "fees",
            "validity_years",
            "renewal_percent",
            "waiver",
            "exchange_rate",
            "notes",
        ),
    )
    status = file.string(f["status"], "status")
    if status not in ("proposed", "final"):
        file.fail("status", f"must be 'proposed' or 'final', got {status!r}")
    currency = file.string(f["currency"], "currency")
    if currency != "USD":
        file.fail("currency", f"fees are set in USD, got {currency!r}")

    fee_fields = file.mapping(f["fees"], "fees", CATEGORY_KEYS)
    fees = {key: file.amount(fee_fields[key], f"fees.{key}") for key in CATEGORY_KEYS}

    validity_years = file.integer(f["validity_years"], "validity_years")
    if validity_years < 1:
        file.fail("validity_years", f"must be at least 1, got {validity_years}")
    renewal_percent = file.amount(f["renewal_percent"], "renewal_percent")
    if renewal_percent > 100:
        file.fail("renewal_percent", f"must be at most 100, got {renewal_percent}")

    waiver = file.mapping(f["waiver"], "waiver", ("months_min", "months_max", "active"))
    months_min = file.integer(waiver["months_min"], "waiver.months_min")
    months_max = file.integer(waiver["months_max"], "waiver.months_max")
    if not 0 < months_min <= months_max:
        file.fail("waiver", f"need 0 < months_min <= months_max, got {months_min}-{months_max}")

    rate = file.mapping(f["exchange_rate"], "exchange_rate", ("khr_per_usd", "note"))
    return FeeSchedule(
        status=status,
        label=file.text(f["label"], "label"),
        version=file.version,
        source=file.source(f["source"], "source"),
        currency=currency,
        fees=MappingProxyType(fees),
        validity_years=validity_years,
        renewal_percent=renewal_percent,
        waiver_months_min=months_min,
        waiver_months_max=months_max,
        waiver_active=file.boolean(waiver["active"], "waiver.active"),
        khr_per_usd=file.amount(rate["khr_per_usd"], "exchange_rate.khr_per_usd"),
        exchange_rate_note=file.text(rate["note"], "exchange_rate.note"),
        notes=file.texts(f["notes"], "notes"),
    )


def _read_criteria(directory: Path) -> tuple[Criterion, ...]:
    file = _File(directory, "criteria.yaml")
    f = _top(file, ("criteria",))
    keys = ("number", "title", "short_title", "description", "evidence", "applicable_always")

    def criterion(node: object, where: str) -> Criterion:
        c = file.mapping(node, where, (*keys, "source"))
        return Criterion(
            number=file.integer(c["number"], f"{where}.number"),
            title=file.text(c["title"], f"{where}.title", TITLE_MAX),
            short_title=file.text(c["short_title"], f"{where}.short_title", SHORT_TEXT_MAX),
            description=file.text(c["description"], f"{where}.description"),
            evidence=file.texts(c["evidence"], f"{where}.evidence"),
            applicable_always=file.boolean(c["applicable_always"], f"{where}.applicable_always"),
            source=file.source(c["source"], f"{where}.source"),
        )

    criteria = file.items(f["criteria"], "criteria", criterion)
    numbers = [c.number for c in criteria]
    if numbers != list(range(1, CRITERIA_COUNT + 1)):
        file.fail(
            "criteria",
            f"expected exactly {CRITERIA_COUNT} criteria numbered 1..{CRITERIA_COUNT} in order, "
            f"got {len(criteria)} numbered {numbers}",
        )
    return criteria


def _read_documents(directory: Path) -> tuple[RequiredDocument, ...]:
    file = _File(directory, "documents.yaml")
    f = _top(file, ("documents",))

    def document(node: object, where: str) -> RequiredDocument:
        d = file.mapping(node, where, ("letter", "title", "description", "source"))
        return RequiredDocument(
            letter=file.string(d["letter"], f"{where}.letter"),
            title=file.text(d["title"], f"{where}.title", TITLE_MAX),
            description=file.text(d["description"], f"{where}.description"),
            source=file.source(d["source"], f"{where}.source"),
        )

    documents = file.items(f["documents"], "documents", document)
    letters = tuple(d.letter for d in documents)
    if letters != DOCUMENT_LETTERS:
        file.fail("documents", f"expected letters {list(DOCUMENT_LETTERS)}, got {list(letters)}")
    return documents


def _read_phases(directory: Path) -> tuple[tuple[Phase, ...], LocalizedText]:
    file = _File(directory, "phases.yaml")
    f = _top(file, ("note", "phases"))

    def phase(node: object, where: str) -> Phase:
        p = file.mapping(node, where, ("number", "name", "who", "fee", "source"))
        return Phase(
            number=file.integer(p["number"], f"{where}.number"),
            name=file.text(p["name"], f"{where}.name", TITLE_MAX),
            who=file.text(p["who"], f"{where}.who"),
            fee=file.text(p["fee"], f"{where}.fee"),
            source=file.source(p["source"], f"{where}.source"),
        )

    phases = file.items(f["phases"], "phases", phase)
    numbers = [p.number for p in phases]
    if numbers != list(range(1, PHASE_COUNT + 1)):
        file.fail("phases", f"expected phases numbered 1..{PHASE_COUNT}, got {numbers}")
    return phases, file.text(f["note"], "note")


def _read_obligations(
    directory: Path,
) -> tuple[tuple[LocalizedText, ...], Source, tuple[LocalizedText, ...], Source]:
    file = _File(directory, "obligations.yaml")
    f = _top(file, ("obligations", "penalties"))
    obligations = file.mapping(f["obligations"], "obligations", ("source", "items"))
    penalties = file.mapping(f["penalties"], "penalties", ("source", "items"))
    return (
        file.texts(obligations["items"], "obligations.items"),
        file.source(obligations["source"], "obligations.source"),
        file.texts(penalties["items"], "penalties.items"),
        file.source(penalties["source"], "penalties.source"),
    )


def _read_contacts(directory: Path) -> tuple[Contact, ...]:
    file = _File(directory, "contacts.yaml")
    f = _top(file, ("contacts",))

    def detail(node: object, where: str) -> ContactDetail:
        if not isinstance(node, dict):
            file.fail(where, f"expected a mapping, got {_kind(node)}")
        keys = ("kind", "value", "status") if "value" in node else ("kind", "status")
        d = file.mapping(node, where, keys)
        kind = file.string(d["kind"], f"{where}.kind")
        status = file.string(d["status"], f"{where}.status")
        if kind not in CONTACT_KINDS:
            file.fail(f"{where}.kind", f"must be one of {list(CONTACT_KINDS)}, got {kind!r}")
        if status not in CONTACT_STATUSES:
            file.fail(f"{where}.status", f"must be one of {list(CONTACT_STATUSES)}, got {status!r}")
        value = file.string(d["value"], f"{where}.value") if "value" in d else None
        if status == "to_confirm" and value is not None:
            file.fail(where, "a detail still to confirm has no value yet")
        return ContactDetail(kind=kind, value=value, status=status)

    def contact(node: object, where: str) -> Contact:
        c = file.mapping(node, where, ("key", "name", "role", "details", "source"))
        return Contact(
            key=file.string(c["key"], f"{where}.key"),
            name=file.text(c["name"], f"{where}.name", TITLE_MAX),
            role=file.text(c["role"], f"{where}.role"),
            details=file.items(c["details"], f"{where}.details", detail),
            source=file.source(c["source"], f"{where}.source"),
        )

    return file.items(f["contacts"], "contacts", contact)


def _read_renewal(directory: Path) -> Renewal:
    file = _File(directory, "renewal.yaml")
    f = _top(file, ("validity", "how", "prepare", "source"))
    return Renewal(
        validity=file.text(f["validity"], "validity"),
        how=file.text(f["how"], "how"),
        prepare=file.texts(f["prepare"], "prepare"),
        source=file.source(f["source"], "source"),
    )


def load_knowledge_base(directory: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base from ``directory`` (default: the kb package)."""
    directory = Path(__file__).resolve().parent if directory is None else directory
    phases, phases_note = _read_phases(directory)
    obligations, obligations_source, penalties, penalties_source = _read_obligations(directory)
    return KnowledgeBase(
        version=_read_manifest(directory),
        trustmark=_read_trustmark(directory),
        eligibility=_read_eligibility(directory),
        categories=_read_categories(directory),
        fees=_read_fees(directory),
        criteria=_read_criteria(directory),
        documents=_read_documents(directory),
        phases=phases,
        obligations=obligations,
        penalties=penalties,
        phases_note=phases_note,
        obligations_source=obligations_source,
        penalties_source=penalties_source,
        contacts=_read_contacts(directory),
        renewal=_read_renewal(directory),
    )
