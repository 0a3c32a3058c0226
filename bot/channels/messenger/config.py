"""The Messenger channel's configuration, read from the environment. Secrets are never shown."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

from bot.channels.messenger.attachments import AttachmentPolicy
from bot.env import env_flag, env_positive_number, env_text
from bot.intake.limits import DEFAULT_MAX_FILE_BYTES, FileLimits
from bot.settings import Settings

# The Graph API version the channel is written and tested against (released 29 July 2026).
DEFAULT_GRAPH_API_URL: Final = "https://graph.facebook.com/v26.0"


class MessengerConfigError(ValueError):
    """A Messenger setting is missing or unusable."""


DEFAULT_UTILITY_LANGUAGES: Final = (("km", "km"), ("en", "en"))


@dataclass(frozen=True, slots=True)
class UtilityTemplate:
    """A Page-owned utility message template for messages outside the 24-hour window.

    Its body has one text placeholder, filled with the message: ``{{1}}``, or the named
    ``{{<parameter>}}`` of a template created with ``parameter_format`` NAMED. ``languages``
    maps the bot's locales to the template's language codes.
    """

    name: str
    parameter: str | None = None
    languages: tuple[tuple[str, str], ...] = DEFAULT_UTILITY_LANGUAGES

    def language(self, locale: str) -> str:
        """The template language for a bot locale (the locale itself when not mapped)."""
        return dict(self.languages).get(locale, locale)


def _languages(value: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for item in value.split(","):
        locale, equals, code = item.strip().partition("=")
        if not equals or not locale.strip() or not code.strip():
            raise MessengerConfigError(
                "MESSENGER_UTILITY_TEMPLATE_LANGUAGES must look like km=km,en=en_US"
            )
        pairs.append((locale.strip(), code.strip()))
    return tuple(pairs)


def utility_template_from_env() -> UtilityTemplate | None:
    """MESSENGER_UTILITY_TEMPLATE (+ _PARAMETER, _LANGUAGES); None when not configured."""
    name = env_text("MESSENGER_UTILITY_TEMPLATE")
    if not name:
        return None
    languages = env_text("MESSENGER_UTILITY_TEMPLATE_LANGUAGES")
    return UtilityTemplate(
        name=name,
        parameter=env_text("MESSENGER_UTILITY_TEMPLATE_PARAMETER") or None,
        languages=_languages(languages) if languages else DEFAULT_UTILITY_LANGUAGES,
    )


@dataclass(frozen=True, slots=True)
class MessengerConfig:
    """Everything the Messenger channel needs: the Page's token, the app's secrets, limits."""

    page_access_token: str = field(repr=False)
    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    graph_api_url: str = DEFAULT_GRAPH_API_URL
    use_profile_locale: bool = False
    # The shared file limit (CETS_MAX_FILE_BYTES), below Messenger's own 25 MB.
    max_attachment_bytes: int = DEFAULT_MAX_FILE_BYTES
    send_attempts: int = 5
    retry_base_seconds: float = 1.0
    request_timeout_seconds: float = 20.0
    # Outside the 24-hour window: a utility template when configured, else held until the
    # user's next message. An officer's own reply may use the HUMAN_AGENT tag (7 days) only
    # when the Page has that permission and this is switched on.
    utility_template: UtilityTemplate | None = None
    human_agent_tag: bool = False
    # Where user files may be downloaded from; never read from the environment.
    attachment_policy: AttachmentPolicy = field(default_factory=AttachmentPolicy)
    # The Page's send budget, shared by every worker through Redis (CETS_REDIS_URL); unset:
    # no limit of our own (Meta's are per user and per day, answered with retryable errors).
    max_sends_per_second: float | None = None

    @classmethod
    def from_env(cls, settings: Settings | None = None) -> MessengerConfig:
        """Read the MESSENGER_* variables; the Page token may also come from ``settings``.

        Raises :class:`MessengerConfigError` naming the first missing or invalid variable,
        never its value.
        """
        token = env_text("MESSENGER_PAGE_ACCESS_TOKEN") or (
            settings.messenger_page_access_token if settings else None
        )
        if not token:
            raise MessengerConfigError("MESSENGER_PAGE_ACCESS_TOKEN is not set")
        app_secret = env_text("MESSENGER_APP_SECRET")
        if not app_secret:
            raise MessengerConfigError(
                "MESSENGER_APP_SECRET is not set: webhook deliveries cannot be verified"
            )
        verify_token = env_text("MESSENGER_VERIFY_TOKEN")
        if not verify_token:
            raise MessengerConfigError("MESSENGER_VERIFY_TOKEN is not set")
        return cls.for_page_setup(token).with_webhook(app_secret, verify_token)

    @classmethod
    def for_page_setup(
        cls, page_access_token: str | None = None, limits: FileLimits | None = None
    ) -> MessengerConfig:
        """The settings the page setup command needs (the Page token and the Graph API URL).

        The attachment limit is the shared one (``limits``, else ``CETS_MAX_FILE_BYTES``);
        ``MESSENGER_MAX_ATTACHMENT_BYTES`` may only lower it.
        """
        token = page_access_token or env_text("MESSENGER_PAGE_ACCESS_TOKEN")
        if not token:
            raise MessengerConfigError("MESSENGER_PAGE_ACCESS_TOKEN is not set")
        url = (env_text("MESSENGER_GRAPH_API_URL") or DEFAULT_GRAPH_API_URL).rstrip("/")
        if not url.startswith(("https://", "http://")):
            raise MessengerConfigError("MESSENGER_GRAPH_API_URL must be an http(s) URL")
        lower_bytes = env_positive_number("MESSENGER_MAX_ATTACHMENT_BYTES", 0, MessengerConfigError)
        max_bytes = (limits or FileLimits.from_env()).lowered(
            int(lower_bytes) if lower_bytes else None,
            "MESSENGER_MAX_ATTACHMENT_BYTES",
            MessengerConfigError,
        )
        attempts = env_positive_number("MESSENGER_SEND_ATTEMPTS", 5, MessengerConfigError)
        return cls(
            page_access_token=token,
            app_secret="",
            verify_token="",
            graph_api_url=url,
            use_profile_locale=env_flag("MESSENGER_USE_PROFILE_LOCALE", MessengerConfigError),
            max_attachment_bytes=max_bytes,
            send_attempts=max(1, int(attempts)),
            retry_base_seconds=env_positive_number(
                "MESSENGER_RETRY_BASE_SECONDS", 1.0, MessengerConfigError
            ),
            utility_template=utility_template_from_env(),
            human_agent_tag=env_flag("MESSENGER_HUMAN_AGENT_TAG", MessengerConfigError),
            max_sends_per_second=env_positive_number(
                "MESSENGER_MAX_SENDS_PER_SECOND", 0, MessengerConfigError
            )
            or None,
        )

    def with_webhook(self, app_secret: str, verify_token: str) -> MessengerConfig:
        """A copy with the webhook's app secret and verify token."""
        return replace(self, app_secret=app_secret, verify_token=verify_token)
