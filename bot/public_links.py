"""Links that open a certificate's live verification: the public web page, Telegram, Messenger.

A badge's QR code, the public register's buttons and the bot's share messages all build their
links here, from three settings read from the environment:

- ``CETS_PUBLIC_BASE_URL``: where the public register is served (``https://verify.example``);
  a certificate's page is ``<base>/v/<id>``.
- ``TELEGRAM_BOT_USERNAME``: the bot's user name, for ``https://t.me/<bot>?start=cert_<id>``.
- ``MESSENGER_PAGE_USERNAME`` (or ``MESSENGER_PAGE_ID``): the Facebook Page, for
  ``https://m.me/<page>?ref=cert_<id>``.

Link arguments are the ones :mod:`bot.channels.links` turns back into core payloads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlsplit

from bot.env import env_text

_BOT_USERNAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_PAGE: Final = re.compile(r"[A-Za-z0-9.\-]{1,100}")
_CERTIFICATE_ID: Final = re.compile(r"CETS-\d{4}-\d{6}")


class LinksConfigError(ValueError):
    """A link setting is present but unusable, or no link can be built at all."""


def certificate_argument(certificate_id: str) -> str:
    """The deep-link argument that opens a certificate (``cert_CETS-2025-000001``)."""
    number = certificate_id.strip().upper()
    if not _CERTIFICATE_ID.fullmatch(number):
        raise ValueError(f"not a certificate number: {certificate_id!r}")
    return f"cert_{number}"


@dataclass(frozen=True, slots=True)
class PublicLinks:
    """Where the public register, the Telegram bot and the Messenger page live."""

    public_base_url: str | None = None
    telegram_bot_username: str | None = None
    messenger_page: str | None = None

    def __post_init__(self) -> None:
        if self.public_base_url is not None:
            parts = urlsplit(self.public_base_url)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                raise LinksConfigError("CETS_PUBLIC_BASE_URL must be an http(s) URL")
            object.__setattr__(self, "public_base_url", self.public_base_url.rstrip("/"))
        if self.telegram_bot_username is not None:
            name = self.telegram_bot_username.removeprefix("@")
            if not _BOT_USERNAME.fullmatch(name):
                raise LinksConfigError("TELEGRAM_BOT_USERNAME must be the bot's user name")
            object.__setattr__(self, "telegram_bot_username", name)
        if self.messenger_page is not None and not _PAGE.fullmatch(self.messenger_page):
            raise LinksConfigError("MESSENGER_PAGE_USERNAME must be the Page's user name or id")

    @classmethod
    def from_env(cls) -> PublicLinks:
        """Read the three settings (unset ones stay None)."""
        return cls(
            public_base_url=env_text("CETS_PUBLIC_BASE_URL") or None,
            telegram_bot_username=env_text("TELEGRAM_BOT_USERNAME") or None,
            messenger_page=(
                env_text("MESSENGER_PAGE_USERNAME") or env_text("MESSENGER_PAGE_ID") or None
            ),
        )

    def certificate_page(self, certificate_id: str) -> str | None:
        """``<base>/v/<id>``, when the public register's address is configured."""
        if self.public_base_url is None:
            return None
        return f"{self.public_base_url}/v/{quote(certificate_id.strip().upper(), safe='')}"

    def telegram(self, argument: str) -> str | None:
        """``https://t.me/<bot>?start=<argument>``, when the bot's user name is configured."""
        if self.telegram_bot_username is None:
            return None
        return f"https://t.me/{self.telegram_bot_username}?start={quote(argument, safe='')}"

    def messenger(self, argument: str) -> str | None:
        """``https://m.me/<page>?ref=<argument>``, when the Page is configured."""
        if self.messenger_page is None:
            return None
        return f"https://m.me/{self.messenger_page}?ref={quote(argument, safe='')}"


@dataclass(frozen=True, slots=True)
class VerificationLinks:
    """The ways to open one certificate's live verification (None: not configured)."""

    web: str | None
    telegram: str | None
    messenger: str | None

    @property
    def qr_target(self) -> str:
        """What a badge's QR code encodes: the web page if served, else the Telegram link."""
        target = self.web or self.telegram
        if target is None:
            raise LinksConfigError(
                "a badge needs CETS_PUBLIC_BASE_URL or TELEGRAM_BOT_USERNAME for its QR code"
            )
        return target


def verification_links(certificate_id: str, links: PublicLinks | None = None) -> VerificationLinks:
    """The web page, ``t.me`` and ``m.me`` links of a certificate (settings from the env)."""
    links = links or PublicLinks.from_env()
    argument = certificate_argument(certificate_id)
    return VerificationLinks(
        web=links.certificate_page(certificate_id),
        telegram=links.telegram(argument),
        messenger=links.messenger(argument),
    )
