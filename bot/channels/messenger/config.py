"""The Messenger channel's configuration, read from the environment. Secrets are never shown."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

from bot.channels.messenger.attachments import AttachmentPolicy
from bot.env import env_flag, env_positive_number, env_text
from bot.settings import Settings

# The Graph API version the channel is written and tested against (released 29 July 2026).
DEFAULT_GRAPH_API_URL: Final = "https://graph.facebook.com/v26.0"
# Messenger's own limit for a file a person sends.
DEFAULT_MAX_ATTACHMENT_BYTES: Final = 25 * 1024 * 1024


class MessengerConfigError(ValueError):
    """A Messenger setting is missing or unusable."""


@dataclass(frozen=True, slots=True)
class MessengerConfig:
    """Everything the Messenger channel needs: the Page's token, the app's secrets, limits."""

    page_access_token: str = field(repr=False)
    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    graph_api_url: str = DEFAULT_GRAPH_API_URL
    use_profile_locale: bool = False
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    send_attempts: int = 5
    retry_base_seconds: float = 1.0
    request_timeout_seconds: float = 20.0
    # Where user files may be downloaded from; never read from the environment.
    attachment_policy: AttachmentPolicy = field(default_factory=AttachmentPolicy)

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
    def for_page_setup(cls, page_access_token: str | None = None) -> MessengerConfig:
        """The settings the page setup command needs (the Page token and the Graph API URL)."""
        token = page_access_token or env_text("MESSENGER_PAGE_ACCESS_TOKEN")
        if not token:
            raise MessengerConfigError("MESSENGER_PAGE_ACCESS_TOKEN is not set")
        url = (env_text("MESSENGER_GRAPH_API_URL") or DEFAULT_GRAPH_API_URL).rstrip("/")
        if not url.startswith(("https://", "http://")):
            raise MessengerConfigError("MESSENGER_GRAPH_API_URL must be an http(s) URL")
        max_bytes = env_positive_number(
            "MESSENGER_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES, MessengerConfigError
        )
        attempts = env_positive_number("MESSENGER_SEND_ATTEMPTS", 5, MessengerConfigError)
        return cls(
            page_access_token=token,
            app_secret="",
            verify_token="",
            graph_api_url=url,
            use_profile_locale=env_flag("MESSENGER_USE_PROFILE_LOCALE", MessengerConfigError),
            max_attachment_bytes=int(max_bytes),
            send_attempts=max(1, int(attempts)),
            retry_base_seconds=env_positive_number(
                "MESSENGER_RETRY_BASE_SECONDS", 1.0, MessengerConfigError
            ),
        )

    def with_webhook(self, app_secret: str, verify_token: str) -> MessengerConfig:
        """A copy with the webhook's app secret and verify token."""
        return replace(self, app_secret=app_secret, verify_token=verify_token)
