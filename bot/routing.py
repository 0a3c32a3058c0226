"""The one place where intents and button payloads are wired to handlers.

Forms register themselves (:mod:`bot.forms`); their buttons reach the form engine by the form's
id, so adding a form changes nothing here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Final

from bot.handlers import (
    about,
    contacts,
    criteria,
    documents,
    eligibility,
    fees,
    language,
    menu,
    payment_qr,
    renewal,
    rules,
    upcoming,
    verification,
)
from bot.turn import Turn
from nlu import Intent

Handler = Callable[[Turn], Awaitable[None]]
PayloadHandler = Callable[[Turn, str], Awaitable[None]]

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
        Intent.APPLY: upcoming.apply,
        Intent.APPLICATION_STATUS: upcoming.track,
        Intent.RENEW: renewal.renewal_facts,
        Intent.CHECK_SHOP: verification.check_shop,
        Intent.COMPLAIN: upcoming.complain,
        Intent.COMPLAINT_STATUS: upcoming.track,
        Intent.HUMAN_AGENT: upcoming.human_agent,
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
        "cmp": verification.on_complaint_payload,
    }
)

# Files sent when no open form question takes them (a form's own file questions come first):
# a payment QR is checked, anything else is "not expected" (see bot.handlers.payment_qr).
ATTACHMENT_HANDLER: Final[Handler] = payment_qr.check_attachment

# The intents offered as "did you mean" choices, and the questions that may interrupt a flow.
TOPIC_INTENTS: Final = frozenset(INTENT_HANDLERS) - {
    Intent.AFFIRM,
    Intent.DENY,
    Intent.OUT_OF_SCOPE,
}
