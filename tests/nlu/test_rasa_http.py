"""The Rasa adapter against a recording fake Rasa server on loopback (real HTTP)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from nlu.embedded import EmbeddedNlu
from nlu.factory import open_nlu_engine
from nlu.interface import Intent, NluEngine
from nlu.rasa_http import RasaHttpNlu
from nlu.rasa_process import free_port


@dataclass
class FakeRasa:
    """Answers /model/parse with a canned intent and records what it was asked."""

    intent: str = "ask_fee"
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False

    async def parse(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        if self.fail:
            return web.Response(status=500, text="boom")
        return web.json_response(
            {
                "text": body["text"],
                "intent": {"name": self.intent, "confidence": 0.91},
                "intent_ranking": [
                    {"name": self.intent, "confidence": 0.91},
                    {"name": "nlu_fallback", "confidence": 0.05},
                    {"name": "apply", "confidence": 0.04},
                ],
                "entities": [{"entity": "phone", "value": "012", "start": 0, "end": 3}],
            }
        )

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response({"model_file": "fake.tar.gz"})


@pytest.fixture
async def fake_rasa() -> AsyncIterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/model/parse", fake.parse)
    app.router.add_get("/status", fake.status)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield fake, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def test_intent_comes_from_rasa_and_entities_from_our_rules(
    fake_rasa: tuple[FakeRasa, str],
) -> None:
    fake, url = fake_rasa
    engine = await open_nlu_engine(url)
    try:
        result = await engine.parse("tlai ponman ០១២ ៣៤៥ ៦៧៨")
    finally:
        await engine.close()
    assert fake.requests == [{"text": "tlai ponman ០១២ ៣៤៥ ៦៧៨"}]
    assert result.intent.name == "ask_fee"
    assert result.intent.confidence == pytest.approx(0.91)
    assert [s.name for s in result.intent_ranking] == ["ask_fee", "out_of_scope", "apply"]
    assert [(e.entity, e.value, e.start, e.end) for e in result.entities] == [
        ("phone", "+85512345678", 12, 23)
    ]


async def test_unknown_rasa_intent_becomes_out_of_scope(fake_rasa: tuple[FakeRasa, str]) -> None:
    fake, url = fake_rasa
    fake.intent = "nlu_fallback"
    engine = RasaHttpNlu(url)
    try:
        result = await engine.parse("???")
    finally:
        await engine.close()
    assert result.intent.name == Intent.OUT_OF_SCOPE.value


async def test_closed_port_falls_back_to_embedded_with_a_warning(
    engine: EmbeddedNlu, caplog: pytest.LogCaptureFixture
) -> None:
    async def fallback() -> NluEngine:
        return engine

    adapter = RasaHttpNlu(f"http://127.0.0.1:{free_port()}", fallback_factory=fallback)
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_http"):
        first = await adapter.parse("tlai ponman")
        second = await adapter.parse("ខ្ញុំចង់ប្តឹង")
    await adapter.close()
    assert first.intent.name == Intent.ASK_FEE.value
    assert second.intent.name == Intent.COMPLAIN.value
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # one warning per outage, not per message
    assert "using the embedded engine" in warnings[0].getMessage()


async def test_server_errors_fall_back_and_rasa_is_retried_later(
    fake_rasa: tuple[FakeRasa, str], engine: EmbeddedNlu
) -> None:
    fake, url = fake_rasa

    async def fallback() -> NluEngine:
        return engine

    adapter = RasaHttpNlu(url, fallback_factory=fallback, retry_after=0.0)
    try:
        fake.fail = True
        down = await adapter.parse("ot ban torng eyvan")
        fake.fail = False
        back = await adapter.parse("anything")
    finally:
        await adapter.close()
    assert down.intent.name == Intent.COMPLAIN.value  # from the embedded engine
    assert back.intent.name == "ask_fee"  # from Rasa again
    assert len(fake.requests) == 2


async def test_factory_without_url_gives_the_embedded_engine(nlu_cache_dir: Any) -> None:
    engine = await open_nlu_engine(None, cache_dir=nlu_cache_dir)
    try:
        assert isinstance(engine, EmbeddedNlu)
        assert (await engine.parse("orkun")).intent.name == Intent.THANKS.value
    finally:
        await engine.close()


async def test_factory_with_a_dead_server_answers_from_embedded(
    nlu_cache_dir: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_http"):
        engine = await open_nlu_engine(f"http://127.0.0.1:{free_port()}", cache_dir=nlu_cache_dir)
    try:
        assert (await engine.parse("susdey bong")).intent.name == Intent.GREET.value
    finally:
        await engine.close()
    assert any("unavailable" in r.getMessage() for r in caplog.records)
