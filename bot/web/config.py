"""The public register's settings, read from the environment when the server starts."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.env import env_flag, env_positive_int
from bot.public_links import PublicLinks

DEFAULT_SEARCHES_PER_MINUTE = 30
DEFAULT_SEARCH_BURST = 10
DEFAULT_PAGE_MAX_AGE = 60


class RegisterConfigError(ValueError):
    """A public register setting is unusable."""


@dataclass(frozen=True, slots=True)
class RegisterConfig:
    """Links, the search rate limit and cache lifetimes of the public register.

    ``trust_forwarded_for`` says the server sits behind a reverse proxy that appends the
    client's address to ``X-Forwarded-For``: the rate limit then counts that address instead
    of the proxy's.
    """

    links: PublicLinks = field(default_factory=PublicLinks)
    searches_per_minute: int = DEFAULT_SEARCHES_PER_MINUTE
    search_burst: int = DEFAULT_SEARCH_BURST
    trust_forwarded_for: bool = False
    page_max_age: int = DEFAULT_PAGE_MAX_AGE

    @classmethod
    def from_env(cls) -> RegisterConfig:
        """``CETS_PUBLIC_BASE_URL``, ``TELEGRAM_BOT_USERNAME``, ``MESSENGER_PAGE_USERNAME``,
        ``CETS_SEARCHES_PER_MINUTE``, ``CETS_SEARCH_BURST``, ``CETS_TRUST_FORWARDED_FOR``,
        ``CETS_PUBLIC_PAGE_MAX_AGE`` (seconds)."""
        return cls(
            links=PublicLinks.from_env(),
            searches_per_minute=env_positive_int(
                "CETS_SEARCHES_PER_MINUTE", DEFAULT_SEARCHES_PER_MINUTE, RegisterConfigError
            ),
            search_burst=env_positive_int(
                "CETS_SEARCH_BURST", DEFAULT_SEARCH_BURST, RegisterConfigError
            ),
            trust_forwarded_for=env_flag("CETS_TRUST_FORWARDED_FOR", RegisterConfigError),
            page_max_age=env_positive_int(
                "CETS_PUBLIC_PAGE_MAX_AGE", DEFAULT_PAGE_MAX_AGE, RegisterConfigError
            ),
        )
