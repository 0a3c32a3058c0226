"""The channel's configuration from the environment: defaults, webhook vs polling, mistakes."""

from __future__ import annotations

import dataclasses

import pytest

from bot.channels.telegram.config import TelegramConfig, TelegramConfigError
from bot.server import build_web_app
from bot.settings import Settings

TOKEN = "123456789:secret-token-value"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No TELEGRAM_* variable from the developer's shell."""
    for name in (
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_WEBHOOK_SECRET",
        "TELEGRAM_API_BASE_URL",
        "TELEGRAM_API_BASE_FILE_URL",
        "TELEGRAM_LOCAL_MODE",
        "TELEGRAM_MAX_DOWNLOAD_MB",
        "TELEGRAM_POLL_TIMEOUT",
        "CETS_MAX_FILE_BYTES",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_the_cloud_bot_api_and_long_polling() -> None:
    config = TelegramConfig.from_env(TOKEN)
    assert config.api_base_url == "https://api.telegram.org/bot"
    assert config.api_base_file_url == "https://api.telegram.org/file/bot"
    assert not config.uses_webhook and not config.local_mode
    assert config.max_download_bytes == 20 * 1024 * 1024
    assert TOKEN not in repr(config)


def test_a_self_hosted_bot_api_server_with_a_webhook(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.moc.gov.kh/telegram/webhook")
    clean_env.setenv("TELEGRAM_WEBHOOK_SECRET", "Abc_123-xyz")
    clean_env.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    clean_env.setenv("TELEGRAM_API_BASE_FILE_URL", "http://127.0.0.1:8081/file/bot")
    clean_env.setenv("CETS_MAX_FILE_BYTES", str(2000 * 1024 * 1024))  # a local server serves 2 GB
    clean_env.setenv("TELEGRAM_LOCAL_MODE", "true")
    config = TelegramConfig.from_env(TOKEN)
    assert config.uses_webhook and config.local_mode
    assert config.api_base_url == "http://127.0.0.1:8081/bot"
    assert config.max_download_mb == 2000
    assert "Abc_123-xyz" not in repr(config)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/webhook"},
            "SECRET is required",
        ),
        ({"TELEGRAM_WEBHOOK_SECRET": "not allowed!"}, "must be 1-256 characters"),
        ({"TELEGRAM_WEBHOOK_URL": "bot.example.org", "TELEGRAM_WEBHOOK_SECRET": "a"}, "http"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org/bot"}, "http"),
        ({"TELEGRAM_MAX_DOWNLOAD_MB": "twenty"}, "whole number"),
        ({"TELEGRAM_MAX_DOWNLOAD_MB": "21"}, "can only lower"),
        ({"TELEGRAM_LOCAL_MODE": "maybe"}, "on or off"),
    ],
)
def test_configuration_mistakes_are_named(
    clean_env: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    with pytest.raises(TelegramConfigError, match=message):
        TelegramConfig.from_env(TOKEN)


def test_a_misconfigured_channel_stops_the_server_before_it_listens(
    clean_env: pytest.MonkeyPatch, settings: Settings
) -> None:
    clean_env.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/webhook")
    with pytest.raises(TelegramConfigError):
        build_web_app(dataclasses.replace(settings, telegram_bot_token=TOKEN))
