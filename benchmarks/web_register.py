"""Benchmark: the public register's pages among N businesses (default 10,000).

    PYTHONPATH=. .venv/bin/python benchmarks/web_register.py [--count 10000] [--certified 300]
        [--requests 2000] [--database-url postgresql+asyncpg://...]   # default: fresh SQLite

Imports the synthetic register (benchmarks/registry_dataset.py), certifies ``--certified`` of
its businesses through the real application flow (apply, evidence, submit, approve), then
serves the register's routes (the same handlers ``bot.web.setup_public_register`` adds to the
bot's server) over the embedded backend in a separate process on a loopback port, and times
HTTP requests from this process, one after another on a kept-alive connection, each kind in a
run of its own (so the server's CPU time per request can be told too):

- ``GET /v/<id>`` for certified businesses, and for numbers never issued (the fake-badge page);
- ``GET /search?q=`` with identifiers written the ways users write them (every answer is checked
  to carry the right business's green verdict), and with names, exact and misspelt.

Target: p99 under 20 ms for ``/v/`` and for ``/search``. Figures go in docs/web.md.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import aiohttp
from aiohttp import web
from registry_dataset import write_csv
from registry_import import _wipe
from registry_lookup import identifier_queries, percentile, summary

from backend_client import ApplicationDraft, BusinessCategory, EvidenceItem
from bot.web import RegisterConfig, create_register_app
from registry.csv_import import read_business_csv_file
from registry.database import upgrade_database
from registry.embedded import EmbeddedBackend, EmbeddedOfficer, open_store

TARGET_MS = 20.0
PNG = b"\x89PNG\r\n\x1a\n" + bytes(256)


async def prepare(
    url: str, csv_path: Path, rows: list[dict[str, str]], certified: int
) -> dict[str, str]:
    """Import the register and certify some of it: certificate id -> registration number."""
    records, _ = read_business_csv_file(csv_path)
    store = await open_store(url)
    try:
        officer = EmbeddedOfficer(store)
        bot = EmbeddedBackend(store)
        await officer.import_businesses(records, officer="benchmark")
        issued = {}
        for row in random.Random(11).sample(rows, certified):
            owner = ("benchmark", row["registration_no"])
            application = await bot.create_application(
                owner,
                ApplicationDraft(
                    business_name=row["name"],
                    business_name_km=row["name_km"],
                    category=BusinessCategory(row["category"]),
                    registration_no=row["registration_no"],
                    address="Phnom Penh",
                    phone=row["phone"].split(";")[0].strip(),
                    activity_type="online retail",
                    identifiers=(row["facebook"], row["telegram"]),
                    code_of_conduct_declared=True,
                    answers={f"criterion_{n}": "https://shop.example/policy" for n in range(2, 10)},
                ),
                fee_quoted=Decimal("100"),
            )
            await bot.attach_evidence(
                owner,
                application.application_id,
                EvidenceItem("shop.png", "image/png", PNG, criterion=1),
            )
            await bot.submit_application(owner, application.application_id)
            approved = await officer.approve_application(application.application_id, officer="b")
            assert approved.certificate_id is not None
            issued[approved.certificate_id] = row["registration_no"]
        return issued
    finally:
        await store.close()


def serve(url: str, port: int) -> None:
    """The register's routes over the embedded backend, until killed (child process)."""

    async def main() -> None:
        backend = EmbeddedBackend(await open_store(url))
        await backend.warm_up()  # as the bot's and the registry's servers do at start
        config = RegisterConfig(searches_per_minute=10**9, search_burst=10**9)
        runner = web.AppRunner(create_register_app(backend, config), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await asyncio.Event().wait()

    asyncio.run(main())


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def timed(
    session: aiohttp.ClientSession, url: str, params: dict[str, str] | None = None
) -> tuple[float, int, str]:
    """(milliseconds, status, body) of one GET."""
    started = time.perf_counter()
    async with session.get(url, params=params) as response:
        body = await response.text()
    return (time.perf_counter() - started) * 1000, response.status, body


def server_cpu_seconds(pid: int) -> float:
    """CPU time the server process has used so far (user + system, from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


Run = Callable[[aiohttp.ClientSession], Awaitable[tuple[float, bool]]]
"""One request of a kind: (milliseconds, whether the answer was right)."""


@dataclass
class Kind:
    """One kind of request: its latencies and the server's CPU time for all of them."""

    samples: list[float] = field(default_factory=list)
    server_cpu: float = 0.0


KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
GOOD = 'class="verdict good"'


def misspelt(name: str, rng: random.Random) -> str:
    """``name`` with one letter of its first word dropped or doubled (the number kept)."""
    word = name.split(" ", 1)[0]
    at = rng.randrange(1, len(word))
    typo = word[:at] + word[at + 1 :] if rng.random() < 0.5 else word[:at] + word[at - 1 :]
    return typo + name[len(word) :]


async def measure(
    base: str, pid: int, issued: dict[str, str], rows: list[dict[str, str]], requests: int
) -> tuple[dict[str, Kind], dict[str, int]]:
    """Latencies and server CPU per kind of request (each kind in its own run), and the
    number of wrong answers of each kind."""
    by_registration = {row["registration_no"]: row for row in rows}
    rng = random.Random(7)
    numbers = list(issued)
    certified_rows = [by_registration[issued[n]] for n in numbers]
    with_site = [row for row in certified_rows if row["website"]]
    known = {row["name"] for row in rows}
    number_of = {registration: number for number, registration in issued.items()}

    async def search(session: aiohttp.ClientSession, query: str) -> tuple[float, int, str]:
        return await timed(session, f"{base}/search", {"q": query, "lang": "en"})

    async def certified(session: aiohttp.ClientSession) -> tuple[float, bool]:
        number = rng.choice(numbers)
        ms, status, body = await timed(session, f"{base}/v/{number}", {"lang": "en"})
        return ms, status == 200 and number in body and GOOD in body

    async def never_issued(session: aiohttp.ClientSession) -> tuple[float, bool]:
        fake = f"CETS-2031-{rng.randint(0, 999999):06d}"
        ms, status, _ = await timed(session, f"{base}/v/{fake}")
        return ms, status == 404

    def green(position: int | None, choices: list[dict[str, str]] | None = None) -> Run:
        """A search for one of a certified row's identifiers (or its certificate id when
        ``position`` is None): the row's green verdict must come back."""

        async def run(session: aiohttp.ClientSession) -> tuple[float, bool]:
            row = rng.choice(choices or certified_rows)
            if position is None:
                number = number_of[row["registration_no"]]
                query = rng.choice([number, number.lower(), f" {number.replace('-', '- ')} "])
            else:
                query = identifier_queries(row, rng)[position]
            ms, status, body = await search(session, query)
            return ms, status == 200 and row["name"] in body and GOOD in body

        return run

    async def by_registration_no(session: aiohttp.ClientSession) -> tuple[float, bool]:
        row = rng.choice(certified_rows)
        query = rng.choice([row["registration_no"], row["registration_no"].lower()])
        ms, status, body = await search(session, query)
        return ms, status == 200 and row["name"] in body and GOOD in body

    def exact_name(field: str) -> Run:
        async def run(session: aiohttp.ClientSession) -> tuple[float, bool]:
            row = rng.choice(certified_rows)
            ms, status, body = await search(session, row[field])
            return ms, status == 200 and row["name"] in body and GOOD in body

        return run

    def near_name(field: str) -> Run:
        async def run(session: aiohttp.ClientSession) -> tuple[float, bool]:
            row = rng.choice(certified_rows)
            query = misspelt(row[field], rng)
            ms, status, body = await search(session, query)
            # Never a verdict for a guess; the meant shop offered as "did you mean".
            return ms, status == 200 and GOOD not in body and row["name"] in body

        return run

    async def unknown_name(session: aiohttp.ClientSession) -> tuple[float, bool]:
        letters = "bcdfghjklmnpqrstvwxz"
        query = " ".join("".join(rng.choices(letters, k=rng.randint(4, 8))) for _ in range(2))
        ms, status, body = await search(session, query.title())
        return ms, status == 200 and GOOD not in body and not any(n in body for n in known)

    async def unknown_identifier(session: aiohttp.ClientSession) -> tuple[float, bool]:
        query = rng.choice(
            [
                f"https://www.facebook.com/nobody.{rng.randint(0, 10**9)}",
                f"@nobody_{rng.randint(0, 10**9)}",
                f"0{rng.choice('1789')}{rng.randint(0, 99):02d} 999 999".translate(
                    KHMER_DIGITS if rng.random() < 0.3 else {}
                ),
                f"nobody{rng.randint(0, 10**9)}.com.kh",
            ]
        )
        ms, status, body = await search(session, query)
        return ms, status == 200 and GOOD not in body and "No shop with this" in body

    runs: dict[str, Run] = {
        "/v/ certified": certified,
        "/v/ never issued": never_issued,
        "/search certificate id": green(None),
        "/search registration number": by_registration_no,
        "/search Facebook page link": green(0),
        "/search Telegram link or handle": green(1),
        "/search phone (any writing)": green(2),
        "/search website": green(3, with_site),
        "/search exact name, Latin": exact_name("name"),
        "/search exact name, Khmer": exact_name("name_km"),
        "/search misspelt name, Latin": near_name("name"),
        "/search misspelt name, Khmer": near_name("name_km"),
        "/search no match, name": unknown_name,
        "/search no match, identifier": unknown_identifier,
    }
    kinds = {label: Kind() for label in runs}
    wrong = dict.fromkeys(runs, 0)
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        for label, run in runs.items():
            for _ in range(50):  # warm the pool, caches and statement cache
                await run(session)
            cpu = server_cpu_seconds(pid)
            for _ in range(requests):
                ms, right = await run(session)
                kinds[label].samples.append(ms)
                wrong[label] += not right
            kinds[label].server_cpu = server_cpu_seconds(pid) - cpu
    return kinds, wrong


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--certified", type=int, default=300)
    parser.add_argument("--requests", type=int, default=2_000, help="of each kind")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{scratch}/web.sqlite3"
        if args.database_url:
            asyncio.run(_wipe(url))
        upgrade_database(url)
        csv_path = Path(scratch) / "registered.csv"
        rows = write_csv(csv_path, args.count)
        started = time.perf_counter()
        issued = asyncio.run(prepare(url, csv_path, rows, args.certified))
        print(
            f"backend={url.split(':', 1)[0]} businesses={args.count} certified={len(issued)} "
            f"(set up in {time.perf_counter() - started:.1f}s)"
        )
        port = free_port()
        server = multiprocessing.get_context("spawn").Process(target=serve, args=(url, port))
        server.start()
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            assert server.pid is not None
            kinds, wrong = asyncio.run(measure(base, server.pid, issued, rows, args.requests))
        finally:
            server.terminate()
            server.join(timeout=10)
    missed = []
    for label, kind in kinds.items():
        cpu_ms = kind.server_cpu / len(kind.samples) * 1000
        print(
            f"{summary(label, kind.samples)} server cpu/request={cpu_ms:.2f}ms wrong={wrong[label]}"
        )
        if percentile(kind.samples, 0.99) >= TARGET_MS:
            missed.append(label)
    print(f"wrong answers: {sum(wrong.values())}")
    if missed:
        print(f"p99 at or over {TARGET_MS:.0f} ms: {', '.join(missed)}")
    return 0 if not any(wrong.values()) and not missed else 1


if __name__ == "__main__":
    sys.exit(main())
