"""Fast multi-row inserts of plain values (the CSV import's identifiers and name trigrams).

Hundreds of thousands of two-column rows spend most of their time in SQLAlchemy's per-row
parameter processing; these rows need none, so they go to the driver's ``executemany`` as
tuples, in the driver's own placeholder style.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

CHUNK = 50_000


def _placeholders(paramstyle: str, count: int) -> str:
    if paramstyle == "qmark":
        return ", ".join("?" * count)
    if paramstyle in ("numeric_dollar", "numeric"):
        mark = "$" if paramstyle == "numeric_dollar" else ":"
        return ", ".join(f"{mark}{i}" for i in range(1, count + 1))
    if paramstyle in ("format", "pyformat"):
        return ", ".join(["%s"] * count)
    raise ValueError(f"unsupported paramstyle {paramstyle}")


async def insert_tuples(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (values in ``columns`` order) into ``table``, bypassing the ORM."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    processors = [table.c[c].type.bind_processor(dialect) for c in columns]
    if any(processors):  # e.g. UTC datetimes, JSON: store them exactly as the ORM would
        rows = [
            tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows
        ]
    target = (
        f"INSERT INTO {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(c) for c in columns)}) "
    )
    if dialect.name == "postgresql":
        # One statement per chunk: column arrays unnested server-side (executemany would make
        # a round of Bind/Execute per row).
        types = [table.c[c].type.compile(dialect=dialect) for c in columns]
        statement = target + "SELECT * FROM unnest({})".format(
            ", ".join(f"${i}::{t}[]" for i, t in enumerate(types, start=1))
        )
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            arrays = tuple(list(column) for column in zip(*chunk, strict=True))
            await connection.exec_driver_sql(statement, arrays)
        return
    statement = target + f"VALUES ({_placeholders(str(dialect.paramstyle), len(columns))})"
    for start in range(0, len(rows), CHUNK):
        await connection.exec_driver_sql(statement, list(rows[start : start + CHUNK]))
