"""Fuzzy name search over an in-memory trigram index of every business's names.

A name search scores the query's trigrams against each name (Latin and Khmer separately) by
:func:`registry.names.score`. Counting the shared trigrams in SQL (a GROUP BY over the
``name_trigrams`` rows of every query trigram) and recomputing the candidates' trigrams in
Python cost 10-15 ms among 10,000 businesses; here each process keeps, per database engine, an
inverted index from trigram to the names holding it, so a search is a count over a few thousand
integers (about a millisecond).

The index follows the database through a generation number: a counter row (``sequences``,
name ``NAMES``) that every change of a business's names increments in the same transaction
(:func:`mark_names_changed`). A search reads the counter (one primary-key lookup) and rebuilds
the index when it moved, whichever process made the change; unchanged names keep their
trigrams from the previous index, so a rebuild costs a read of the names.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from registry.models import Business, SequenceCounter
from registry.names import trigrams

GENERATION = ("NAMES", 0)
"""The ``sequences`` row (name, year) counting changes of business names."""

Grams = tuple[str, ...]
"""A name's distinct trigrams, interned (shared with the index's keys)."""


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Every business name's trigrams, inverted: trigram -> the names (slots) holding it.

    The postings are one numpy array, grouped by trigram (``starts`` delimits each trigram's
    run), so counting what a query shares with every name is a ``bincount`` over the query
    trigrams' runs. Immutable once built: a search in one thread never sees another thread's
    rebuild half done.
    """

    generation: int | None
    columns: dict[str, int]
    """Trigram -> its run in ``postings``."""
    starts: npt.NDArray[np.int64]
    postings: npt.NDArray[np.int32]
    owners: npt.NDArray[np.int64]
    """Slot -> business id (a business has a slot per non-empty name)."""
    sizes: npt.NDArray[np.int64]
    """Slot -> number of trigrams of that name."""
    known: dict[str, Grams]
    """Name -> its trigrams, reused by the next rebuild."""

    @classmethod
    def build(
        cls,
        generation: int | None,
        rows: Iterable[tuple[int, str, str | None]],
        previous: NameIndex | None = None,
    ) -> NameIndex:
        """The index of ``rows`` (business id, name, Khmer name)."""
        reuse = previous.known if previous is not None else {}
        known: dict[str, Grams] = {}
        runs: dict[str, list[int]] = {}
        owners: list[int] = []
        sizes: list[int] = []
        for business_id, *names in rows:
            for name in names:
                if not name:
                    continue
                grams = known.get(name)
                if grams is None:
                    grams = reuse.get(name)
                    if grams is None:
                        grams = tuple(map(sys.intern, trigrams(name)))
                    known[name] = grams
                if not grams:
                    continue
                slot = len(owners)
                owners.append(business_id)
                sizes.append(len(grams))
                for gram in grams:
                    run = runs.get(gram)
                    if run is None:
                        runs[gram] = [slot]
                    else:
                        run.append(slot)
        lengths = np.fromiter((len(run) for run in runs.values()), np.int64, len(runs))
        starts = np.zeros(len(runs) + 1, np.int64)
        np.cumsum(lengths, out=starts[1:])
        flat = np.fromiter(
            (slot for run in runs.values() for slot in run), np.int32, int(starts[-1])
        )
        return cls(
            generation,
            {gram: column for column, gram in enumerate(runs)},
            starts,
            flat,
            np.array(owners, np.int64),
            np.array(sizes, np.int64),
            known,
        )

    def search(
        self, query: frozenset[str], *, least: int, min_score: float, limit: int
    ) -> list[tuple[int, float]]:
        """The ``limit`` best (business id, score) among businesses with a name sharing at
        least ``least`` of the query's trigrams and scoring at least ``min_score`` (by
        :func:`registry.names.score`, the better of its names): best first, then by id."""
        columns = [self.columns[gram] for gram in query if gram in self.columns]
        if not columns:
            return []
        starts = self.starts
        held = np.concatenate([self.postings[starts[c] : starts[c + 1]] for c in columns])
        shared = np.bincount(held, minlength=len(self.owners))
        slots = np.flatnonzero(shared >= least)
        counts = shared[slots]
        size = len(query)
        # registry.names.score, on every candidate at once
        values = 2 * counts / (size + self.sizes[slots])
        if size >= 4:
            values = np.maximum(values, 0.9 * (counts / size))
        kept = values >= min_score
        owners, values = self.owners[slots[kept]], values[kept]
        ranked = np.lexsort((owners, -values))
        _, first = np.unique(owners[ranked], return_index=True)
        best = ranked[np.sort(first)[:limit]]
        return list(zip(owners[best].tolist(), values[best].tolist(), strict=True))


_indexes: weakref.WeakKeyDictionary[Engine, NameIndex] = weakref.WeakKeyDictionary()


def _engine(executor: Session | Connection) -> Engine:
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    return bind.engine


@cache
def _generation_statement() -> Select[int]:
    name, year = GENERATION
    return select(SequenceCounter.last_value).where(
        SequenceCounter.name == name, SequenceCounter.year == year
    )


@cache
def _names_statement() -> Select[int, str, str | None]:
    return select(Business.id, Business.name, Business.name_km)


def current_index(executor: Session | Connection) -> NameIndex:
    """The name index of the database ``executor`` reads, rebuilt if the names changed."""
    generation = executor.execute(_generation_statement()).scalar_one_or_none()
    engine = _engine(executor)
    index = _indexes.get(engine)
    if index is None or index.generation != generation:
        rows = executor.execute(_names_statement())
        index = NameIndex.build(generation, rows, index)
        _indexes[engine] = index
    return index


async def mark_names_changed(session: AsyncSession) -> None:
    """Count a change of business names, in the caller's transaction (every process's index
    is rebuilt at its next search)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    name, year = GENERATION
    await session.execute(
        insert(SequenceCounter)
        .values(name=name, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=[SequenceCounter.name, SequenceCounter.year],
            set_={"last_value": SequenceCounter.last_value + 1},
        )
    )
