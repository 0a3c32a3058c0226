"""Catalog upkeep: create missing catalogs and make the English one explicit.

English is the source language, so an English entry's translation is its message id; writing
it out keeps the English catalog complete instead of relying on gettext's fallback.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def fill_english(po_path: Path) -> int:
    """Copy message ids into empty English translations; returns how many were filled."""
    with po_path.open("rb") as handle:
        catalog: Catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    return filled


def main() -> int:
    """Fill the English catalog."""
    filled = fill_english(ROOT / "locales" / "en" / "LC_MESSAGES" / "messages.po")
    print(f"English catalog: {filled} entries filled from their message ids")
    return 0


if __name__ == "__main__":
    sys.exit(main())
