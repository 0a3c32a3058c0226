"""The guided eligibility check: category, what they sell, where, registration, then a verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from bot import forms, keyboards
from bot.answers.eligibility_options import (
    parse_activity,
    parse_category,
    parse_channel,
    parse_registration,
)
from bot.forms import FORMS, Accept, Choice, Field, FieldInput, Form, FormContext, Parsed
from bot.handlers.application import apply_now_button
from bot.i18n import _, current_locale, pgettext
from bot.messages import Button
from bot.turn import Turn
from nlu import Intent

# "other" and "not_sure" are offered where real answers may not fit the listed ones.
ACTIVITIES: Final = ("goods", "services", "intermediary", "insurance", "other", "not_sure")
CHANNELS: Final = (
    "facebook",
    "telegram",
    "website",
    "marketplace",
    "social",
    "offline",
    "other",
)
REGISTRATIONS: Final = ("yes", "pending", "no", "not_sure")


def _activity_label(key: str) -> str:
    labels = {
        "goods": pgettext("button", "Goods"),
        "services": pgettext("button", "Services"),
        "intermediary": pgettext("button", "Online platform"),
        "insurance": pgettext("button", "Insurance"),
        "other": pgettext("button", "Something else"),
        "not_sure": pgettext("button", "Not sure"),
    }
    return labels[key]


def _channel_label(key: str) -> str:
    labels = {
        "facebook": pgettext("button", "Facebook page"),
        "telegram": pgettext("button", "Telegram"),
        "website": pgettext("button", "Own website or app"),
        "marketplace": pgettext("button", "Online marketplace"),
        "social": pgettext("button", "TikTok, Instagram…"),
        "offline": pgettext("button", "Not online yet"),
        "other": pgettext("button", "Somewhere else"),
    }
    return labels[key]


def _channel_short_label(key: str) -> str | None:
    if key == "website":
        return pgettext("short", "Website or app")
    return None


def _registration_label(key: str) -> str:
    labels = {
        "yes": pgettext("button", "Yes, I have it"),
        "pending": pgettext("button", "I have applied"),
        "no": pgettext("button", "No"),
        "not_sure": pgettext("button", "Not sure"),
    }
    return labels[key]


def _category_choices(ctx: FormContext) -> list[Choice]:
    locale = current_locale()
    return [
        *(
            Choice(c.key, c.name.get(locale), c.short_name.get(locale))
            for c in ctx.turn.kb.categories
        ),
        Choice("not_sure", pgettext("button", "Not sure")),
    ]


def _parse_category(given: FieldInput, ctx: FormContext) -> Parsed:
    # Typed words in any writing style ("just me", "ម្នាក់ឯង", "sahakreas ek bokkol").
    category = parse_category(given.text) or given.turn.entity("business_category")
    return Accept(category) if category is not None else None


def _answer_parser(
    parse: Callable[[str], str | None],
) -> Callable[[FieldInput, FormContext], Parsed]:
    def parser(given: FieldInput, ctx: FormContext) -> Parsed:
        found = parse(given.text)
        return Accept(found) if found is not None else None

    return parser


def _parse_registration(given: FieldInput, ctx: FormContext) -> Parsed:
    answer = parse_registration(given.text)
    if answer is not None:
        return Accept(answer)
    intent = given.turn.parse.intent.name if given.turn.parse else None
    if intent == Intent.AFFIRM:
        return Accept("yes")
    if intent == Intent.DENY:
        return Accept("no")
    return None


async def _verdict(ctx: FormContext) -> None:
    await verdict(ctx.turn, dict(ctx.answers))


ELIGIBILITY = FORMS.register(
    Form(
        id="elig",
        title=lambda: _("eligibility check"),
        fields=(
            Field(
                name="cat",
                prompt=lambda ctx: _("What kind of business are you?"),
                choices=_category_choices,
                parse=_parse_category,
            ),
            Field(
                name="act",
                prompt=lambda ctx: _("What do you sell online?"),
                choices=lambda ctx: [Choice(k, _activity_label(k)) for k in ACTIVITIES],
                parse=_answer_parser(parse_activity),
            ),
            Field(
                name="ch",
                prompt=lambda ctx: _("Where do you sell?"),
                choices=lambda ctx: [
                    Choice(k, _channel_label(k), _channel_short_label(k)) for k in CHANNELS
                ],
                parse=_answer_parser(parse_channel),
                when=lambda answers: answers.get("act") != "insurance",
            ),
            Field(
                name="reg",
                prompt=lambda ctx: _(
                    "Do you have the e-commerce licence or permission letter from the "
                    "Ministry of Commerce?"
                ),
                choices=lambda ctx: [Choice(k, _registration_label(k)) for k in REGISTRATIONS],
                parse=_parse_registration,
                when=lambda answers: (
                    answers.get("act") != "insurance" and answers.get("ch") != "offline"
                ),
            ),
        ),
        on_complete=_verdict,
    )
)


async def start(turn: Turn) -> None:
    """Begin the check (or restart it) at the first question."""
    await forms.start(turn, ELIGIBILITY.id)


async def verdict(turn: Turn, answers: dict[str, Any]) -> None:
    """Give a clear verdict with the next step."""
    locale = current_locale()
    kb = turn.kb
    if answers.get("act") == "insurance":
        exclusion = next(e for e in kb.eligibility.exclusions if e.key == "insurance")
        turn.outbox.say(
            "\n".join(
                [
                    _("Not eligible."),
                    exclusion.text.get(locale),
                    _("The trustmark is for online sellers and e-commerce platforms."),
                ]
            ),
            (keyboards.about_button(), keyboards.menu_button()),
        )
        return
    if answers.get("ch") == "offline":
        turn.outbox.say(
            "\n".join(
                [
                    _("Not yet."),
                    _(
                        "The trustmark is for businesses that sell through electronic systems. "
                        "You can apply once you sell online."
                    ),
                ]
            ),
            (keyboards.criteria_button(), keyboards.menu_button()),
        )
        return
    keys = {c.key for c in kb.categories}
    category_key = str(answers.get("cat", ""))
    category = kb.category(category_key) if category_key in keys else None
    fee_payload = f"fee:{category.key}" if category is not None else "fee:all"
    activity = answers.get("act")
    if activity == "intermediary":
        kind = kb.eligibility.intermediary
    elif activity in ("goods", "services"):
        kind = kb.eligibility.service_provider
    else:  # "other" or "not sure": who is eligible, in full
        kind = kb.eligibility.summary
    if answers.get("reg") == "yes":
        first = (
            _("Yes, you are eligible. Business type: {category}.").format(
                category=category.name.get(locale)
            )
            if category is not None
            else _(
                "Yes, you are eligible: individuals, sole proprietorships, companies and "
                "branches of foreign companies can all apply."
            )
        )
        turn.outbox.say(
            "\n".join(
                [
                    first,
                    kind.get(locale),
                    _("Next step: prepare your documents and evidence for the 9 criteria."),
                ]
            ),
            (
                apply_now_button(
                    category.key if category is not None else "", str(answers.get("act", ""))
                ),
                keyboards.documents_button(),
                keyboards.criteria_button(),
                Button(pgettext("button", "My fee"), fee_payload),
                keyboards.menu_button(),
            ),
        )
        return
    registration = answers.get("reg")
    if registration == "pending":
        first_line = _("Almost: your business type can apply, but finish your registration first.")
    elif registration == "not_sure":
        first_line = _(
            "Your business type can apply. First check that you hold the e-commerce licence "
            "or permission letter."
        )
    else:
        first_line = _("Your business type can apply, but register with the Ministry first.")
    turn.outbox.say(
        "\n".join(
            [
                first_line,
                kb.eligibility.licence_advice.get(locale),
                _("Next step: get the e-commerce licence or permission letter, then apply."),
            ]
        ),
        (
            keyboards.documents_button(),
            Button(pgettext("button", "My fee"), fee_payload),
            keyboards.menu_button(),
        ),
    )
