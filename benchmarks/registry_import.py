"""Benchmark: import N registered businesses from CSV (default 10,000) into a fresh database.

    PYTHONPATH=. .venv/bin/python benchmarks/registry_import.py [--count 10000]
        [--database-url postgresql+asyncpg://...]   # default: a fresh SQLite file in a temp dir

Times what ``cets-bot registry import FILE.csv`` does after start-up: read and normalise the CSV,
then create the businesses, identifiers, name index and audit rows in one transaction. The
target is under 10 s for 10,000 businesses.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from registry_dataset import write_csv
from sqlalchemy import text

from registry.csv_import import read_business_csv_file
from registry.database import create_engine, upgrade_database
from registry.embedded import EmbeddedOfficer, open_store


async def _wipe(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def run(url: str, csv_path: Path) -> tuple[float, float, float, int, int]:
    """(seconds parsing, seconds importing, CPU seconds of this process, created, errors)."""
    cpu = time.process_time()
    started = time.perf_counter()
    records, problems = read_business_csv_file(csv_path)
    parsed = time.perf_counter()
    store = await open_store(url)
    try:
        report = await EmbeddedOfficer(store).import_businesses(records, officer="benchmark")
    finally:
        await store.close()
    done = time.perf_counter()
    return (
        parsed - started,
        done - parsed,
        time.process_time() - cpu,
        report.created,
        len(problems) + len(report.errors),
    )


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{scratch}/import.sqlite3"
        if args.database_url:
            asyncio.run(_wipe(url))
        upgrade_database(url)
        csv_path = Path(scratch) / "registered.csv"
        write_csv(csv_path, args.count)
        parse_s, import_s, cpu_s, created, errors = asyncio.run(run(url, csv_path))
    backend = url.split(":", 1)[0]
    total = parse_s + import_s
    print(
        f"backend={backend} businesses={created} errors={errors} "
        f"parse={parse_s:.2f}s import={import_s:.2f}s total={total:.2f}s cpu={cpu_s:.2f}s "
        f"({created / total:,.0f} businesses/s)"
    )
    return 0 if total < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
