"""The one place where intents, button payloads and flow steps are wired to handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Final

from bot.dialogue.state import Step
from bot.handlers import (
    about,
    criteria,
    documents,
    eligibility,
    fees,
    language,
    menu,
    payment_qr,
    upcoming,
    verification,
)
from bot.turn import Turn
from nlu import Intent

Handler = Callable[[Turn], Awaitable[None]]
PayloadHandler = Callable[[Turn, str], Awaitable[None]]
StepHandler = Callable[[Turn], Awaitable[bool]]

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
        Intent.RENEW: upcoming.track,
        Intent.CHECK_SHOP: verification.check_shop,
        Intent.COMPLAIN: upcoming.complain,
        Intent.COMPLAINT_STATUS: upcoming.track,
        Intent.HUMAN_AGENT: upcoming.human_agent,
        Intent.AFFIRM: menu.main_menu,
        Intent.DENY: menu.main_menu,
        Intent.OUT_OF_SCOPE: menu.fallback,
    }
)

PAYLOAD_HANDLERS: Final[Mapping[str, PayloadHandler]] = MappingProxyType(
    {
        "fee": fees.on_payload,
        "elig": eligibility.on_payload,
        "lang": language.on_payload,
        "crit": criteria.on_payload,
        "cert": verification.on_certificate_payload,
        "share": verification.on_certificate_payload,
        "pick": verification.on_pick,
        "cmp": verification.on_complaint_payload,
    }
)

# Files sent when no question expects one: a payment QR is checked, anything else is "not
# expected" (see bot.handlers.payment_qr).
ATTACHMENT_HANDLER: Final[Handler] = payment_qr.check_attachment

STEP_HANDLERS: Final[Mapping[Step, StepHandler]] = MappingProxyType(
    {
        Step.ELIGIBILITY_CATEGORY: eligibility.on_step,
        Step.ELIGIBILITY_ACTIVITY: eligibility.on_step,
        Step.ELIGIBILITY_CHANNEL: eligibility.on_step,
        Step.ELIGIBILITY_REGISTRATION: eligibility.on_step,
        Step.CHECK_SHOP_QUERY: verification.on_step,
    }
)

STEP_PROMPTS: Final[Mapping[Step, Handler]] = MappingProxyType(
    {
        Step.ELIGIBILITY_CATEGORY: eligibility.prompt,
        Step.ELIGIBILITY_ACTIVITY: eligibility.prompt,
        Step.ELIGIBILITY_CHANNEL: eligibility.prompt,
        Step.ELIGIBILITY_REGISTRATION: eligibility.prompt,
        Step.CHECK_SHOP_QUERY: verification.prompt,
    }
)

# Flows kept open while the user asks something else in between, with a reminder to continue.
RESUMABLE_STEPS: Final = frozenset(
    {
        Step.ELIGIBILITY_CATEGORY,
        Step.ELIGIBILITY_ACTIVITY,
        Step.ELIGIBILITY_CHANNEL,
        Step.ELIGIBILITY_REGISTRATION,
    }
)

# The intents offered as "did you mean" choices, and the questions that may interrupt a flow.
TOPIC_INTENTS: Final = frozenset(INTENT_HANDLERS) - {
    Intent.AFFIRM,
    Intent.DENY,
    Intent.OUT_OF_SCOPE,
}
