"""One file limit from configuration, shared by the intake, both channels and the registry."""

from __future__ import annotations

import base64
import json

import pytest

from backend_client import ValidationError
from backend_client.models import EvidenceItem
from bot.channels.messenger.config import MessengerConfig, MessengerConfigError
from bot.channels.telegram.config import TelegramConfig, TelegramConfigError
from bot.intake import FileLimits, FileLimitsError
from registry.evidence import check_evidence
from registry.http_server import max_body_bytes

MIB = 1024 * 1024
TOKEN = "123456789:secret-token-value"


@pytest.fixture(autouse=True)
def messenger_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESSENGER_PAGE_ACCESS_TOKEN", "page-token")
    for name in ("MESSENGER_GRAPH_API_URL", "MESSENGER_SEND_ATTEMPTS", "TELEGRAM_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


def test_the_default_is_telegrams_20_mib_for_everyone() -> None:
    assert FileLimits.from_env().max_file_bytes == 20 * MIB
    assert TelegramConfig.from_env(TOKEN).max_download_bytes == 20 * MIB
    assert MessengerConfig.for_page_setup().max_attachment_bytes == 20 * MIB


def test_cets_max_file_bytes_sets_it_for_every_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CETS_MAX_FILE_BYTES", str(5 * MIB))
    assert FileLimits.from_env().max_file_bytes == 5 * MIB
    assert TelegramConfig.from_env(TOKEN).max_download_bytes == 5 * MIB
    assert MessengerConfig.for_page_setup().max_attachment_bytes == 5 * MIB


def test_a_channel_may_lower_the_limit_but_never_raise_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CETS_MAX_FILE_BYTES", str(5 * MIB))
    monkeypatch.setenv("TELEGRAM_MAX_DOWNLOAD_MB", "2")
    monkeypatch.setenv("MESSENGER_MAX_ATTACHMENT_BYTES", "4096")
    assert TelegramConfig.from_env(TOKEN).max_download_bytes == 2 * MIB
    assert MessengerConfig.for_page_setup().max_attachment_bytes == 4096
    monkeypatch.setenv("TELEGRAM_MAX_DOWNLOAD_MB", "6")
    monkeypatch.setenv("MESSENGER_MAX_ATTACHMENT_BYTES", str(25 * MIB))
    with pytest.raises(TelegramConfigError, match="can only lower that limit"):
        TelegramConfig.from_env(TOKEN)
    with pytest.raises(MessengerConfigError, match="CETS_MAX_FILE_BYTES"):
        MessengerConfig.for_page_setup()


@pytest.mark.parametrize("value", ["twenty", "0", "-5", "1.5"])
def test_an_unusable_limit_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CETS_MAX_FILE_BYTES", value)
    with pytest.raises(FileLimitsError, match="CETS_MAX_FILE_BYTES must be a positive whole"):
        FileLimits.from_env()


def evidence(size: int) -> EvidenceItem:
    return EvidenceItem("receipt.jpg", "image/jpeg", b"\xff" * size, criterion=2)


def test_the_registry_takes_what_the_channels_take(monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_evidence(evidence(20 * MIB), for_application=True).data  # was 10 MB before
    with pytest.raises(ValidationError, match=f"1 to {20 * MIB} bytes") as caught:
        check_evidence(evidence(20 * MIB + 1), for_application=True)
    assert caught.value.fields == ("data",)
    monkeypatch.setenv("CETS_MAX_FILE_BYTES", str(MIB))
    with pytest.raises(ValidationError):
        check_evidence(evidence(MIB + 1), for_application=True)


def test_the_registry_server_accepts_a_body_with_a_file_at_the_limit() -> None:
    limits = FileLimits()
    body = json.dumps(
        {
            "filename": "x" * 255,
            "mime_type": "application/pdf",
            "data": base64.b64encode(b"\x00" * limits.max_file_bytes).decode(),
            "criterion": None,
            "document": "d",
            "idempotency_key": "k" * 128,
        }
    )
    assert len(body) < max_body_bytes(limits) < len(body) + 2 * MIB
