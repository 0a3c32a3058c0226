"""``cets-bot nlu ...`` through the argparse registration the bot's CLI uses."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from nlu import cli

EVAL_DIR = Path(__file__).resolve().parents[2] / "nlu" / "eval"


def run(argv: list[str], cache_dir: Path) -> int:
    parser = argparse.ArgumentParser(prog="cets-bot")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([*argv[:2], *argv[2:], "--cache-dir", str(cache_dir)])
    code: int = args.func(args)
    return code


@pytest.fixture(autouse=True)
def _no_rasa_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CETS_NLU_URL", raising=False)


def test_parse_prints_rasa_json(capsys: pytest.CaptureFixture[str], nlu_cache_dir: Path) -> None:
    assert run(["nlu", "parse", "APP-២០២៤-០០០១២៣ ដល់ណាហើយ"], nlu_cache_dir) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["text"] == "APP-២០២៤-០០០១២៣ ដល់ណាហើយ"
    assert data["intent"]["name"] == "application_status"
    assert data["intent_ranking"][0] == data["intent"]
    assert data["entities"] == [
        {"entity": "application_id", "value": "APP-2024-000123", "start": 0, "end": 15}
    ]


def test_test_json_has_accuracy_and_macro_f1(
    capsys: pytest.CaptureFixture[str], nlu_cache_dir: Path
) -> None:
    assert run(["nlu", "test", str(EVAL_DIR / "test_english.yml"), "--json"], nlu_cache_dir) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == 185  # 8 per intent; human_agent/ask_contact relabelled (docs/nlu.md)
    assert 0.8 < data["accuracy"] <= 1.0
    assert 0.8 < data["macro_f1"] <= 1.0
    assert set(data["per_intent"]["ask_fee"]) == {"precision", "recall", "f1", "support"}


def test_test_table_reports_each_style(
    capsys: pytest.CaptureFixture[str], nlu_cache_dir: Path
) -> None:
    assert run(["nlu", "test", str(EVAL_DIR)], nlu_cache_dir) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "macro F1" in out
    for style in ("khmer", "english", "mixed", "romanized"):
        assert f"  {style}" in out
    assert "ask_fee" in out


def test_test_of_a_missing_file_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(["nlu", "test", str(tmp_path / "nope.yml")], tmp_path) == 2
    assert "no such file" in capsys.readouterr().err


def test_train_writes_the_artifact(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(["nlu", "train"], tmp_path) == 0
    assert "trained 23 intents" in capsys.readouterr().out
    assert list(tmp_path.glob("intent-model-*.npz"))
