"""One way to talk to the bot, whatever carries the conversation (core, Telegram, Messenger,
terminal): say, press an offered button by its payload, send a file, restart the process.

The journeys in :mod:`tests.seller.journeys` are written once against :class:`Driver`; each
transport's test module supplies its driver. Pressing a button only works when the bot offered
it in its last answer, as for a person tapping on their phone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.channels.collecting import CollectingChannel
from bot.core import ConversationCore
from bot.messages import Attachment, AttachmentKind, Button


class Driver(Protocol):
    """A user's phone, as far as the journeys need it."""

    async def say(self, text: str) -> None:
        """Type a message."""
        ...

    async def press(self, payload: str) -> None:
        """Tap the offered button with this payload (fails when it is not offered)."""
        ...

    async def send_file(
        self, data: bytes, filename: str, mime_type: str, kind: AttachmentKind
    ) -> None:
        """Send a photo or a document."""
        ...

    async def restart(self) -> None:
        """Stop the bot's process and start it again on the same database."""
        ...

    def text(self) -> str:
        """The text of the bot's last answer."""
        ...

    def payloads(self) -> list[str]:
        """The payloads of the buttons in the bot's last answer."""
        ...


class CoreDriver:
    """The conversation core itself, through a collecting channel (no platform)."""

    def __init__(
        self, open_core: Callable[[], Awaitable[ConversationCore]], user_id: str, channel: str
    ) -> None:
        self._open_core = open_core
        self._user_id = user_id
        self._channel_name = channel
        self.chat: CollectingChannel | None = None

    async def start(self) -> CoreDriver:
        """Open the first core."""
        core = await self._open_core()
        self.chat = CollectingChannel(core, user_id=self._user_id, channel=self._channel_name)
        return self

    def _chat(self) -> CollectingChannel:
        assert self.chat is not None, "call start() first"
        return self.chat

    async def say(self, text: str) -> None:
        """Type a message."""
        await self._chat().say(text)

    def _offered(self, payload: str) -> Button:
        for button in self._chat().buttons():
            if button.payload == payload:
                return button
        raise LookupError(f"{payload!r} is not offered; offered: {self.payloads()}")

    async def press(self, payload: str) -> None:
        """Tap an offered button."""
        self._offered(payload)
        await self._chat().press_payload(payload)

    async def send_file(
        self, data: bytes, filename: str, mime_type: str, kind: AttachmentKind
    ) -> None:
        """Send a file, as a platform hands it to the core."""
        await self._chat().say("", attachments=(Attachment(kind, filename, mime_type, data),))

    async def restart(self) -> None:
        """A new core on the same database (the old one is simply dropped, as on a crash)."""
        self._chat().core = await self._open_core()

    def text(self) -> str:
        """The text of the last answer."""
        return self._chat().text()

    def payloads(self) -> list[str]:
        """The payloads offered in the last answer."""
        return [b.payload for b in self._chat().buttons()]
