"""Wiring the Messenger channel into the bot's aiohttp server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from aiohttp import web

from bot.channels.base import Channel, ChannelSetup
from bot.channels.messenger.attachments import ATTACHMENT_POLICY_KEY
from bot.channels.messenger.channel import MESSENGER_KEY, MessengerChannel
from bot.channels.messenger.config import MessengerConfig
from bot.channels.messenger.events import CHANNEL
from bot.channels.messenger.webhook import WEBHOOK_PATH, receive_delivery, verify_subscription
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.runtime import BotRuntime


class MessengerSetup(ChannelSetup):
    """The webhook routes and the channel, when MESSENGER_PAGE_ACCESS_TOKEN is set.

    Reads the MESSENGER_* settings at once, so a missing secret stops the server from
    starting instead of accepting unverifiable deliveries.
    """

    name: ClassVar[str] = CHANNEL

    def __init__(self, config: MessengerConfig) -> None:
        self.config = config

    @classmethod
    def from_settings(cls, settings: Settings) -> MessengerSetup:
        """Read the MESSENGER_* variables (raises MessengerConfigError on a mistake)."""
        return cls(MessengerConfig.from_env(settings))

    def routes(self) -> Sequence[web.RouteDef]:
        """The handshake and the signed deliveries."""
        return [
            web.get(WEBHOOK_PATH, verify_subscription),
            web.post(WEBHOOK_PATH, receive_delivery),
        ]

    def create(self, app: web.Application, runtime: BotRuntime) -> Channel:
        """The channel, reachable by the webhook routes."""
        # Tests put their fake CDN's policy on the app; a deployment has no way to.
        config = replace(
            self.config,
            attachment_policy=app.get(ATTACHMENT_POLICY_KEY, self.config.attachment_policy),
        )
        channel = MessengerChannel(config, runtime)
        app[MESSENGER_KEY] = channel
        return channel
