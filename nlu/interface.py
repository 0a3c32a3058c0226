"""The one interface the conversation core uses to understand a message."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Intent(StrEnum):
    """The fixed intent inventory shared by the whole project."""

    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    HELP = "help"
    CHANGE_LANGUAGE = "change_language"
    ABOUT_TRUSTMARK = "about_trustmark"
    ASK_ELIGIBILITY = "ask_eligibility"
    ASK_FEE = "ask_fee"
    ASK_DOCUMENTS = "ask_documents"
    ASK_CRITERIA = "ask_criteria"
    APPLY = "apply"
    APPLICATION_STATUS = "application_status"
    RENEW = "renew"
    CHECK_SHOP = "check_shop"
    COMPLAIN = "complain"
    COMPLAINT_STATUS = "complaint_status"
    HUMAN_AGENT = "human_agent"
    ASK_PENALTIES = "ask_penalties"
    ASK_OBLIGATIONS = "ask_obligations"
    ASK_CONTACT = "ask_contact"
    AFFIRM = "affirm"
    DENY = "deny"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity found in the text, with character offsets into the original (unnormalised) text.

    ``value`` is normalised (a phone as ``+855...``, a category key, a canonical URL);
    ``role`` refines the entity where one name covers several kinds (for ``url``:
    ``facebook_page``, ``telegram_handle`` or ``website``; for ``money``: the currency).
    """

    entity: str
    value: str
    start: int
    end: int
    role: str | None = None

    def as_rasa(self) -> dict[str, Any]:
        """The entity in Rasa's JSON shape."""
        data: dict[str, Any] = {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
        }
        if self.role is not None:
            data["role"] = self.role
        return data


@dataclass(frozen=True, slots=True)
class IntentScore:
    """An intent name with its confidence in [0, 1]."""

    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What the NLU understood of one message."""

    text: str
    intent: IntentScore
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = field(default_factory=tuple)

    def entity_values(self, name: str) -> list[str]:
        """Values of all entities with this name, in order of appearance."""
        return [e.value for e in self.entities if e.entity == name]

    def as_rasa(self) -> dict[str, Any]:
        """The result in the JSON shape of Rasa's ``POST /model/parse``."""
        return {
            "text": self.text,
            "intent": {"name": self.intent.name, "confidence": self.intent.confidence},
            "intent_ranking": [
                {"name": s.name, "confidence": s.confidence} for s in self.intent_ranking
            ],
            "entities": [e.as_rasa() for e in self.entities],
        }


class NluEngine(Protocol):
    """Anything that turns a user's text into a scored intent and entities."""

    async def parse(self, text: str) -> ParseResult:
        """Understand one message."""
        ...

    async def close(self) -> None:
        """Release resources (HTTP sessions, models)."""
        ...
