"""``cets-bot nlu ...``: parse a message, evaluate a test file, rebuild the model.

The bot's command line registers these through :func:`register`; ``python -m nlu.cli`` runs
them on their own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from nlu.embedded import EmbeddedNlu, default_cache_dir
from nlu.entities import DEFAULT_DATA_DIR
from nlu.evaluation import EvaluationReport, by_style, evaluate
from nlu.factory import open_nlu_engine
from nlu.interface import NluEngine, ParseResult
from nlu.training_data import TrainingDataError, load_training_data


def _engine_args(parser: argparse.ArgumentParser) -> None:
    """Options that choose the engine (embedded unless a Rasa URL is given)."""
    parser.add_argument(
        "--url",
        default=os.environ.get("CETS_NLU_URL") or None,
        help="Rasa server URL (default: $CETS_NLU_URL; embedded engine when unset)",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="NLU data (default nlu/data)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="model cache directory")


async def _parse_all(args: argparse.Namespace, texts: Sequence[str]) -> list[ParseResult]:
    """Parse texts with the engine the arguments choose, closing it afterwards."""
    engine: NluEngine = await open_nlu_engine(
        args.url, data_dir=args.data_dir, cache_dir=args.cache_dir
    )
    try:
        return [await engine.parse(text) for text in texts]
    finally:
        await engine.close()


def cmd_parse(args: argparse.Namespace) -> int:
    """Print Rasa-compatible JSON for one message."""
    (result,) = asyncio.run(_parse_all(args, [args.text]))
    print(json.dumps(result.as_rasa(), ensure_ascii=False, indent=2))
    return 0


def format_report(title: str, report: EvaluationReport) -> str:
    """A plain-text table: accuracy, macro F1 and per-intent precision/recall/F1."""
    lines = [
        f"{title}: {report.count} examples",
        f"accuracy  {report.accuracy:.3f}",
        f"macro F1  {report.macro_f1:.3f}",
        "",
        f"{'intent':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}",
    ]
    for name, m in sorted(report.per_intent.items()):
        lines.append(f"{name:<20} {m.precision:>9.3f} {m.recall:>7.3f} {m.f1:>6.3f} {m.support:>4}")
    return "\n".join(lines)


def cmd_test(args: argparse.Namespace) -> int:
    """Evaluate intents on Rasa-format NLU files (per writing style when they say one)."""
    try:
        examples = load_training_data(*args.files).examples
    except (TrainingDataError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not examples:
        print("error: no intent examples found", file=sys.stderr)
        return 2
    results = asyncio.run(_parse_all(args, [e.text for e in examples]))
    lookup = {e.text: r.intent.name for e, r in zip(examples, results, strict=True)}
    by_text: Callable[[str], str] = lookup.__getitem__
    overall = evaluate(by_text, examples)
    styles = by_style(examples)
    per_style = {s: evaluate(by_text, ex) for s, ex in styles.items()} if len(styles) > 1 else {}
    if args.json:
        data = overall.as_json()
        if per_style:
            data["styles"] = {
                s: {
                    "accuracy": round(r.accuracy, 4),
                    "macro_f1": round(r.macro_f1, 4),
                    "count": r.count,
                }
                for s, r in per_style.items()
            }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(format_report(", ".join(str(f) for f in args.files), overall))
    for style, report in per_style.items():
        print(f"  {style:<10} accuracy {report.accuracy:.3f}  macro F1 {report.macro_f1:.3f}")
    if overall.errors and args.errors:
        print("\nmisclassified:")
        for text, expected, got in overall.errors:
            print(f"  {expected:>18} -> {got:<18} {text}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Rebuild the embedded model artifact from the data, ignoring any cached one."""
    started = time.perf_counter()
    cache_dir = args.cache_dir or default_cache_dir()
    engine = EmbeddedNlu.load(args.data_dir, cache_dir, force_train=True)
    took = time.perf_counter() - started
    print(
        f"trained {len(engine.model.classes)} intents, {len(engine.model.vocabulary)} features "
        f"from {args.data_dir or DEFAULT_DATA_DIR} in {took:.2f} s; cache {cache_dir}"
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``nlu`` command (``parse``, ``test``, ``train``) to a command-line parser."""
    nlu = subparsers.add_parser("nlu", help="Khmer/English understanding: parse, test, train")
    commands = nlu.add_subparsers(dest="nlu_command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="print Rasa-compatible JSON for a message")
    parse.add_argument("text", help="the message")
    _engine_args(parse)
    parse.set_defaults(func=cmd_parse)

    test = commands.add_parser("test", help="evaluate intents on Rasa-format NLU YAML")
    test.add_argument("files", nargs="+", type=Path, metavar="FILE.yml", help="files or dirs")
    test.add_argument("--json", action="store_true", help="print JSON")
    test.add_argument("--errors", action="store_true", help="list misclassified messages")
    _engine_args(test)
    test.set_defaults(func=cmd_test)

    train = commands.add_parser("train", help="rebuild the embedded model artifact")
    train.add_argument("--data-dir", type=Path, default=None, help="NLU data (default nlu/data)")
    train.add_argument("--cache-dir", type=Path, default=None, help="model cache directory")
    train.set_defaults(func=cmd_train)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m nlu.cli``."""
    parser = argparse.ArgumentParser(prog="python -m nlu.cli")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
