"""Log lines never carry phone numbers, user ids, names or tokens; JSON lines parse."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging

BOT_TOKEN = "123456789:AAE-fake_token_for_the_cets_bot-xyz"
PAGE_TOKEN = "EAABsbCS1iHgBAKZCZCfakepagetokenvalue"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def emit(monkeypatch: pytest.MonkeyPatch, log_format: str) -> str:
    monkeypatch.setenv("CETS_LOG_FORMAT", log_format)
    monkeypatch.setenv("CETS_LOG_LEVEL", "INFO")
    stream = io.StringIO()
    for handler in list(logging.getLogger().handlers):  # only ours should write here
        logging.getLogger().removeHandler(handler)
    configure_logging(stream=stream)
    log = logging.getLogger("bot.test")
    log.info("message from %s, phone %s", "7012345678901234", "+855 12 345 678")
    log.info("call 012345678 or 85598765432 about the shop")
    log.warning("POST https://api.telegram.org/bot%s/sendMessage failed", BOT_TOKEN)
    log.warning("user %r", {"first_name": "Sokha", "last_name": "Chan", "username": "sokha_kh"})
    log.info("Authorization: Bearer %s and ?hub.verify_token=my-verify-secret&x=1", PAGE_TOKEN)
    try:
        raise KeyError(f"no conversation for telegram:700000123 token {BOT_TOKEN}")
    except KeyError:
        log.exception("turn failed for 700000123")
    log.info("3 events stored on 2026-01-02 in 12 ms")
    return stream.getvalue()


SECRETS = (
    "7012345678901234",
    "12 345 678",
    "012345678",
    "85598765432",
    "700000123",
    BOT_TOKEN,
    BOT_TOKEN.split(":")[1],
    PAGE_TOKEN,
    "Sokha",
    "Chan",
    "sokha_kh",
    "my-verify-secret",
)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_personal_data_and_secrets_are_redacted(
    monkeypatch: pytest.MonkeyPatch, log_format: str
) -> None:
    output = emit(monkeypatch, log_format)
    leaked = [secret for secret in SECRETS if secret in output]
    assert leaked == []
    assert "***34" in output  # the tail keeps lines apart
    assert "3 events stored on 2026-01-02 in 12 ms" in output  # ordinary numbers stay
    assert "KeyError" in output  # the traceback is kept, redacted


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_have_time_level_logger_and_message(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = emit(monkeypatch, "json").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 7
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert records[2]["level"] == "WARNING" and records[2]["logger"] == "bot.test"
    assert "Traceback" in records[5]["exc_info"]
