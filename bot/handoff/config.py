"""The handoff's configuration: the officers' Telegram forum, the timeout, the transcript size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from bot.env import env_positive_int, env_text
from bot.i18n import DEFAULT_LOCALE, normalise_locale

DEFAULT_TIMEOUT_HOURS: Final = 24
DEFAULT_TRANSCRIPT_TURNS: Final = 10


class HandoffConfigError(ValueError):
    """A handoff setting is present but unusable."""


@dataclass(frozen=True, slots=True)
class HandoffConfig:
    """``officer_chat_id``: the forum supergroup where each handed-over user gets a topic.

    Without it the bot gives the Ministry's contacts instead. ``timeout``: after this long
    without an officer's message the user is back with the bot. ``officer_locale``: the
    language of the bot's own messages in the officers' group.
    """

    officer_chat_id: int | None = None
    timeout: timedelta = timedelta(hours=DEFAULT_TIMEOUT_HOURS)
    transcript_turns: int = DEFAULT_TRANSCRIPT_TURNS
    officer_locale: str = DEFAULT_LOCALE

    @classmethod
    def from_env(cls) -> HandoffConfig:
        """``TELEGRAM_OFFICER_CHAT_ID``, ``CETS_HANDOFF_TIMEOUT_HOURS``,
        ``CETS_HANDOFF_TRANSCRIPT_TURNS``, ``CETS_OFFICER_LOCALE``."""
        raw = env_text("TELEGRAM_OFFICER_CHAT_ID")
        chat_id: int | None = None
        if raw:
            if not raw.lstrip("-").isdigit():
                raise HandoffConfigError(
                    "TELEGRAM_OFFICER_CHAT_ID must be the numeric id of the officers' forum "
                    "supergroup, e.g. -1001234567890"
                )
            chat_id = int(raw)
        locale_text = env_text("CETS_OFFICER_LOCALE")
        locale = normalise_locale(locale_text) if locale_text else DEFAULT_LOCALE
        if locale is None:
            raise HandoffConfigError("CETS_OFFICER_LOCALE must be km or en")
        return cls(
            officer_chat_id=chat_id,
            timeout=timedelta(
                hours=env_positive_int(
                    "CETS_HANDOFF_TIMEOUT_HOURS", DEFAULT_TIMEOUT_HOURS, HandoffConfigError
                )
            ),
            transcript_turns=env_positive_int(
                "CETS_HANDOFF_TRANSCRIPT_TURNS", DEFAULT_TRANSCRIPT_TURNS, HandoffConfigError
            ),
            officer_locale=locale,
        )
