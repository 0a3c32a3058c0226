"""What a handler gets for one message: the message, the user's state and the bot's resources."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend_client import RegistryBackend
from bot.dialogue.state import DialogueState
from bot.messages import InboundMessage, Outbox
from bot.settings import Settings
from kb import KnowledgeBase
from nlu import ParseResult


@dataclass(slots=True)
class Turn:
    """One inbound message being handled, with everything handlers may read or change."""

    message: InboundMessage
    state: DialogueState
    kb: KnowledgeBase
    settings: Settings
    backend: RegistryBackend
    parse: ParseResult | None = None
    outbox: Outbox = field(default_factory=Outbox)

    @property
    def text(self) -> str:
        """The message text, stripped."""
        return self.message.text.strip()

    def entity(self, name: str) -> str | None:
        """The first value of an entity the NLU found, if any."""
        if self.parse is None:
            return None
        values = self.parse.entity_values(name)
        return values[0] if values else None
