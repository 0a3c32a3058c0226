"""Load benchmark: the bot behind both webhooks, against fake platforms on loopback.

    PYTHONPATH=. .venv/bin/python benchmarks/load_bench.py [--users 100] [--per-user 20]
        [--targets echo,echo-limited,telegram,telegram-limited,messenger]
        [--steady-seconds 30] [--json out.json] [--profile DIR]

Each target runs as its own process (``cets-bot run``, or the bare python-telegram-bot echo
bot of ``benchmarks/echo_bot.py``), on a fresh SQLite database seeded with the demo registry;
this process plays Telegram or Meta: it serves the fake Bot API / Graph API (the test suite's
fakes) and POSTs webhook updates. Per target:

1. calibration: each script (``benchmarks/load_mix.py``: fixed message sequences in the four
   writing styles) is sent once, one message at a time, by a fresh user; the replies of each
   message are the expected ones;
2. burst: ``users`` users each send ``per_user`` messages, each user's in order (the next as
   soon as the webhook answered), all users at once; every user's replies are checked against
   the calibration (lost, duplicated or reordered replies are counted), and
3. steady: the same users' messages offered at half the burst's rate for ``steady-seconds``.

Reported: msg/s, end-to-end latency p50/p95/p99 (webhook POST to the message's last reply at
the fake platform), the target's CPU ms per message (from /proc, burst only), its peak RSS, and
reply problems. ``telegram`` runs with python-telegram-bot's rate limiter off
(TELEGRAM_RATE_LIMITER_OFF), ``telegram-limited`` with it on (as deployed). ``--profile DIR``
samples the bot process with py-spy during the burst (collapsed stacks, see
``benchmarks/profile_summary.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.load_mix import Script, make_scripts, personal, style_counts, without_markers
from benchmarks.load_platforms import Arrivals, TimedBotApi, TimedGraphApi
from tests.messenger.fake_graph_api import PAGE_TOKEN
from tests.telegram.fake_bot_api import BOT_TOKEN

REPO = Path(__file__).resolve().parent.parent
SECRET = "load-bench-secret"
APP_SECRET = "load-bench-app-secret"
VERIFY_TOKEN = "load-bench-verify"
TARGETS = ("echo", "echo-limited", "telegram", "telegram-limited", "messenger")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Give up on the replies when none arrived for this long.
STALL_SECONDS = 60.0
# A webhook call answered 5xx is delivered again, as Telegram and Meta do, after a pause.
WEBHOOK_ATTEMPTS = 5
REDELIVERY_SECONDS = 1.0

Json = dict[str, Any]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU time of each thread of a process (the main thread's id is the pid)."""
    times: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[int(task.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return times


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` fall (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- the target process ---------------------------------------------------------------------


@dataclass
class Target:
    """One bot to measure and how it is started."""

    name: str
    workdir: Path
    bot_api: TimedBotApi
    graph: TimedGraphApi
    port: int = 0
    process: asyncio.subprocess.Process | None = None

    @property
    def channel(self) -> str:
        """Which webhook the target listens on."""
        return "messenger" if self.name == "messenger" else "telegram"

    @property
    def arrivals(self) -> Arrivals:
        """Where the target's replies are noted."""
        return self.graph.arrivals if self.channel == "messenger" else self.bot_api.arrivals

    @property
    def is_echo(self) -> bool:
        """The bare echo bot (one reply per message, the message's own text)."""
        return self.name.startswith("echo")

    def _env(self) -> dict[str, str]:
        database = self.workdir / "bot.sqlite3"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TELEGRAM_", "MESSENGER_", "CETS_"))
        }
        env.update(
            {
                "PYTHONPATH": str(REPO),
                "CETS_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                "CETS_DATA_DIR": str(self.workdir),
                "CETS_HTTP_HOST": "127.0.0.1",
                "CETS_HTTP_PORT": str(self.port),
                "CETS_LOG_LEVEL": "ERROR",
            }
        )
        if "CETS_CACHE_DIR" in os.environ:
            env["CETS_CACHE_DIR"] = os.environ["CETS_CACHE_DIR"]
        if self.channel == "telegram":
            env.update(
                {
                    "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
                    "TELEGRAM_API_BASE_URL": self.bot_api.base_url,
                    "TELEGRAM_API_BASE_FILE_URL": self.bot_api.base_file_url,
                    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/webhook",
                    "TELEGRAM_WEBHOOK_SECRET": SECRET,
                }
            )
            if self.name == "telegram":
                env["TELEGRAM_RATE_LIMITER_OFF"] = "1"
        else:
            env.update(
                {
                    "MESSENGER_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
                    "MESSENGER_APP_SECRET": APP_SECRET,
                    "MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN,
                    "MESSENGER_GRAPH_API_URL": self.graph.url,
                }
            )
        return env

    async def start(self) -> None:
        """Prepare the database and start the target; return when /healthz answers."""
        self.port = free_port()
        env = self._env()
        python = sys.executable
        if self.is_echo:
            command = [
                python,
                str(REPO / "benchmarks" / "echo_bot.py"),
                "--port",
                str(self.port),
                "--token",
                BOT_TOKEN,
                "--api-base-url",
                self.bot_api.base_url,
                "--secret",
                SECRET,
            ]
            if self.name == "echo-limited":
                command.append("--rate-limiter")
        else:
            for setup in (["db", "upgrade"], ["registry", "seed-demo"]):
                prepared = await asyncio.create_subprocess_exec(
                    python,
                    "-m",
                    "bot.cli",
                    *setup,
                    env=env,
                    cwd=self.workdir,
                    stdout=asyncio.subprocess.DEVNULL,
                )
                if await prepared.wait() != 0:
                    raise RuntimeError(f"cets-bot {' '.join(setup)} failed")
            command = [python, "-m", "bot.cli", "run"]
        self.process = await asyncio.create_subprocess_exec(*command, env=env, cwd=self.workdir)
        async with aiohttp.ClientSession() as http:
            for _ in range(1200):
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited at start")
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    async def stop(self) -> None:
        """SIGTERM, then wait (kill after 15 s)."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(15):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    @property
    def pid(self) -> int:
        """The target's process id."""
        assert self.process is not None
        return self.process.pid


# --- speaking to the webhooks ---------------------------------------------------------------


_update_ids = itertools.count(1_000_000)
_mids = itertools.count(1)


def telegram_update(user: int, text: str, language_code: str) -> Json:
    """A private-chat text message update as Telegram sends it."""
    update_id = next(_update_ids)
    person = {"id": user, "is_bot": False, "first_name": "User", "language_code": language_code}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": person,
            "chat": {"id": user, "type": "private", "first_name": "User"},
            "date": int(time.time()),
            "text": text,
        },
    }


def messenger_delivery(psid: str, text: str) -> Json:
    """A one-event delivery of a text message as Meta sends it."""
    now = int(time.time() * 1000)
    return {
        "object": "page",
        "entry": [
            {
                "id": "104296827616214",
                "time": now,
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": "104296827616214"},
                        "timestamp": now,
                        "message": {"mid": f"m_load-{next(_mids)}", "text": text},
                    }
                ],
            }
        ],
    }


class Sender:
    """POSTs one user message to the target's webhook, as the platform would."""

    def __init__(self, target: Target, http: aiohttp.ClientSession) -> None:
        self._target = target
        self._http = http
        base = f"http://127.0.0.1:{target.port}"
        self._url = f"{base}/{target.channel}/webhook"
        self.redeliveries = 0

    def recipient(self, user: int) -> str:
        """How the platform names the user in replies."""
        return str(user) if self._target.channel == "telegram" else f"70{user:014d}"

    async def send(self, user: int, text: str, style: str) -> None:
        """POST the message; raises unless the webhook answers 200."""
        if self._target.channel == "telegram":
            language = "km" if style == "khmer" else "en"
            body = json.dumps(telegram_update(user, text, language)).encode()
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        else:
            body = json.dumps(messenger_delivery(self.recipient(user), text)).encode()
            signature = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
            headers = {"X-Hub-Signature-256": f"sha256={signature}"}
        headers["Content-Type"] = "application/json"
        # Like the platforms, deliver again after a 5xx (the bot could not store it yet).
        for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
            async with self._http.post(self._url, data=body, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    return
                if response.status < 500 or attempt == WEBHOOK_ATTEMPTS:
                    raise RuntimeError(f"webhook answered {response.status}")
            self.redeliveries += 1
            await asyncio.sleep(REDELIVERY_SECONDS * attempt)


async def inbox_depth(target: Target, http: aiohttp.ClientSession) -> int:
    """Events the bot has accepted but not processed yet (from its /metrics)."""
    async with http.get(f"http://127.0.0.1:{target.port}/metrics") as response:
        text = await response.text()
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith("cets_inbox_depth{")
    )


# --- the runs -------------------------------------------------------------------------------


Expected = list[list[str]]  # per message of a script, the signatures of its replies


async def calibrate(target: Target, scripts: list[Script], length: int) -> dict[int, Expected]:
    """Each script sent once by a fresh user, one message at a time: the expected replies."""
    expected: dict[int, Expected] = {}
    arrivals = target.arrivals
    async with aiohttp.ClientSession() as http:
        sender = Sender(target, http)
        for script in scripts:
            user = 10 + script.number
            recipient = sender.recipient(user)
            per_message: Expected = []
            for text in script.messages[:length]:
                before = arrivals.count(recipient)
                await sender.send(user, personal(text, user), script.style)
                if target.is_echo:
                    while arrivals.count(recipient) == before:
                        arrivals.changed.clear()
                        await asyncio.wait_for(arrivals.changed.wait(), STALL_SECONDS)
                else:
                    while await inbox_depth(target, http):  # noqa: ASYNC110 (another process)
                        await asyncio.sleep(0.005)
                replies = arrivals.replies.get(recipient, [])[before:]
                per_message.append([signature for _, signature in replies])
            expected[script.number] = per_message
    return expected


@dataclass
class RunResult:
    """What one run measured."""

    target: str
    kind: str
    messages: int
    seconds: float
    msg_per_s: float
    replies: int
    api_calls_per_msg: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms_per_msg: float
    peak_rss_mb: float
    offered_msg_per_s: float = 0.0
    lost_replies: int = 0
    extra_replies: int = 0
    users_with_wrong_replies: int = 0
    send_errors: int = 0
    redeliveries: int = 0
    driver_cpu_ms_per_msg: float = 0.0
    loop_thread_cpu_ms_per_msg: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every user got exactly the expected replies, in order."""
        return not (
            self.lost_replies
            or self.extra_replies
            or self.users_with_wrong_replies
            or self.send_errors
        )


@dataclass
class Plan:
    """Who sends what: per user, its script and how many of its messages."""

    users: list[int]
    scripts: dict[int, Script]
    counts: dict[int, int]

    @property
    def total(self) -> int:
        """Messages in the plan."""
        return sum(self.counts.values())


def plan(first_user: int, users: int, per_user: int, scripts: list[Script]) -> Plan:
    """``users`` fresh users, user ``k`` following script ``k mod len(scripts)``."""
    ids = [first_user + k for k in range(users)]
    return Plan(
        ids,
        {user: scripts[k % len(scripts)] for k, user in enumerate(ids)},
        dict.fromkeys(ids, per_user),
    )


async def run(
    target: Target,
    the_plan: Plan,
    expected: dict[int, Expected],
    *,
    kind: str,
    rate: float | None = None,
) -> RunResult:
    """Send the plan (all at once, or at ``rate`` msg/s overall) and check every reply."""
    arrivals = target.arrivals
    sent_at: dict[tuple[int, int], float] = {}
    send_errors: list[str] = []
    start_cpu = cpu_seconds(target.pid)
    start_threads = thread_cpu_seconds(target.pid)
    start_driver_cpu = time.process_time()
    calls_before = arrivals.api_calls
    connector = aiohttp.TCPConnector(limit=len(the_plan.users))
    started = time.monotonic()

    # In a steady run the k-th message overall is due at started + k / rate.
    order: list[tuple[int, int]] = []
    if rate is not None:
        pending = {user: 0 for user in the_plan.users}
        while len(order) < the_plan.total:
            for user in the_plan.users:
                if pending[user] < the_plan.counts[user]:
                    order.append((user, pending[user]))
                    pending[user] += 1
    due = {item: started + index / rate for index, item in enumerate(order)} if rate else {}

    async with aiohttp.ClientSession(connector=connector) as http:
        sender = Sender(target, http)

        async def user_sends(user: int) -> None:
            script = the_plan.scripts[user]
            for index in range(the_plan.counts[user]):
                if rate is not None:
                    delay = due[(user, index)] - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                sent_at[(user, index)] = time.monotonic()
                try:
                    await sender.send(user, personal(script.messages[index], user), script.style)
                except (aiohttp.ClientError, RuntimeError) as exc:
                    send_errors.append(f"user {user} message {index}: {exc}")

        await asyncio.gather(*(user_sends(user) for user in the_plan.users))
        wanted = {
            sender.recipient(user): sum(
                len(replies)
                for replies in expected[the_plan.scripts[user].number][: the_plan.counts[user]]
            )
            for user in the_plan.users
        }
        recipients = {user: sender.recipient(user) for user in the_plan.users}
        redeliveries = sender.redeliveries

    def done() -> bool:
        return all(arrivals.count(r) >= n for r, n in wanted.items())

    last_progress = time.monotonic()
    last_total = arrivals.total
    while not done():
        arrivals.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrivals.changed.wait(), 1.0)
        if arrivals.total != last_total:
            last_total, last_progress = arrivals.total, time.monotonic()
        elif time.monotonic() - last_progress > STALL_SECONDS:
            break
    # Late duplicates would show here.
    await asyncio.sleep(0.5 if done() else 0)
    finished = max(
        (t for r in recipients.values() for t, _ in arrivals.replies.get(r, [])),
        default=time.monotonic(),
    )
    cpu = cpu_seconds(target.pid) - start_cpu
    threads = thread_cpu_seconds(target.pid)
    loop_cpu = threads.get(target.pid, 0.0) - start_threads.get(target.pid, 0.0)
    driver_cpu = time.process_time() - start_driver_cpu
    latencies: list[float] = []
    lost = extra = wrong = 0
    problems: list[str] = []
    for user in the_plan.users:
        script = the_plan.scripts[user]
        segments = expected[script.number][: the_plan.counts[user]]
        got = arrivals.replies.get(recipients[user], [])
        flat = [signature for segment in segments for signature in segment]
        signatures = [signature for _, signature in got]
        if signatures != flat:
            wrong += 1
            if len(problems) < 5:
                problems.append(f"user {user}: {len(signatures)} replies, {len(flat)} expected")
        lost += max(0, len(flat) - len(signatures))
        extra += max(0, len(signatures) - len(flat))
        position = 0
        for index, segment in enumerate(segments):
            position += len(segment)
            if segment and position <= len(got):
                latencies.append(got[position - 1][0] - sent_at[(user, index)])
    messages = the_plan.total
    seconds = finished - started
    return RunResult(
        target=target.name,
        kind=kind,
        messages=messages,
        seconds=round(seconds, 2),
        msg_per_s=round(messages / seconds, 1) if seconds > 0 else 0.0,
        replies=sum(len(arrivals.replies.get(r, [])) for r in recipients.values()),
        api_calls_per_msg=round((arrivals.api_calls - calls_before) / messages, 2),
        p50_ms=round(1000 * percentile(latencies, 0.50), 1),
        p95_ms=round(1000 * percentile(latencies, 0.95), 1),
        p99_ms=round(1000 * percentile(latencies, 0.99), 1),
        cpu_ms_per_msg=round(1000 * cpu / messages, 2),
        peak_rss_mb=round(peak_rss_mb(target.pid), 1),
        offered_msg_per_s=round(rate, 1) if rate else 0.0,
        lost_replies=lost,
        extra_replies=extra,
        users_with_wrong_replies=wrong,
        send_errors=len(send_errors),
        redeliveries=redeliveries,
        driver_cpu_ms_per_msg=round(1000 * driver_cpu / messages, 2),
        loop_thread_cpu_ms_per_msg=round(1000 * loop_cpu / messages, 2),
        problems=problems + send_errors[:5],
    )


@dataclass
class Options:
    """What to run."""

    targets: tuple[str, ...] = TARGETS
    users: int = 100
    per_user: int = 20
    scripts: int = 8
    steady_seconds: float = 30.0
    profile_dir: Path | None = None


async def measure_target(name: str, options: Options, workdir: Path) -> list[RunResult]:
    """Start one target, calibrate, burst, steady; stop it."""
    bot_api = TimedBotApi()
    graph = TimedGraphApi()
    await bot_api.start()
    await graph.start()
    target = Target(name, workdir, bot_api, graph)
    results: list[RunResult] = []
    try:
        await target.start()
        steady_rate_guess = 1.0
        steady_per_user = 0
        # Steady runs send each user up to this many messages (half the burst rate for
        # steady_seconds, spread over the users), so the calibration covers them.
        length = options.per_user + (64 if options.steady_seconds > 0 else 0)
        scripts = make_scripts(options.scripts, length)
        expected = await calibrate(target, scripts, length) if not target.is_echo else {}
        if target.is_echo:
            expected = {
                s.number: [[without_markers(f"{text}|null")] for text in s.messages]
                for s in scripts
            }
        bot_api.forget_calls()
        graph.forget_calls()
        spy = None
        if options.profile_dir is not None and not target.is_echo:
            options.profile_dir.mkdir(parents=True, exist_ok=True)
            spy = await asyncio.create_subprocess_exec(
                shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy")),
                "record",
                "--pid",
                str(target.pid),
                "--rate",
                "250",
                "--gil",
                "--format",
                "raw",
                "--output",
                str(options.profile_dir / f"{name}.txt"),
                "--nonblocking",
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        burst = await run(
            target, plan(100_000, options.users, options.per_user, scripts), expected, kind="burst"
        )
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            await spy.wait()
        results.append(burst)
        print(json.dumps(asdict(burst)), flush=True)
        if options.steady_seconds > 0 and burst.msg_per_s > 0:
            steady_rate_guess = burst.msg_per_s / 2
            total = max(options.users, int(steady_rate_guess * options.steady_seconds))
            steady_per_user = min(length, -(-total // options.users))
            steady = await run(
                target,
                plan(200_000, options.users, steady_per_user, scripts),
                expected,
                kind="steady",
                rate=steady_rate_guess,
            )
            results.append(steady)
            print(json.dumps(asdict(steady)), flush=True)
    finally:
        await target.stop()
        await bot_api.stop()
        await graph.close()
    return results


async def measure(options: Options) -> list[RunResult]:
    """Every target in turn (one at a time, so they do not share the CPU)."""
    results: list[RunResult] = []
    for name in options.targets:
        workdir = Path(tempfile.mkdtemp(prefix=f"cets-load-{name}-"))
        try:
            results.extend(await measure_target(name, options, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def table(results: list[RunResult]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| target | run | msgs | msg/s | p50 ms | p95 ms | p99 ms | CPU ms/msg | API calls/msg "
        "| peak RSS MB | replies lost/extra/users wrong |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        run_name = r.kind if r.kind == "burst" else f"steady @ {r.offered_msg_per_s}/s"
        lines.append(
            f"| {r.target} | {run_name} | {r.messages} | {r.msg_per_s} | {r.p50_ms} | {r.p95_ms} "
            f"| {r.p99_ms} | {r.cpu_ms_per_msg} | {r.api_calls_per_msg} | {r.peak_rss_mb} "
            f"| {r.lost_replies}/{r.extra_replies}/{r.users_with_wrong_replies} |"
        )
    return "\n".join(lines)


def main() -> int:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--per-user", type=int, default=20)
    parser.add_argument("--scripts", type=int, default=8)
    parser.add_argument("--steady-seconds", type=float, default=30.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--profile", type=Path, help="py-spy samples of the bot per target")
    args = parser.parse_args()
    targets = tuple(t.strip() for t in args.targets.split(",") if t.strip())
    unknown = set(targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {sorted(unknown)}")
    options = Options(
        targets=targets,
        users=args.users,
        per_user=args.per_user,
        scripts=args.scripts,
        steady_seconds=args.steady_seconds,
        profile_dir=args.profile,
    )
    print(
        f"message mix by writing style: {style_counts(make_scripts(args.scripts, args.per_user))}"
    )
    results = asyncio.run(measure(options))
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
