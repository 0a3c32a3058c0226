"""``cets-bot run --workers N``: N worker processes behind one listening socket.

The parent process binds the HTTP port once and starts N children (``python -m bot.cli run``)
that inherit the bound socket (``CETS_LISTEN_FD``) and all accept connections from it, so one
webhook URL reaches every worker; the kernel hands each new connection to whichever child
accepts first. Connections waiting to be accepted stay in the shared queue when a child dies,
so only the requests a dead child had already accepted fail (and the platforms send those
again). The children share PostgreSQL (the inbox, claimed with leases) and Redis (the send
budget); see ``docs/workers.md``.

The parent does no bot work. It checks that the database is at the newest schema first (or,
with ``--migrate``, migrates it once: the release step), restarts a child that exits
unexpectedly (waiting longer after each quick failure), and on SIGTERM or SIGINT passes SIGTERM
on, waits for the children to finish their turns, and exits.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Final

from aiohttp import web

from bot.database import SchemaNotCurrent, ensure_schema, prepare_database
from bot.settings import Settings
from bot.workers.config import is_postgres

LISTEN_FD_VARIABLE: Final = "CETS_LISTEN_FD"
WORKER_INDEX_VARIABLE: Final = "CETS_WORKER_INDEX"
# A child that lived at least this long had not failed at start: restart it at once.
HEALTHY_SECONDS: Final = 30.0
MAX_RESTART_WAIT: Final = 30.0
QUICK_FAILURES_LIMIT: Final = 5
STOP_SECONDS: Final = 15.0
# A child exiting with this code found a configuration problem: restarting will not help.
CONFIG_EXIT_CODE: Final = 2


def inherited_socket() -> socket.socket | None:
    """The listening socket the supervisor passed to this worker, if any."""
    fd = os.environ.get(LISTEN_FD_VARIABLE, "").strip()
    if not fd.isdigit():
        return None
    sock = socket.socket(fileno=int(fd))
    sock.setblocking(False)
    return sock


def listening_site(runner: web.AppRunner, settings: Settings) -> web.BaseSite:
    """Where the server listens: the supervisor's shared socket, else host and port."""
    sock = inherited_socket()
    if sock is not None:
        return web.SockSite(runner, sock)
    return web.TCPSite(runner, settings.http_host, settings.http_port)


def _say(text: str) -> None:
    print(f"cets-bot: {text}", file=sys.stderr, flush=True)


@dataclass
class _Child:
    index: int
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_failures: int = 0
    restart_at: float = 0.0


@dataclass
class Supervisor:
    """Starts, watches and stops the worker processes."""

    count: int
    listen_fd: int
    command: list[str]
    children: list[_Child] = field(default_factory=list)
    stopping: bool = False
    exit_code: int = 0

    def run(self) -> int:
        """Run until SIGTERM/SIGINT (or every child failed for good); the exit code."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.children = [_Child(index) for index in range(1, self.count + 1)]
            for child in self.children:
                self._spawn(child)
            while not self.stopping:
                self._watch()
                time.sleep(0.2)
            self._stop_all()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.exit_code

    def pids(self) -> list[int]:
        """The running children's process ids."""
        return [c.process.pid for c in self.children if c.process and c.process.poll() is None]

    def _on_signal(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            _say(f"{signal.Signals(signum).name}: stopping the workers")
        self.stopping = True

    def _spawn(self, child: _Child) -> None:
        env = dict(os.environ)
        env[LISTEN_FD_VARIABLE] = str(self.listen_fd)
        env[WORKER_INDEX_VARIABLE] = str(child.index)
        env["CETS_INBOX_CLAIMS"] = "on"
        env.pop("CETS_MIGRATE_ON_START", None)  # the parent checked (or migrated) once
        child.process = subprocess.Popen(self.command, env=env, pass_fds=(self.listen_fd,))
        child.started = time.monotonic()
        _say(f"worker {child.index}/{self.count} started (pid {child.process.pid})")

    def _watch(self) -> None:
        now = time.monotonic()
        for child in self.children:
            process = child.process
            if process is None:
                if now >= child.restart_at:
                    self._spawn(child)
                continue
            code = process.poll()
            if code is None:
                continue
            child.process = None
            lived = now - child.started
            _say(f"worker {child.index} (pid {process.pid}) exited with {code}")
            if code == CONFIG_EXIT_CODE:
                _say("a configuration problem; not restarting; stopping")
                self.exit_code = CONFIG_EXIT_CODE
                self.stopping = True
                return
            child.quick_failures = 0 if lived >= HEALTHY_SECONDS else child.quick_failures + 1
            if child.quick_failures >= QUICK_FAILURES_LIMIT:
                _say(f"worker {child.index} keeps failing at start; stopping")
                self.exit_code = 1
                self.stopping = True
                return
            wait = min(2.0 ** max(child.quick_failures - 1, 0), MAX_RESTART_WAIT)
            wait = 0.5 if child.quick_failures == 0 else wait
            child.restart_at = now + wait
            _say(f"worker {child.index} restarts in {wait:.1f}s")

    def _stop_all(self) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _say(f"worker pid {process.pid} did not stop in time; killed")
                process.kill()
                process.wait()
        _say("all workers stopped")


def run_workers(
    count: int, settings: Settings, *, migrate: bool = False, verbose: bool = False
) -> int:
    """``cets-bot run --workers N``: check the set-up, bind the port, supervise; the exit code."""
    if not is_postgres(settings.database_url):
        _say(
            "--workers needs PostgreSQL (CETS_DATABASE_URL=postgresql+asyncpg://...): "
            "SQLite serves one process; run without --workers"
        )
        return CONFIG_EXIT_CODE
    if not settings.has_channel_tokens:
        _say("--workers needs a channel: set TELEGRAM_BOT_TOKEN or MESSENGER_PAGE_ACCESS_TOKEN")
        return CONFIG_EXIT_CODE
    try:
        if migrate:
            asyncio.run(prepare_database(settings.database_url))
            _say("database migrated to the newest schema")
        else:
            asyncio.run(ensure_schema(settings.database_url))
    except SchemaNotCurrent as exc:
        _say(f"{exc} (or pass --migrate)")
        return CONFIG_EXIT_CODE
    sock = socket.create_server((settings.http_host, settings.http_port), backlog=2048)
    sock.set_inheritable(True)
    host, port = sock.getsockname()[:2]
    _say(f"listening on http://{host}:{port} with {count} workers")
    command = [sys.executable, "-m", "bot.cli", *(["-v"] if verbose else []), "run"]
    try:
        return Supervisor(count, sock.fileno(), command).run()
    finally:
        sock.close()
