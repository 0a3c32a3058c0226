"""The guided eligibility check: category, what they sell, where, registration, then a verdict."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from bot import forms, keyboards
from bot.forms import FORMS, Accept, Choice, Field, FieldInput, Form, FormContext, Parsed
from bot.handlers.application import apply_now_button
from bot.i18n import _, current_locale, pgettext
from bot.messages import Button
from bot.turn import Turn
from nlu import Intent
from nlu.normalise import normalise

ACTIVITIES: Final = ("goods", "services", "intermediary", "insurance")
CHANNELS: Final = ("facebook", "telegram", "website", "marketplace", "offline")
REGISTRATIONS: Final = ("yes", "pending", "no")

# Typed answers, for users who write instead of tapping. Khmer, English and romanized Khmer.
_ACTIVITY_WORDS: Final = (
    ("insurance", re.compile(r"insur|ធានារ៉ាប់រង|thea?na ?rab ?rong", re.IGNORECASE)),
    (
        "intermediary",
        re.compile(r"market ?place|platform|payment|auction|ផ្សារ|វេទិកា|ទូទាត់", re.IGNORECASE),
    ),
    ("services", re.compile(r"servic|សេវា|sevak?a", re.IGNORECASE)),
    ("goods", re.compile(r"goods|product|item|clothes|ទំនិញ|ផលិតផល|eyvan|ey van", re.IGNORECASE)),
)
_CHANNEL_WORDS: Final = (
    ("facebook", re.compile(r"face ?book|\bfb\b|ហ្វេស|page", re.IGNORECASE)),
    ("telegram", re.compile(r"telegram|tele|តេឡេ", re.IGNORECASE)),
    ("website", re.compile(r"web|site|\bapp\b|គេហទំព័រ|វេបសាយ", re.IGNORECASE)),
    ("marketplace", re.compile(r"market|shopee|lazada|ផ្សារ", re.IGNORECASE)),
    ("offline", re.compile(r"not (yet )?online|offline|មិនទាន់", re.IGNORECASE)),
)
_PENDING_WORDS: Final = re.compile(r"pending|applying|in progress|កំពុង|kom ?pung", re.IGNORECASE)


def _activity_label(key: str) -> str:
    labels = {
        "goods": pgettext("button", "Goods"),
        "services": pgettext("button", "Services"),
        "intermediary": pgettext("button", "Online platform"),
        "insurance": pgettext("button", "Insurance"),
    }
    return labels[key]


def _channel_label(key: str) -> str:
    labels = {
        "facebook": pgettext("button", "Facebook page"),
        "telegram": pgettext("button", "Telegram"),
        "website": pgettext("button", "Own website or app"),
        "marketplace": pgettext("button", "Online marketplace"),
        "offline": pgettext("button", "Not online yet"),
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
    }
    return labels[key]


def _category_choices(ctx: FormContext) -> list[Choice]:
    locale = current_locale()
    return [
        Choice(c.key, c.name.get(locale), c.short_name.get(locale)) for c in ctx.turn.kb.categories
    ]


def _parse_category(given: FieldInput, ctx: FormContext) -> Parsed:
    category = given.turn.entity("business_category")
    return Accept(category) if category is not None else None


def _pattern_parser(
    table: tuple[tuple[str, re.Pattern[str]], ...],
) -> Callable[[FieldInput, FormContext], Parsed]:
    def parse(given: FieldInput, ctx: FormContext) -> Parsed:
        # The NLU's normalisation: no zero-width spaces, canonical Khmer order, lower case.
        found = _match(table, normalise(given.text).text)
        return Accept(found) if found is not None else None

    return parse


def _parse_registration(given: FieldInput, ctx: FormContext) -> Parsed:
    text = normalise(given.text).text
    intent = given.turn.parse.intent.name if given.turn.parse else None
    if _PENDING_WORDS.search(text):
        return Accept("pending")
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
                parse=_pattern_parser(_ACTIVITY_WORDS),
            ),
            Field(
                name="ch",
                prompt=lambda ctx: _("Where do you sell?"),
                choices=lambda ctx: [
                    Choice(k, _channel_label(k), _channel_short_label(k)) for k in CHANNELS
                ],
                parse=_pattern_parser(_CHANNEL_WORDS),
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
    category = kb.category(answers.get("cat", "individual"))
    kind = (
        kb.eligibility.intermediary
        if answers.get("act") == "intermediary"
        else kb.eligibility.service_provider
    )
    if answers.get("reg") == "yes":
        turn.outbox.say(
            "\n".join(
                [
                    _("Yes, you are eligible. Business type: {category}.").format(
                        category=category.name.get(locale)
                    ),
                    kind.get(locale),
                    _("Next step: prepare your documents and evidence for the 9 criteria."),
                ]
            ),
            (
                apply_now_button(category.key, str(answers.get("act", ""))),
                keyboards.documents_button(),
                keyboards.criteria_button(),
                Button(pgettext("button", "My fee"), f"fee:{category.key}"),
                keyboards.menu_button(),
            ),
        )
        return
    first_line = (
        _("Almost: your business type can apply, but finish your registration first.")
        if answers.get("reg") == "pending"
        else _("Your business type can apply, but register with the Ministry first.")
    )
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
            Button(pgettext("button", "My fee"), f"fee:{category.key}"),
            keyboards.menu_button(),
        ),
    )


def _match(table: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> str | None:
    found = [key for key, pattern in table if pattern.search(text)]
    return found[0] if found else None
