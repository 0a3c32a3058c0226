"""Read the ministry's CSV of registered e-commerce businesses into import records.

Columns: ``registration_no,name,name_km,category,registered_on,facebook,telegram,website,phone``
and optionally ``payment`` (payment accounts: Bakong ids ``name@bank`` or account numbers at a
bank ``000123456@abaa``, as their KHQR codes show them).
A cell may hold several values separated by ``;`` (two phones, two pages). Dates are ISO
(2024-03-01) or day first (01/03/2024). Rows with problems are reported, not silently dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from backend_client.models import BusinessCategory, BusinessRecord, Identifier, IdentifierKind

COLUMNS = (
    "registration_no",
    "name",
    "name_km",
    "category",
    "registered_on",
    "facebook",
    "telegram",
    "website",
    "phone",
    "payment",
)
IDENTIFIER_COLUMNS = {
    "facebook": IdentifierKind.FACEBOOK,
    "telegram": IdentifierKind.TELEGRAM,
    "website": IdentifierKind.WEBSITE,
    "phone": IdentifierKind.PHONE,
    "payment": IdentifierKind.PAYMENT,
}
_CATEGORY_SYNONYMS = {
    "sole_proprietor": BusinessCategory.SOLE_PROPRIETORSHIP,
    "branch": BusinessCategory.FOREIGN_BRANCH,
    "branch_of_foreign_company": BusinessCategory.FOREIGN_BRANCH,
    "company": BusinessCategory.LEGAL_PERSON,
    "natural_person": BusinessCategory.INDIVIDUAL,
}


def parse_category(raw: str) -> BusinessCategory | None:
    """``Sole proprietorship``, ``sole-proprietorship`` and ``sole_proprietorship`` alike."""
    key = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    if not key:
        return None
    try:
        return BusinessCategory(key)
    except ValueError:
        if key in _CATEGORY_SYNONYMS:
            return _CATEGORY_SYNONYMS[key]
        raise


def parse_date(raw: str) -> date | None:
    """ISO or day-first date; None for an empty cell."""
    text = raw.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def read_rows(rows: Iterable[dict[str, str | None]]) -> tuple[list[BusinessRecord], list[str]]:
    """Records from CSV rows, and a message per rejected row or cell."""
    records, errors = [], []
    for line, row in enumerate(rows, start=2):  # line 1 is the header

        def cell(name: str, row: dict[str, str | None] = row) -> str:
            return (row.get(name) or "").strip()

        if not cell("registration_no") or not cell("name"):
            errors.append(f"line {line}: registration_no and name are required")
            continue
        try:
            category = parse_category(cell("category"))
        except ValueError:
            errors.append(f"line {line}: unknown category {cell('category')!r}; left empty")
            category = None
        try:
            registered_on = parse_date(cell("registered_on"))
        except ValueError as exc:
            errors.append(f"line {line}: {exc}; left empty")
            registered_on = None
        identifiers = tuple(
            Identifier(kind, value.strip(), value.strip())
            for column, kind in IDENTIFIER_COLUMNS.items()
            for value in cell(column).split(";")
            if value.strip()
        )
        records.append(
            BusinessRecord(
                registration_no=cell("registration_no"),
                name=cell("name"),
                name_km=cell("name_km") or None,
                category=category,
                registered_on=registered_on,
                identifiers=identifiers,
            )
        )
    return records, errors


def read_business_csv(text: str) -> tuple[list[BusinessRecord], list[str]]:
    """Parse CSV text (header required); the second list names problems by line."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("registration_no", "name") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [f"the header lacks {', '.join(missing)} (expected {','.join(COLUMNS)})"]
    return read_rows(reader)


def read_business_csv_file(path: Path) -> tuple[list[BusinessRecord], list[str]]:
    """Parse a CSV file (UTF-8, with or without a byte-order mark)."""
    return read_business_csv(path.read_text(encoding="utf-8-sig"))
