"""A git merge driver for gettext catalogs: a three-way merge per entry.

Parallel branches each add messages to ``messages.pot`` and the ``.po`` files; a line-based
merge conflicts on every such pair. This driver merges entry by entry: entries added on either
side are kept; an entry changed on one side only takes that change; where both sides changed
the same entry differently, the current branch ("ours") wins unless its translation is empty.
Run ``make extract-messages`` after a merge to drop entries the code no longer uses.

Configure once per clone::

    git config merge.po-union.driver "python3 scripts/merge-po.py %O %A %B"
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def _translated(string: object) -> bool:
    if isinstance(string, tuple):
        return all(string)
    return bool(string)


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def merge(base_path: Path, ours_path: Path, theirs_path: Path) -> None:
    """Write the three-way merge of the catalogs into ``ours_path``."""
    base, ours, theirs = _read(base_path), _read(ours_path), _read(theirs_path)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        original = base.get(message.id, message.context)
        if mine is None:
            if original is None or original.string != message.string:
                # Added on their side, or changed there while ours dropped it: keep it.
                ours[message.id] = message
            continue
        theirs_changed = original is None or original.string != message.string
        ours_changed = original is not None and original.string != mine.string
        mine_usable = _translated(mine.string) and not mine.fuzzy
        if theirs_changed and _translated(message.string) and (not ours_changed or not mine_usable):
            mine.string = message.string
            mine.flags.discard("fuzzy")
    with ours_path.open("wb") as handle:
        write_po(handle, ours, width=100, omit_header=False, sort_output=True)


if __name__ == "__main__":
    merge(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
