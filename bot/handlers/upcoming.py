"""Honest answers for services the bot will offer but cannot perform yet.

Applying, complaints and talking to an officer need the registry and the
channels that later issues build. Until then the bot says so plainly and offers what it can.
"""

from __future__ import annotations

from bot import keyboards
from bot.i18n import _
from bot.turn import Turn


async def apply(turn: Turn) -> None:
    """Applying through the chat is not open yet; point to what to prepare."""
    turn.outbox.say(
        _(
            "Applying through this chat is not open yet. You can already check if you are "
            "eligible and prepare your documents and evidence."
        ),
        (keyboards.eligibility_button(), keyboards.documents_button(), keyboards.criteria_button()),
    )


async def track(turn: Turn) -> None:
    """Application, renewal and complaint tracking are not open yet."""
    turn.outbox.say(
        _("Following applications, renewals and complaints in this chat is not open yet."),
        keyboards.main_menu(),
    )
