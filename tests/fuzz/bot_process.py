"""The bot as its own process (``python -m bot.cli run``), with a fake platform in a thread.

For tests that must see the real process: that it stays alive, how fast it answers, what it
stored. Everything is synchronous (urllib, sqlite3), so hypothesis drives it directly.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.telegram.fake_bot_api import FakeBotApi

REPO = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThreadLoop:
    """An event loop in a thread, for the fake platform servers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


# Polls /healthz every 50 ms and prints each answer's latency (or the error), one per line.
_WATCH_SCRIPT = """
import http.client, sys, time
port = int(sys.argv[1])
while True:
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        status = connection.getresponse().status
        connection.close()
        line = f"{time.perf_counter() - started:.6f}" if status == 200 else f"status {status}"
    except OSError as exc:
        line = f"error {exc!r}"
    print(line, flush=True)
    time.sleep(0.05)
"""


@dataclass
class HealthWatch:
    """Polls /healthz every 50 ms from its own process (so the test's own work cannot delay
    the measurement) and keeps each answer's latency."""

    port: int
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _process: subprocess.Popen[str] | None = None

    def __enter__(self) -> HealthWatch:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _WATCH_SCRIPT, str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None
        self._process.terminate()
        output, _ = self._process.communicate(timeout=10)
        for line in output.splitlines():
            try:
                self.latencies.append(float(line))
            except ValueError:
                self.failures.append(line)


@dataclass
class BotProcess:
    """The running bot process and how to talk to it."""

    process: subprocess.Popen[bytes]
    port: int
    database: Path
    _connection: http.client.HTTPConnection | None = None

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        """POST over a kept-alive connection (reconnecting when the bot closed it)."""
        for attempt in range(2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self._connection.request("POST", path, body=body, headers=headers)
                response = self._connection.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self._connection.close()
                    self._connection = None
                return response.status
            except (http.client.HTTPException, ConnectionError):
                self._connection.close()
                self._connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the kept-alive connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def inbox_depth(self) -> int:
        """Events accepted but not processed yet (from /metrics)."""
        _status, text = self.get("/metrics")
        return sum(
            int(float(line.rsplit(" ", 1)[1]))
            for line in text.splitlines()
            if line.startswith("cets_inbox_depth{")
        )

    def wait_idle(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while self.inbox_depth():
            if time.monotonic() > deadline:
                raise AssertionError("events still pending")
            time.sleep(0.1)

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as connection:
            return list(connection.execute(query))

    def stored_events(self) -> list[dict[str, Any]]:
        return [
            {"event_id": e, "user_id": u, "status": s, "body": json.loads(b)}
            for e, u, s, b in self.rows(
                "SELECT event_id, user_id, status, body FROM inbound_events ORDER BY id"
            )
        ]


@contextmanager
def bot_process(env_extra: dict[str, str], tmp_path: Path) -> Iterator[BotProcess]:
    """Start ``cets-bot run`` with these settings; SIGTERM it afterwards."""
    port = free_port()
    database = tmp_path / "bot.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MESSENGER_"))}
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "CETS_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "CETS_DATA_DIR": str(tmp_path),
            "CETS_HTTP_HOST": "127.0.0.1",
            "CETS_HTTP_PORT": str(port),
            "CETS_LOG_LEVEL": os.environ.get("FUZZ_LOG_LEVEL", "ERROR"),
            **env_extra,
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL
    )
    running = BotProcess(process, port, database)
    try:
        for _ in range(600):
            if not running.alive:
                raise AssertionError("the bot exited at start")
            try:
                if running.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("the bot did not start")
        yield running
    finally:
        running.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def fake_bot_api() -> Iterator[tuple[FakeBotApi, ThreadLoop]]:
    """The fake Bot API on its own loop in a thread."""
    loop = ThreadLoop()
    api = FakeBotApi()
    loop.run(api.start())
    try:
        yield api, loop
    finally:
        loop.run(api.stop())
        loop.close()
