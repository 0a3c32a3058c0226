"""The journeys' driver over the Messenger webhook: signed deliveries to the bot's server,
answers read from what it sent to the fake Graph API (quick replies and template buttons)."""

from __future__ import annotations

import itertools
from typing import Any

from bot.messages import AttachmentKind
from tests.messenger.conftest import StartBot
from tests.messenger.harness import MessengerBot, single_event_delivery
from tests.messenger.seen import choices, message_texts

Json = dict[str, Any]
_files = itertools.count(1)


class MessengerDriver:
    """A Messenger user (a page-scoped id) of a bot started for real."""

    def __init__(self, start_bot: StartBot, psid: str) -> None:
        self._start_bot = start_bot
        self.psid = psid
        self.bot: MessengerBot | None = None
        self.last: list[Json] = []

    async def start(self) -> MessengerDriver:
        """Start the bot."""
        self.bot = await self._start_bot()
        return self

    def _bot(self) -> MessengerBot:
        assert self.bot is not None, "call start() first"
        return self.bot

    async def say(self, text: str) -> None:
        """Type a message."""
        self.last = await self._bot().say(self.psid, text)

    async def press(self, payload: str) -> None:
        """Tap the quick reply or template button that sends ``payload``."""
        self.last = await self._bot().choose(self.psid, self.last, payload)

    async def send_file(
        self, data: bytes, filename: str, mime_type: str, kind: AttachmentKind
    ) -> None:
        """Send a photo or a file: Messenger gives the bot a CDN link to download."""
        bot = self._bot()
        name = f"{next(_files)}-{filename}"
        url = bot.graph.add_file(name, data, mime_type)
        attachment = {"type": "image" if kind == "image" else "file", "payload": {"url": url}}
        delivery = single_event_delivery("image", self.psid, attachments=[attachment])
        self.last = await bot.exchange(delivery, self.psid)

    async def restart(self) -> None:
        """Stop the bot's server and start a new one on the same database."""
        await self._bot().stop()
        self.bot = await self._start_bot()

    def text(self) -> str:
        """Everything the user can read in the last answer."""
        return "\n".join(message_texts(self.last))

    def payloads(self) -> list[str]:
        """Every payload the user can tap in the last answer."""
        return [payload for _title, payload in choices(self.last)]
