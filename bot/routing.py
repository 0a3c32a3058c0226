"""The one place where intents and button payloads are wired to handlers.

Forms register themselves (:mod:`bot.forms`); their buttons reach the form engine by the form's
id, so adding a form changes nothing here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers import (
    about,
    application,
    complaint,
    contacts,
    criteria,
    documents,
    eligibility,
    fees,
    language,
    menu,
    my_application,
    my_complaints,
    officer,
    payment_qr,
    renewal_form,
    rules,
    verification,
)
from bot.messages import Reply
from bot.turn import Turn
from nlu import Intent

Handler = Callable[[Turn], Awaitable[None]]
PayloadHandler = Callable[[Turn, str], Awaitable[None]]
Interceptor = Callable[[Turn], Awaitable[bool]]
Recorder = Callable[[AsyncSession, Turn, Sequence[Reply]], Awaitable[None]]

INTENT_HANDLERS: Final[Mapping[Intent, Handler]] = MappingProxyType(
    {
        Intent.GREET: menu.greet,
        Intent.GOODBYE: menu.goodbye,
        Intent.THANKS: menu.thanks,
        Intent.HELP: menu.show_help,
        Intent.CHANGE_LANGUAGE: language.choose_language,
        Intent.ABOUT_TRUSTMARK: about.about_trustmark,
        Intent.ASK_ELIGIBILITY: eligibility.start,
        Intent.ASK_FEE: fees.ask_fee,
        Intent.ASK_DOCUMENTS: documents.ask_documents,
        Intent.ASK_CRITERIA: criteria.ask_criteria,
        Intent.APPLY: application.apply,
        Intent.APPLICATION_STATUS: my_application.show_status,
        Intent.RENEW: renewal_form.renew,
        Intent.CHECK_SHOP: verification.check_shop,
        Intent.COMPLAIN: complaint.start,
        Intent.COMPLAINT_STATUS: my_complaints.show_complaints,
        Intent.HUMAN_AGENT: officer.talk_to_officer,
        Intent.ASK_PENALTIES: rules.ask_penalties,
        Intent.ASK_OBLIGATIONS: rules.ask_obligations,
        Intent.ASK_CONTACT: contacts.ask_contact,
        Intent.AFFIRM: menu.main_menu,
        Intent.DENY: menu.main_menu,
        Intent.OUT_OF_SCOPE: menu.fallback,
    }
)

PAYLOAD_HANDLERS: Final[Mapping[str, PayloadHandler]] = MappingProxyType(
    {
        "fee": fees.on_payload,
        "lang": language.on_payload,
        "crit": criteria.on_payload,
        "doc": documents.on_payload,
        "cert": verification.on_certificate_payload,
        "share": verification.on_certificate_payload,
        "pick": verification.on_pick,
        "cmp": complaint.on_payload,
        my_complaints.PAYLOAD: my_complaints.on_payload,
        "ho": officer.on_payload,
        "apl": my_application.on_payload,
        "rnw": renewal_form.on_payload,
    }
)

# Run first in every turn; the first that returns True has handled the message (a user with an
# officer is not answered by the bot; "talk to an officer" works at every form step; a typed
# CMP- reference opens that complaint, whatever the NLU makes of the words around it).
TURN_INTERCEPTORS: Final[tuple[Interceptor, ...]] = (
    officer.intercept,
    my_complaints.typed_reference,
)

# Awaited in the transaction that saves each turn, with its replies (the recent transcript an
# officer reads when a conversation is handed over).
TURN_RECORDERS: Final[tuple[Recorder, ...]] = (officer.record_turn,)

# Files sent when no open form question takes them (a form's own file questions come first):
# a payment QR is checked, anything else is "not expected" (see bot.handlers.payment_qr).
ATTACHMENT_HANDLER: Final[Handler] = payment_qr.check_attachment

# The intents offered as "did you mean" choices, and the questions that may interrupt a flow.
TOPIC_INTENTS: Final = frozenset(INTENT_HANDLERS) - {
    Intent.AFFIRM,
    Intent.DENY,
    Intent.OUT_OF_SCOPE,
}
