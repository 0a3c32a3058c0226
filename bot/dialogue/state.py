"""Typed dialogue state: the user's language, their open flows (drafts) and the offered buttons.

A *flow* is one run of a form (an eligibility check, an application, a complaint): which field
the user is on, their answers so far, what they marked as missing and how to go back. Several
flows may be open at once; at most one is *active* (the one typed answers go to). A flow that is
not active is a saved draft that "continue" brings back.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.language import LocaleSource

log = logging.getLogger(__name__)

JsonValue = Any
"""An answer as stored: str, int, float, bool, None, or lists and dicts of them."""

REVIEW = "!review"
"""The position of a flow that shows the review of all answers."""
DECLARATION = "!declaration"
"""The position of a flow that asks for the declaration before submitting."""


@dataclass(slots=True)
class FlowState:
    """One open run of a form."""

    form: str
    key: str
    position: str
    answers: dict[str, JsonValue] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    only: list[str] | None = None
    editing: bool = False
    started_at: str = ""
    updated_at: str = ""

    @classmethod
    def new(cls, form: str, position: str, now: datetime) -> FlowState:
        """A fresh flow with its own idempotency key."""
        stamp = now.isoformat()
        return cls(
            form=form, key=uuid.uuid4().hex, position=position, started_at=stamp, updated_at=stamp
        )

    def touch(self, now: datetime) -> None:
        """Record that the user worked on this flow now."""
        self.updated_at = now.isoformat()

    def to_json(self) -> dict[str, JsonValue]:
        """The flow as a JSON object."""
        return {
            "form": self.form,
            "key": self.key,
            "position": self.position,
            "answers": dict(self.answers),
            "missing": list(self.missing),
            "history": list(self.history),
            "only": None if self.only is None else list(self.only),
            "editing": self.editing,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, JsonValue]) -> FlowState:
        """A flow read back from :meth:`to_json`."""
        only = data.get("only")
        return cls(
            form=str(data["form"]),
            key=str(data["key"]),
            position=str(data["position"]),
            answers=dict(data.get("answers") or {}),
            missing=[str(m) for m in data.get("missing") or []],
            history=[str(h) for h in data.get("history") or []],
            only=None if only is None else [str(o) for o in only],
            editing=bool(data.get("editing", False)),
            started_at=str(data.get("started_at", "")),
            updated_at=str(data.get("updated_at", "")),
        )


@dataclass(frozen=True, slots=True)
class OfferedButton:
    """A button shown in the last answer, so that a typed number can pick it later."""

    label: str
    payload: str


@dataclass(slots=True)
class DialogueState:
    """Everything the bot remembers about one (channel, user) conversation."""

    channel: str
    user_id: str
    locale: str | None = None
    locale_source: LocaleSource = LocaleSource.NONE
    flows: dict[str, FlowState] = field(default_factory=dict)
    active: str | None = None
    offered: list[OfferedButton] = field(default_factory=list)
    submitted: dict[str, dict[str, str]] = field(default_factory=dict)
    last_seen_at: datetime | None = None
    version: int = 0
    # Facts kept across flows and turns, e.g. the certificate the user checked last (to tell
    # a badge copied onto another page).
    context: dict[str, str] = field(default_factory=dict)

    def active_flow(self) -> FlowState | None:
        """The flow typed answers go to, if any."""
        if self.active is None:
            return None
        flow = self.flows.get(self.active)
        if flow is None:
            self.active = None
        return flow

    def open_flow(self, flow: FlowState) -> None:
        """Open (or replace) the flow of its form and make it the active one."""
        self.flows[flow.form] = flow
        self.active = flow.form

    def close_flow(self, form: str) -> FlowState | None:
        """Discard the flow of ``form`` (finished or cancelled)."""
        flow = self.flows.pop(form, None)
        if self.active == form:
            self.active = None
        return flow

    def detach(self) -> None:
        """Stop sending typed answers to the active flow; its draft is kept."""
        self.active = None

    def drafts(self) -> list[FlowState]:
        """Open flows, the most recently worked on first."""
        return sorted(self.flows.values(), key=lambda f: f.updated_at, reverse=True)
