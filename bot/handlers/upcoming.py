"""Honest answers for services the bot will offer but cannot perform yet.

Complaints and talking to an officer need the registry and the channels that later issues
build. Until then the bot says so plainly and offers what it can.
"""

from __future__ import annotations

from bot import keyboards
from bot.i18n import _
from bot.turn import Turn


async def track(turn: Turn) -> None:
    """Complaint tracking is not open yet (applications: bot.handlers.my_application)."""
    turn.outbox.say(
        _("Following complaints in this chat is not open yet."),
        keyboards.main_menu(),
    )
