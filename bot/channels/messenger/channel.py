"""The running Messenger channel as the web app holds it: config, Graph client and worker."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.channels.messenger.config import MessengerConfig
from bot.channels.messenger.notifications import send_account_update
from bot.channels.messenger.send_api import GraphClient
from bot.inbox import InboxWorker
from bot.messages import TextReply


@dataclass(frozen=True, slots=True)
class MessengerChannel:
    """What the webhook routes and the rest of the bot use of the Messenger channel."""

    config: MessengerConfig
    client: GraphClient
    worker: InboxWorker

    async def notify(self, psid: str, reply: TextReply, *, locale: str) -> None:
        """Send an account update (application or certificate status) outside the 24 hours."""
        await send_account_update(self.client, psid, reply, locale=locale)


MESSENGER_KEY: web.AppKey[MessengerChannel] = web.AppKey("messenger", MessengerChannel)
