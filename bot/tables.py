"""Every table of the bot's own (not the registry's), gathered for Alembic and schema checks.

Each capability declares its tables next to its code on :class:`ConversationBase`; importing
them here puts them all on one metadata, so migrations and tests see the whole schema.
"""

from __future__ import annotations

import bot.applications.models as _seller_models
import bot.backend_outbox.models as _backend_outbox_models
import bot.complaints.models as _complaints_models
import bot.handoff.models as _handoff_models
import bot.intake.models as _intake_models
import bot.leases as _leases
from bot.dialogue.models import conversation_metadata

bot_metadata = conversation_metadata
"""The metadata of the conversations, inbox, outbox, stored files and every other bot table."""

__all__ = [
    "_backend_outbox_models",
    "_complaints_models",
    "_handoff_models",
    "_intake_models",
    "_leases",
    "_seller_models",
    "bot_metadata",
]
