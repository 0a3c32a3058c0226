"""What a handler gets for one message: the message, the user's state and the bot's resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend_client import RegistryBackend
from bot.dialogue.state import DialogueState
from bot.intake import FileIntake
from bot.messages import InboundMessage, Outbox
from bot.settings import Settings
from kb import KnowledgeBase
from nlu import ParseResult


@dataclass(slots=True)
class Turn:
    """One inbound message being handled, with everything handlers may read or change.

    ``now`` is the turn's time from the core's clock (tests inject one); ``intake`` checks and
    stores the files a form takes; ``services`` holds optional collaborators by name (e.g. the
    deliveries) for handlers that need them.
    """

    message: InboundMessage
    state: DialogueState
    kb: KnowledgeBase
    settings: Settings
    backend: RegistryBackend
    now: datetime
    intake: FileIntake
    parse: ParseResult | None = None
    outbox: Outbox = field(default_factory=Outbox)
    services: dict[str, Any] = field(default_factory=dict)

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
