"""Where a turn's CPU goes: a summary of py-spy's collapsed stacks of the bot process.

    PYTHONPATH=. .venv/bin/python benchmarks/load_bench.py --targets telegram --profile prof/
    .venv/bin/python benchmarks/profile_summary.py prof/telegram.txt [--messages 2000]

Each sample is charged to the innermost layer it is in (the NLU, the database driver and ORM,
python-telegram-bot, the HTTP client, aiohttp, gettext, JSON, logging, the event loop, or the
bot's own code), and separately to the bot's operations anywhere on its stack (inbox accept,
dialogue load/save, the NLU parse, sending replies, ...). With ``--messages`` the shares are
also given as CPU ms per message.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path
from typing import Final

# (layer, pattern on a frame's file) from the most specific; the innermost match wins.
LAYERS: Final = (
    ("NLU (nlu/, numpy, scipy)", re.compile(r"\((nlu|numpy|scipy)/")),
    (
        "logging and tracebacks",
        re.compile(r"\((logging/|traceback\.py|ast\.py|linecache)|bot/logs\.py"),
    ),
    ("SQLite driver (aiosqlite, sqlite3)", re.compile(r"\((aiosqlite|sqlite3)/")),
    ("SQLAlchemy (ORM, core, pool)", re.compile(r"\(sqlalchemy/")),
    ("HTTP client (httpx, httpcore, h11, anyio)", re.compile(r"\((httpx|httpcore|h11|anyio)/")),
    ("python-telegram-bot", re.compile(r"\(telegram/")),
    ("aiohttp (server and client)", re.compile(r"\((aiohttp|multidict|yarl)/")),
    ("gettext and Babel", re.compile(r"\((gettext\.py|babel/)|bot/i18n\.py")),
    ("JSON", re.compile(r"\(json/")),
    ("registry and backend client", re.compile(r"\((registry|backend_client)/")),
    ("the bot's own code (bot/, kb/)", re.compile(r"\((bot|kb)/")),
    ("prometheus-client", re.compile(r"\(prometheus_client/")),
    ("asyncio event loop", re.compile(r"\((asyncio/|selectors\.py)")),
)
# Operations of the bot, charged when they appear anywhere on the stack.
OPERATIONS: Final = (
    (
        "webhook: read, check and store an update",
        re.compile(r"(^|\.)(_?telegram_webhook|_?receive_delivery) \("),
    ),
    ("inbox: store an event (Inbox.accept)", re.compile(r"^Inbox\.accept \(")),
    ("inbox: mark done/failed (finish, fail)", re.compile(r"^Inbox\.(finish|fail) \(")),
    ("Update.de_json (in the webhook and again in the worker)", re.compile(r"^Update\.de_json \(")),
    ("core: whole turn (ConversationCore.handle)", re.compile(r"^ConversationCore\.handle \(")),
    ("dialogue: load state", re.compile(r"^ConversationStore\.load \(")),
    ("dialogue: save state", re.compile(r"^ConversationStore\.save \(")),
    (
        "locale lookups outside the turn",
        re.compile(r"^ConversationCore\.(saved_locale|reply_locale) \("),
    ),
    ("NLU parse", re.compile(r"^EmbeddedNlu\.parse_sync \(")),
    ("registry lookup (find_shops)", re.compile(r"\.find_shops \(")),
    (
        "send replies (render + Bot/Send API calls)",
        re.compile(r"(^|\.)(send_replies|_send_all) \("),
    ),
    ("typing indicator", re.compile(r"\.(send_chat_action|send_typing) \(")),
    ("rate limiter (AIORateLimiter)", re.compile(r"_aioratelimiter\.py")),
    ("logging (formatting and redaction)", re.compile(r"\((logging/|bot/logs\.py)")),
    ("metrics (bot/metrics.py)", re.compile(r"\(bot/metrics\.py")),
)
_FRAME: Final = re.compile(r"^(?P<function>\S+) \((?P<file>[^:)]+)(?::\d+)?\)$")


def parse(path: Path) -> list[tuple[list[str], int]]:
    """(frames root first, count) for each line of a py-spy ``--format raw`` file."""
    stacks: list[tuple[list[str], int]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def _short(frame: str) -> str:
    """``function (file)`` with the file cut to its package-relative part."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    file = re.sub(r"^.*?/(site-packages|lib/python3\.\d+)/", "", match["file"])
    file = re.sub(r"^.*?/(bot|nlu|kb|registry|backend_client)/", r"\1/", file)
    return f"{match['function']} ({file})"


def summarise(
    stacks: list[tuple[list[str], int]],
) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    """Total samples; samples by layer, by operation, and by innermost function (self time)."""
    total = 0
    layers: Counter[str] = Counter()
    operations: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    for frames, count in stacks:
        total += count
        shorts = [_short(frame) for frame in frames]
        functions[shorts[-1]] += count
        for frame in reversed(frames):
            layer = next((name for name, pattern in LAYERS if pattern.search(frame)), None)
            if layer is not None:
                layers[layer] += count
                break
        else:
            layers["other (interpreter, threads)"] += count
        for name, pattern in OPERATIONS:
            if any(pattern.search(short) for short in shorts):
                operations[name] += count
    return total, layers, operations, functions


def report(path: Path, messages: int | None, top: int) -> str:
    """The summary as Markdown."""
    total, layers, operations, functions = summarise(parse(path))
    rate = 250  # samples per second, as load_bench.py records them

    def row(name: str, count: int) -> str:
        share = 100 * count / total if total else 0.0
        per_message = f" | {1000 * count / rate / messages:.2f}" if messages else ""
        return f"| {name} | {share:.1f}%{per_message} |"

    unit = " | CPU ms/msg" if messages else ""
    lines = [f"{total} samples ({total / rate:.1f} s of CPU) in {path.name}", ""]
    lines += [f"| layer (innermost) | share{unit} |", "|---|---|" + ("---|" if messages else "")]
    lines += [row(name, count) for name, count in layers.most_common()]
    lines += ["", f"| operation (anywhere on the stack) | share{unit} |"]
    lines += ["|---|---|" + ("---|" if messages else "")]
    lines += [row(name, count) for name, count in operations.most_common()]
    lines += [
        "",
        f"| function (self time) | share{unit} |",
        "|---|---|" + ("---|" if messages else ""),
    ]
    lines += [row(name, count) for name, count in functions.most_common(top)]
    return "\n".join(lines)


def main() -> int:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--messages", type=int, help="messages in the profiled run")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(report(args.profile, args.messages, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
