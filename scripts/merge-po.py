"""A git merge driver for gettext catalogs: the union of both sides' entries.

Parallel branches each add messages to ``messages.pot`` and the ``.po`` files; a line-based
merge conflicts on every such pair. This driver keeps every entry of both sides; where both
translate the same message differently, the current branch ("ours") wins. Run
``make extract-messages`` after a merge to drop entries the code no longer uses.

Configure once per clone::

    git config merge.po-union.driver "python3 scripts/merge-po.py %A %B"
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def _translated(string: object) -> bool:
    if isinstance(string, tuple):
        return all(string)
    return bool(string)


def merge(ours_path: Path, theirs_path: Path) -> None:
    """Write the union of both catalogs into ``ours_path``."""
    with ours_path.open("rb") as handle:
        ours = read_po(handle)
    with theirs_path.open("rb") as handle:
        theirs = read_po(handle)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None:
            ours[message.id] = message
        elif (not _translated(mine.string) or mine.fuzzy) and _translated(message.string):
            mine.string = message.string
            mine.flags.discard("fuzzy")
    with ours_path.open("wb") as handle:
        write_po(handle, ours, width=100, omit_header=False, sort_output=True)


if __name__ == "__main__":
    merge(Path(sys.argv[1]), Path(sys.argv[2]))
