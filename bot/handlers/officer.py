"""Talking to an officer, from anywhere: the intent, a button, or the words at any form step.

With the officers' forum configured the conversation is handed over (see
:mod:`bot.handoff.service`) and the bot stays quiet for that user until it is handed back;
without it the bot gives the Ministry's contacts. Every turn is also remembered, redacted, so
an officer who takes a conversation over can read how it went.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot import forms, keyboards
from bot.handlers import contacts
from bot.handoff import transcript
from bot.handoff.service import END_PAYLOAD, SERVICE, HandoffService, end_button, ended_by_timeout
from bot.i18n import _
from bot.messages import Reply
from bot.turn import Turn
from nlu.normalise import normalise

log = logging.getLogger(__name__)

MAX_WORDS: Final = 8
# "Talk to an officer" in the words people use, Khmer script, English and romanized Khmer.
_WANTS_OFFICER: Final = re.compile(
    r"\b(talk|speak|chat|connect me)\s+(to|with)\s+(an?\s+|the\s+|a real\s+)?"
    r"(officer|human|person|agent|staff|someone)\b|"
    r"^(an?\s+)?(officer|human|real person|live agent|human agent)\s*(please|pls)?$|"
    r"\bcontact\s+(an?\s+)?officer\b|"
    r"(និយាយ|ជជែក|ភ្ជាប់|សុំ).{0,12}(មន្ត្រី|មនុស្ស|ភ្នាក់ងារ)|^មន្ត្រី$|"
    r"\b(niyeay|niyay|chat|jchek)\b.{0,20}\b(montrey|montrei|mon trey)\b|^(montrey|montrei)$",
    re.IGNORECASE,
)


def _service(turn: Turn) -> HandoffService | None:
    service = turn.services.get(SERVICE)
    return service if isinstance(service, HandoffService) else None


def wants_officer(text: str) -> bool:
    """Whether a short message asks for a person (the same at every step of every form)."""
    cleaned = normalise(text).text.strip()
    if not cleaned or len(cleaned.split()) > MAX_WORDS:
        return False
    return bool(_WANTS_OFFICER.search(cleaned))


async def _contacts(turn: Turn) -> None:
    """No officers can be reached from the chat: where the Ministry can be reached instead."""
    turn.outbox.say(
        _(
            "I cannot connect you to an officer from this chat right now. Here is how to "
            "reach the Ministry; you can also make a complaint here."
        ),
        (keyboards.complain_button(),),
    )
    await contacts.ask_contact(turn)


async def talk_to_officer(turn: Turn) -> None:
    """Hand the conversation to an officer (a draft form is kept for later)."""
    service = _service(turn)
    if service is None or not service.available:
        forms.leave(turn)
        await _contacts(turn)
        return
    forms.leave(turn)
    _handoff, created = await service.open(turn)
    if not created:
        turn.outbox.say(
            _(
                "You are already connected to an officer. Write your message here and they "
                "will answer in this chat."
            ),
            (end_button(),),
        )
        return
    turn.outbox.say(
        "\n".join(
            (
                _(
                    "I have passed your conversation to an officer of the Ministry of "
                    "Commerce. They will answer you here, usually during working hours."
                ),
                _(
                    "Until then I will not answer automatically: everything you write goes to "
                    "the officer. The Ministry never asks you for money or passwords in this chat."
                ),
            )
        ),
        (end_button(),),
    )


async def intercept(turn: Turn) -> bool:
    """Before anything else in a turn: a user with an officer is not answered by the bot.

    Also catches "talk to an officer" at any step of any form, where a typed answer would
    otherwise be taken as the answer to the question. True when the message is handled.
    """
    service = _service(turn)
    if service is not None and service.config.officer_chat_id is not None:
        owner = (turn.message.channel, turn.message.user_id)
        handoff, timed_out = await service.current(owner, turn.now)
        if timed_out:
            for reply in ended_by_timeout():
                turn.outbox.add(reply)
        if handoff is not None and service.deliver is not None:
            if turn.message.payload == END_PAYLOAD:
                await service.leave(handoff, turn.now)
                turn.outbox.say(
                    _("You are back with the assistant. What would you like to know?"),
                    keyboards.main_menu(),
                )
                return True
            await service.forward(handoff, turn)
            return True
    if not turn.message.payload and wants_officer(turn.text):
        await talk_to_officer(turn)
        return True
    return False


async def on_payload(turn: Turn, argument: str) -> None:
    """``ho:end`` pressed when no officer conversation is open (any more)."""
    del argument
    turn.outbox.say(
        _("You are talking with the assistant. What would you like to know?"), keyboards.main_menu()
    )


async def record_turn(session: AsyncSession, turn: Turn, replies: Sequence[Reply]) -> None:
    """Remember the turn, redacted, for an officer's briefing (only when officers are set up)."""
    service = _service(turn)
    if service is None or service.config.officer_chat_id is None or not replies:
        return
    await transcript.record(
        session,
        (turn.message.channel, turn.message.user_id),
        transcript.user_side(turn.message),
        transcript.bot_side(replies),
        turn.now,
        keep=service.config.transcript_turns,
    )
