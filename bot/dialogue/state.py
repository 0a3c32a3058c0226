"""Typed dialogue state: which step of which flow a user is in, and their answers so far."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from bot.language import LocaleSource

log = logging.getLogger(__name__)


class Step(StrEnum):
    """Named conversation steps. A user not inside a flow is ``IDLE``."""

    IDLE = "idle"
    ELIGIBILITY_CATEGORY = "eligibility.category"
    ELIGIBILITY_ACTIVITY = "eligibility.activity"
    ELIGIBILITY_CHANNEL = "eligibility.channel"
    ELIGIBILITY_REGISTRATION = "eligibility.registration"
    CHECK_SHOP_QUERY = "check_shop.query"


@dataclass(slots=True)
class DialogueState:
    """Everything the bot remembers about one (channel, user) conversation."""

    channel: str
    user_id: str
    locale: str | None = None
    locale_source: LocaleSource = LocaleSource.NONE
    step: Step = Step.IDLE
    answers: dict[str, str] = field(default_factory=dict)
    back_stack: list[Step] = field(default_factory=list)
    version: int = 0
    # Facts kept across flows, e.g. the certificate the user checked last (to tell a badge
    # copied onto another page); leave_flow keeps them.
    context: dict[str, str] = field(default_factory=dict)

    def go_to(self, step: Step) -> None:
        """Move forward to ``step``, remembering where we were so "back" can return."""
        if self.step is not Step.IDLE and self.step is not step:
            self.back_stack.append(self.step)
        self.step = step

    def go_back(self) -> Step | None:
        """Return to the previous step of the current flow; None when there is none."""
        if not self.back_stack:
            return None
        self.step = self.back_stack.pop()
        return self.step

    def leave_flow(self) -> None:
        """Leave the current flow; answers are kept only while a flow is open."""
        self.step = Step.IDLE
        self.back_stack.clear()
        self.answers.clear()

    @staticmethod
    def parse_step(value: str) -> Step:
        """A stored step name, or IDLE for a step that no longer exists."""
        try:
            return Step(value)
        except ValueError:
            log.warning("unknown stored step %r; resetting the conversation to idle", value)
            return Step.IDLE
