"""The Rasa adapter against a real Rasa 3.6.21 server trained on nlu/data.

Needs the Rasa virtual environment (``scripts/install-rasa.sh``; ``CETS_RASA_PYTHON`` to point
elsewhere). Without it the tests skip, except in CI (``CI=true``) where they fail. The trained
model is cached under ``~/.cache/cets/rasa-models`` (or ``$CETS_RASA_MODEL_DIR``) by a
hash of the data and ``nlu/config.yml``, so only the first run trains.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nlu.embedded import EmbeddedNlu
from nlu.factory import open_nlu_engine
from nlu.interface import Intent, NluEngine
from nlu.rasa_http import RasaHttpNlu
from nlu.rasa_process import RasaServer, free_port, rasa_python, run_server, train_model

pytestmark = pytest.mark.rasa

DATA_DIR = Path(__file__).resolve().parents[2] / "nlu" / "data"


@pytest.fixture(scope="module")
def rasa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServer]:
    python = rasa_python()
    if python is None:
        message = (
            "Rasa 3.6.21 virtual environment not found: run scripts/install-rasa.sh "
            "or set CETS_RASA_PYTHON"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    log_dir = tmp_path_factory.mktemp("rasa")
    model, _ = train_model(python, DATA_DIR, log_path=log_dir / "train.log")
    with run_server(python, model, log_dir) as server:
        server.wait_ready(timeout=300)
        yield server


def raw_parse(server: RasaServer, text: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{server.url}/model/parse",
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        data: dict[str, Any] = json.load(response)
        return data


@pytest.mark.parametrize(
    "text",
    ["what documents do i need", "ខ្ញុំចង់ដាក់ពាក្យ", "tlai ponman", "is 012 345 678 a real shop"],
)
async def test_adapter_reports_what_rasa_understood(rasa_server: RasaServer, text: str) -> None:
    raw = raw_parse(rasa_server, text)
    engine = await open_nlu_engine(rasa_server.url)
    try:
        assert isinstance(engine, RasaHttpNlu)
        result = await engine.parse(text)
    finally:
        await engine.close()
    assert result.text == text
    assert result.intent.name == raw["intent"]["name"]
    assert result.intent.confidence == pytest.approx(raw["intent"]["confidence"])
    assert [s.name for s in result.intent_ranking][:3] == [
        r["name"] for r in raw["intent_ranking"][:3]
    ]
    assert {s.name for s in result.intent_ranking} <= {i.value for i in Intent}


async def test_rasa_learned_the_shipped_examples(rasa_server: RasaServer) -> None:
    engine = RasaHttpNlu(rasa_server.url)
    try:
        fee = await engine.parse("how much does it cost")
        apply = await engine.parse("ខ្ញុំចង់ដាក់ពាក្យ")
    finally:
        await engine.close()
    assert fee.intent.name == Intent.ASK_FEE.value
    assert apply.intent.name == Intent.APPLY.value


async def test_entities_are_ours_whatever_rasa_says(rasa_server: RasaServer) -> None:
    engine = RasaHttpNlu(rasa_server.url)
    try:
        result = await engine.parse("លេខ ០១២ ៣៤៥ ៦៧៨ ជាហាងពិតទេ")
    finally:
        await engine.close()
    assert [(e.entity, e.value, e.start, e.end) for e in result.entities] == [
        ("phone", "+85512345678", 4, 15)
    ]


async def test_closed_port_falls_back_to_embedded(
    rasa_server: RasaServer, engine: EmbeddedNlu, caplog: pytest.LogCaptureFixture
) -> None:
    async def fallback() -> NluEngine:
        return engine

    adapter = RasaHttpNlu(f"http://127.0.0.1:{free_port()}", fallback_factory=fallback)
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_http"):
        result = await adapter.parse("ot ban torng eyvan")
    await adapter.close()
    assert result.intent.name == Intent.COMPLAIN.value
    assert any("using the embedded engine" in r.getMessage() for r in caplog.records)
