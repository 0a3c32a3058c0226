"""Configuration from the environment or a ``.env`` file. Secrets are never logged."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dotenv import load_dotenv

from bot.env import env_text

log = logging.getLogger(__name__)


class SettingsError(ValueError):
    """A configuration value is present but unusable."""


def _optional(name: str) -> str | None:
    return env_text(name) or None


# The registry server and the backend client read the bot's token from this variable.
BACKEND_TOKEN_VARIABLE = "CETS_REGISTRY_BOT_TOKEN"
DEPRECATED_BACKEND_TOKEN_VARIABLE = "CETS_BACKEND_TOKEN"


def backend_token_from_env() -> str | None:
    """The bot's registry token: CETS_REGISTRY_BOT_TOKEN, or the deprecated CETS_BACKEND_TOKEN."""
    token = _optional(BACKEND_TOKEN_VARIABLE)
    if token is not None:
        return token
    token = _optional(DEPRECATED_BACKEND_TOKEN_VARIABLE)
    if token is not None:
        log.warning(
            "%s is deprecated: name the registry token %s",
            DEPRECATED_BACKEND_TOKEN_VARIABLE,
            BACKEND_TOKEN_VARIABLE,
        )
    return token


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its environment."""

    data_dir: Path = Path("var")
    database_url: str = ""
    nlu_url: str | None = None
    backend_url: str | None = None
    backend_token: str | None = field(default=None, repr=False)
    khr_per_usd: Decimal | None = None
    telegram_bot_token: str | None = field(default=None, repr=False)
    messenger_page_access_token: str | None = field(default=None, repr=False)
    http_host: str = "127.0.0.1"
    http_port: int = 8080

    @property
    def has_channel_tokens(self) -> bool:
        """True when a real messaging channel is configured."""
        return bool(self.telegram_bot_token or self.messenger_page_access_token)

    @classmethod
    def from_env(cls, env_file: Path | None = Path(".env")) -> Settings:
        """Read settings from the process environment, after loading ``.env`` if present.

        Values already in the environment win over the file.
        """
        if env_file is not None and env_file.is_file():
            load_dotenv(env_file, override=False)
        data_dir = Path(os.environ.get("CETS_DATA_DIR", "var"))
        database_url = _optional("CETS_DATABASE_URL") or (
            f"sqlite+aiosqlite:///{(data_dir / 'cets.sqlite3').as_posix()}"
        )
        rate = _optional("CETS_KHR_PER_USD")
        try:
            khr_per_usd = Decimal(rate) if rate else None
        except InvalidOperation as exc:
            raise SettingsError("CETS_KHR_PER_USD must be a number, e.g. 4100") from exc
        if khr_per_usd is not None and khr_per_usd <= 0:
            raise SettingsError("CETS_KHR_PER_USD must be positive")
        port = os.environ.get("CETS_HTTP_PORT", "8080")
        if not port.isdigit() or not 0 <= int(port) <= 65535:
            raise SettingsError("CETS_HTTP_PORT must be a port number")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            nlu_url=_optional("CETS_NLU_URL"),
            backend_url=_optional("CETS_BACKEND_URL"),
            backend_token=backend_token_from_env(),
            khr_per_usd=khr_per_usd,
            telegram_bot_token=_optional("TELEGRAM_BOT_TOKEN"),
            messenger_page_access_token=_optional("MESSENGER_PAGE_ACCESS_TOKEN"),
            http_host=os.environ.get("CETS_HTTP_HOST", "127.0.0.1"),
            http_port=int(port),
        )
