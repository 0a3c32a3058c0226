"""A channel that collects the bot's replies, for tests and scripted conversations."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channels.text_render import reply_buttons
from bot.core import ConversationCore
from bot.messages import Attachment, Button, InboundMessage, Reply, TextReply


@dataclass(slots=True)
class CollectingChannel:
    """Talks to the core as one user and keeps every reply, in order."""

    core: ConversationCore
    user_id: str = "tester"
    channel: str = "test"
    language_code: str | None = None
    transcript: list[Reply] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)

    async def say(self, text: str, *, attachments: tuple[Attachment, ...] = ()) -> list[Reply]:
        """Send a typed message and return the replies to it."""
        return await self._send(
            InboundMessage(
                channel=self.channel,
                user_id=self.user_id,
                text=text,
                attachments=attachments,
                language_code=self.language_code,
            )
        )

    async def press(self, label: str) -> list[Reply]:
        """Press the button with this label among the last replies' buttons."""
        for button in self.buttons():
            if label in (button.label, button.short_label):
                return await self.press_payload(button.payload)
        labels = [b.label for b in self.buttons()]
        raise LookupError(f"no button {label!r} among {labels}")

    async def press_payload(self, payload: str) -> list[Reply]:
        """Send a button payload as a platform would."""
        return await self._send(
            InboundMessage(
                channel=self.channel,
                user_id=self.user_id,
                payload=payload,
                language_code=self.language_code,
            )
        )

    def buttons(self) -> list[Button]:
        """All buttons offered by the last replies."""
        return [b for reply in self.last for b in reply_buttons(reply)]

    def text(self) -> str:
        """The text of the last replies, joined."""
        return "\n".join(r.text for r in self.last if isinstance(r, TextReply))

    async def _send(self, message: InboundMessage) -> list[Reply]:
        self.last = await self.core.handle(message)
        self.transcript.extend(self.last)
        return self.last
