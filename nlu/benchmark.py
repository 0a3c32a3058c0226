"""Embedded engine vs Rasa DIET: accuracy per writing style, latency, memory, cold start.

    python -m nlu.benchmark --write docs/nlu.md      (or scripts/nlu-benchmark.sh)

Measures on the held-out split ``nlu/eval`` (and 5-fold cross-validation on ``nlu/data`` for
the embedded engine), then replaces the generated section of ``docs/nlu.md``. Rasa is trained
with ``nlu/config.yml`` (cached by data hash) and queried over HTTP, the way the bot uses it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu
from nlu.entities import DEFAULT_DATA_DIR
from nlu.evaluation import STYLES, EvaluationReport, by_style, cross_validate, evaluate
from nlu.features import FEATURE_GROUPS
from nlu.rasa_process import (
    DEFAULT_CONFIG,
    process_tree_rss,
    rasa_python,
    run_server,
    train_model,
)
from nlu.training_data import Example, TrainingData, load_training_data

logger = logging.getLogger(__name__)

EVAL_DIR = Path(__file__).parent / "eval"
START_MARK = "<!-- benchmark:start -->"
END_MARK = "<!-- benchmark:end -->"
THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass
class EngineFigures:
    """Everything measured for one engine."""

    name: str
    overall: EvaluationReport | None = None
    styles: dict[str, EvaluationReport] = field(default_factory=dict)
    latency_ms: list[float] = field(default_factory=list)
    rss_bytes: int = 0
    cold_start: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def percentile(self, q: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        ordered = sorted(self.latency_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def score_by_style(
    predict: Callable[[str], str], examples: Sequence[Example]
) -> tuple[EvaluationReport, dict[str, EvaluationReport]]:
    """Overall and per-style reports for one predictor."""
    overall = evaluate(predict, examples)
    return overall, {s: evaluate(predict, ex) for s, ex in by_style(examples).items()}


_CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from pathlib import Path
from nlu.embedded import EmbeddedNlu
engine = EmbeddedNlu.load(cache_dir=Path(sys.argv[1]))
ready = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu_ready = usage.ru_utime + usage.ru_stime
for text in json.loads(sys.argv[2]):
    engine.parse_sync(text)
status = Path("/proc/self/status").read_text().splitlines()
rss = [int(l.split()[1]) * 1024 for l in status if l.startswith("VmRSS:")][0]
print(json.dumps({"ready_s": ready, "rss": rss, "cpu_s": cpu_ready}))
"""


def _child_run(cache_dir: Path, texts: Sequence[str]) -> tuple[dict[str, Any], float]:
    """Load the engine in a fresh interpreter; its own timings plus the process wall time."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(cache_dir), json.dumps(list(texts))],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    wall = time.perf_counter() - started
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def measure_embedded(examples: Sequence[Example], repeats: int) -> EngineFigures:
    """Accuracy, cross-validation, latency, memory and cold start of the embedded engine."""
    figures = EngineFigures("embedded")
    data = load_training_data(DEFAULT_DATA_DIR)
    engine = EmbeddedNlu.train(data)

    def predict(text: str) -> str:
        return engine.parse_sync(text).intent.name

    figures.overall, figures.styles = score_by_style(predict, examples)
    cv_overall, cv_styles = cross_validate(
        data, lambda d: (lambda e: lambda t: e.parse_sync(t).intent.name)(EmbeddedNlu.train(d))
    )
    figures.extra["cv"] = (cv_overall, cv_styles)
    figures.extra["thresholds"] = threshold_table(engine, examples)
    figures.extra["ablation"] = ablation_table(examples)
    figures.extra["style_model"] = style_model_accuracy(examples)

    texts = [e.text for e in examples]
    for text in texts[:50]:  # warm-up
        engine.parse_sync(text)
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter_ns()
            engine.parse_sync(text)
            figures.latency_ms.append((time.perf_counter_ns() - started) / 1e6)

    with tempfile.TemporaryDirectory(prefix="nlu-bench-") as tmp:
        cache = Path(tmp)
        rebuild, rebuild_wall = _child_run(cache, texts)
        load, load_wall = _child_run(cache, texts)
    figures.cold_start = {
        "rebuild_s": rebuild["ready_s"],
        "rebuild_cpu_s": rebuild["cpu_s"],
        "rebuild_process_s": rebuild_wall,
        "load_s": load["ready_s"],
        "load_cpu_s": load["cpu_s"],
        "load_process_s": load_wall,
    }
    figures.rss_bytes = int(load["rss"])
    return figures


def style_model_accuracy(examples: Sequence[Example]) -> tuple[float, int]:
    """Accuracy of the romanized-vs-English model on held-out Latin-letter messages."""
    from nlu.evaluation import style_of
    from nlu.style import default_style_model, latin_words

    model = default_style_model()
    right = total = 0
    for example in examples:
        style = style_of(example)
        words = latin_words(example.text)
        if style not in {"english", "romanized"} or not words:
            continue
        total += 1
        right += (model.romanized_probability(words) >= 0.5) == (style == "romanized")
    return (right / total if total else 0.0), total


ABLATIONS = {
    "all features (shipped)": FEATURE_GROUPS,
    "without concept pairs": FEATURE_GROUPS - {"pairs"},
    "without first/last words": FEATURE_GROUPS - {"edges"},
    "without concept lexicon": FEATURE_GROUPS - {"concepts", "pairs"},
    "without romanized skeletons": FEATURE_GROUPS - {"skeletons"},
    "without words and word pairs": FEATURE_GROUPS - {"words"},
    "character n-grams only": frozenset({"chars"}),
}


def ablation_table(examples: Sequence[Example]) -> list[tuple[str, float, float, float]]:
    """Cross-validated and held-out accuracy with feature families left out."""
    data = load_training_data(DEFAULT_DATA_DIR)
    rows = []
    for name, groups in ABLATIONS.items():

        def train(d: TrainingData, groups: frozenset[str] = groups) -> Callable[[str], str]:
            engine = EmbeddedNlu.train(d, groups=groups)
            return lambda t: engine.parse_sync(t).intent.name

        cv, _ = cross_validate(data, train)
        test = evaluate(train(data), examples)
        rows.append((name, cv.accuracy, cv.macro_f1, test.accuracy))
    return rows


def threshold_table(engine: EmbeddedNlu, examples: Sequence[Example]) -> list[dict[str, float]]:
    """For each candidate threshold: share asked to clarify, accuracy above and below it."""
    scored = []
    for example in examples:
        result = engine.parse_sync(example.text)
        top_two = {s.name for s in result.intent_ranking[:2]}
        scored.append(
            (
                result.intent.confidence,
                result.intent.name == example.intent,
                example.intent in top_two,
            )
        )
    rows = []
    for threshold in THRESHOLDS:
        above = [s for s in scored if s[0] >= threshold]
        below = [s for s in scored if s[0] < threshold]
        rows.append(
            {
                "threshold": threshold,
                "clarified": len(below) / len(scored),
                "accuracy_above": sum(s[1] for s in above) / len(above) if above else 1.0,
                "accuracy_below": sum(s[1] for s in below) / len(below) if below else float("nan"),
                "top_two_below": sum(s[2] for s in below) / len(below) if below else float("nan"),
            }
        )
    return rows


async def _rasa_parse_all(
    url: str, texts: Sequence[str], repeats: int
) -> tuple[list[str], list[float]]:
    """Intents for each text (first pass) and the latency of every request, in ms."""
    intents: list[str] = []
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        for round_ in range(repeats):
            for text in texts:
                started = time.perf_counter_ns()
                async with session.post(f"{url}/model/parse", json={"text": text}) as resp:
                    payload = await resp.json()
                latencies.append((time.perf_counter_ns() - started) / 1e6)
                if round_ == 0:
                    intents.append(str((payload.get("intent") or {}).get("name")))
    return intents, latencies


def measure_rasa(examples: Sequence[Example], repeats: int, workdir: Path) -> EngineFigures | None:
    """The same figures for Rasa DIET served by ``rasa run --enable-api``."""
    python = rasa_python()
    if python is None:
        logger.warning("Rasa environment missing (scripts/install-rasa.sh); skipping Rasa")
        return None
    figures = EngineFigures("rasa")
    model, train_seconds = train_model(python, DEFAULT_DATA_DIR, DEFAULT_CONFIG)
    figures.cold_start["train_s"] = train_seconds
    texts = [e.text for e in examples]
    with run_server(python, model, workdir) as server:
        figures.cold_start["server_ready_s"] = server.wait_ready(timeout=600)
        intents, latencies = asyncio.run(_rasa_parse_all(server.url, texts, repeats))
        figures.rss_bytes = process_tree_rss(server.process.pid)
    figures.latency_ms = latencies
    lookup = dict(zip(texts, intents, strict=True))
    figures.overall, figures.styles = score_by_style(lookup.__getitem__, examples)
    return figures


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def render(embedded: EngineFigures, rasa: EngineFigures | None, examples: int) -> str:
    """The generated Markdown section of docs/nlu.md."""
    lines = [
        START_MARK,
        "<!-- generated by `python -m nlu.benchmark --write docs/nlu.md`; do not edit -->",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores), "
        f"{examples} held-out messages in `nlu/eval/` ({examples // len(STYLES)} per writing "
        "style: 8 per intent, 9 for `ask_contact`).",
        "",
        "### Intent accuracy on the held-out split",
        "",
        "| writing style | embedded accuracy | embedded macro F1 | Rasa DIET accuracy "
        "| Rasa DIET macro F1 |",
        "|---|---|---|---|---|",
    ]
    for style in [*STYLES, "all"]:
        e = embedded.overall if style == "all" else embedded.styles.get(style)
        r = None
        if rasa is not None:
            r = rasa.overall if style == "all" else rasa.styles.get(style)
        if e is None:
            continue
        rasa_cells = f"{r.accuracy:.3f} | {r.macro_f1:.3f}" if r else "n/a | n/a"
        label = f"**{style}**" if style == "all" else style
        lines.append(f"| {label} | {e.accuracy:.3f} | {e.macro_f1:.3f} | {rasa_cells} |")

    lines += ["", "| `out_of_scope` recall (held-out) | embedded | Rasa DIET |", "|---|---|---|"]
    e_oos = embedded.overall.per_intent["out_of_scope"].recall if embedded.overall else 0.0
    r_oos = (
        f"{rasa.overall.per_intent['out_of_scope'].recall:.3f}"
        if rasa is not None and rasa.overall is not None
        else "n/a"
    )
    lines.append(f"| all styles | {e_oos:.3f} | {r_oos} |")
    style_acc = embedded.extra.get("style_model")
    if style_acc is not None:
        lines += [
            "",
            "### Writing-style model (`nlu/style.py`, romanized Khmer vs English)",
            "",
            f"Held-out Latin-letter messages of `test_english.yml` and `test_romanized.yml`: "
            f"{style_acc[0]:.3f} accuracy ({style_acc[1]} messages); trained on the two "
            "training files only.",
        ]

    cv_overall, cv_styles = embedded.extra["cv"]
    lines += [
        "",
        "### Embedded engine, 5-fold cross-validation on `nlu/data`",
        "",
        "| writing style | accuracy | macro F1 |",
        "|---|---|---|",
    ]
    for style, report in [*cv_styles.items(), ("**all**", cv_overall)]:
        lines.append(f"| {style} | {report.accuracy:.3f} | {report.macro_f1:.3f} |")

    lines += [
        "",
        "### What each feature family adds (embedded)",
        "",
        "| features | CV accuracy | CV macro F1 | held-out accuracy |",
        "|---|---|---|---|",
    ]
    for name, cv_acc, cv_f1, test_acc in embedded.extra["ablation"]:
        lines.append(f"| {name} | {cv_acc:.3f} | {cv_f1:.3f} | {test_acc:.3f} |")
    lines += [
        "",
        "### Speed and memory",
        "",
        "| | embedded | Rasa DIET (`POST /model/parse`) |",
        "|---|---|---|",
    ]
    rasa_p50 = rasa.percentile(50) if rasa else float("nan")
    rasa_p99 = rasa.percentile(99) if rasa else float("nan")
    lines.append(f"| parse p50 | {embedded.percentile(50):.3f} ms | {rasa_p50:.1f} ms |")
    lines.append(f"| parse p99 | {embedded.percentile(99):.3f} ms | {rasa_p99:.1f} ms |")
    if rasa:
        lines.append(
            f"| p50 speed-up | **{rasa_p50 / embedded.percentile(50):.0f}x** faster | 1x |"
        )
    lines.append(
        f"| resident memory | {_mb(embedded.rss_bytes)} (whole Python process, model loaded) | "
        + (f"{_mb(rasa.rss_bytes)} (server process tree) |" if rasa else "n/a |")
    )
    cs = embedded.cold_start
    rasa_ready = f"{rasa.cold_start['server_ready_s']:.1f} s to serve" if rasa else "n/a"
    rasa_train = rasa.cold_start.get("train_s", 0.0) if rasa else 0.0
    lines.append(
        f"| cold start, cached artifact | {cs['load_s']:.2f} s wall, {cs['load_cpu_s']:.2f} s "
        f"CPU ({cs['load_process_s']:.2f} s incl. interpreter) | {rasa_ready} |"
    )
    lines.append(
        f"| cold start, rebuild from data | {cs['rebuild_s']:.2f} s wall, "
        f"{cs['rebuild_cpu_s']:.2f} s CPU ({cs['rebuild_process_s']:.2f} s incl. interpreter) | "
        + (f"{rasa_train:.0f} s `rasa train nlu` |" if rasa_train else "cached |")
    )
    lines += [
        "",
        f"Machine load while measuring (1-minute load average): {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores. Wall-clock figures stretch when other jobs share the "
        "cores; CPU seconds do not.",
        "",
        f"Latency: every held-out message parsed {len(embedded.latency_ms) // examples} times "
        "in-process for the embedded engine; one HTTP request per message over a kept-alive "
        "session for Rasa.",
        "",
        "### Choosing the clarification threshold (embedded, held-out split)",
        "",
        "| threshold | asked to clarify | accuracy above | accuracy below "
        "| right intent in top two, below |",
        "|---|---|---|---|---|",
    ]
    for row in embedded.extra["thresholds"]:
        mark = " (chosen)" if abs(row["threshold"] - CLARIFY_THRESHOLD) < 1e-9 else ""
        lines.append(
            f"| {row['threshold']:.1f}{mark} | {row['clarified']:.1%} | "
            f"{row['accuracy_above']:.3f} | {row['accuracy_below']:.3f} | "
            f"{row['top_two_below']:.3f} |"
        )
    lines += ["", END_MARK]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace the generated section of a Markdown file (append it if there is none)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print (or write) the Markdown section."""
    parser = argparse.ArgumentParser(prog="python -m nlu.benchmark", description=__doc__)
    parser.add_argument("--write", type=Path, help="Markdown file whose section to replace")
    parser.add_argument("--no-rasa", action="store_true", help="measure the embedded engine only")
    parser.add_argument("--repeats", type=int, default=5, help="latency passes (embedded)")
    parser.add_argument("--rasa-repeats", type=int, default=1, help="latency passes (Rasa)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    examples = load_training_data(EVAL_DIR).examples
    embedded = measure_embedded(examples, args.repeats)
    logger.info(
        "embedded done: accuracy %.3f", embedded.overall.accuracy if embedded.overall else 0
    )
    rasa = None
    if not args.no_rasa:
        with tempfile.TemporaryDirectory(prefix="rasa-bench-") as tmp:
            rasa = measure_rasa(examples, args.rasa_repeats, Path(tmp))
    section = render(embedded, rasa, len(examples))
    if args.write:
        write_section(args.write, section)
        logger.info("wrote %s", args.write)
    else:
        print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
