"""The Telegram channel's configuration, read from the environment. Secrets are never shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from bot.env import env_flag, env_positive_int, env_positive_number, env_text
from bot.intake.limits import DEFAULT_MAX_FILE_BYTES, FileLimits

DEFAULT_API_BASE_URL: Final = "https://api.telegram.org/bot"
DEFAULT_API_BASE_FILE_URL: Final = "https://api.telegram.org/file/bot"
DEFAULT_POLL_TIMEOUT: Final = 30
# Telegram's broadcast limit: about 30 messages a second to different chats.
DEFAULT_MAX_SENDS_PER_SECOND: Final = 30.0
# The photos of an album arrive as separate updates; wait this long after the last one.
DEFAULT_ALBUM_SECONDS: Final = 1.0
# Telegram allows 1-256 characters A-Z, a-z, 0-9, "_" and "-" in a webhook secret token.
_SECRET_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramConfigError(ValueError):
    """A Telegram setting is missing or unusable."""


def _http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise TelegramConfigError(f"{name} must be an http(s) URL")
    return value


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """Everything the Telegram channel reads from its environment.

    ``webhook_url`` set means webhook mode (Telegram calls ``POST /telegram/webhook``);
    unset means long polling, which works from a laptop behind NAT.
    """

    bot_token: str = field(repr=False)
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    api_base_file_url: str = DEFAULT_API_BASE_FILE_URL
    local_mode: bool = False
    # The shared file limit (CETS_MAX_FILE_BYTES); the cloud Bot API serves at most 20 MB.
    max_download_bytes: int = DEFAULT_MAX_FILE_BYTES
    poll_timeout: int = DEFAULT_POLL_TIMEOUT
    max_sends_per_second: float = DEFAULT_MAX_SENDS_PER_SECOND
    album_seconds: float = DEFAULT_ALBUM_SECONDS
    # Off only where Telegram's limits do not apply (a local Bot API server, a load benchmark).
    rate_limiter: bool = True

    @property
    def uses_webhook(self) -> bool:
        """True when Telegram pushes updates to our webhook; False for long polling."""
        return self.webhook_url is not None

    @property
    def max_download_mb(self) -> int:
        """The download limit in whole megabytes, as told to users."""
        return self.max_download_bytes // (1024 * 1024)

    @classmethod
    def from_env(cls, bot_token: str, limits: FileLimits | None = None) -> TelegramConfig:
        """Read TELEGRAM_* variables (``.env`` was loaded into the environment at start).

        The download limit is the shared one (``limits``, else ``CETS_MAX_FILE_BYTES``);
        ``TELEGRAM_MAX_DOWNLOAD_MB`` may only lower it.
        """
        if not bot_token:
            raise TelegramConfigError("TELEGRAM_BOT_TOKEN is not set")
        webhook_url = env_text("TELEGRAM_WEBHOOK_URL") or None
        secret = env_text("TELEGRAM_WEBHOOK_SECRET") or None
        if webhook_url is not None:
            _http_url("TELEGRAM_WEBHOOK_URL", webhook_url)
            if secret is None:
                raise TelegramConfigError(
                    "TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set"
                )
        if secret is not None and not _SECRET_PATTERN.fullmatch(secret):
            raise TelegramConfigError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
            )
        api_base_url = env_text("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL
        api_base_file_url = env_text("TELEGRAM_API_BASE_FILE_URL") or DEFAULT_API_BASE_FILE_URL
        lower_mb = env_positive_int("TELEGRAM_MAX_DOWNLOAD_MB", 0, TelegramConfigError)
        max_download_bytes = (limits or FileLimits.from_env()).lowered(
            lower_mb * 1024 * 1024 if lower_mb else None,
            "TELEGRAM_MAX_DOWNLOAD_MB",
            TelegramConfigError,
        )
        return cls(
            bot_token=bot_token,
            webhook_url=webhook_url,
            webhook_secret=secret,
            api_base_url=_http_url("TELEGRAM_API_BASE_URL", api_base_url),
            api_base_file_url=_http_url("TELEGRAM_API_BASE_FILE_URL", api_base_file_url),
            local_mode=env_flag("TELEGRAM_LOCAL_MODE", TelegramConfigError),
            max_download_bytes=max_download_bytes,
            poll_timeout=env_positive_int(
                "TELEGRAM_POLL_TIMEOUT", DEFAULT_POLL_TIMEOUT, TelegramConfigError
            ),
            max_sends_per_second=env_positive_number(
                "TELEGRAM_MAX_SENDS_PER_SECOND", DEFAULT_MAX_SENDS_PER_SECOND, TelegramConfigError
            ),
            album_seconds=env_positive_number(
                "TELEGRAM_ALBUM_SECONDS", DEFAULT_ALBUM_SECONDS, TelegramConfigError
            ),
            rate_limiter=not env_flag("TELEGRAM_RATE_LIMITER_OFF", TelegramConfigError),
        )
