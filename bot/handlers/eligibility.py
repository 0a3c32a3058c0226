"""The guided eligibility check: category, what they sell, where, registration, then a verdict."""

from __future__ import annotations

import re
from typing import Final

from bot import keyboards
from bot.dialogue.state import Step
from bot.i18n import _, current_locale, pgettext
from bot.messages import Button
from bot.turn import Turn
from nlu import Intent
from nlu.normalise import normalise

TOTAL_STEPS: Final = 4

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


def _progress(step: int) -> str:
    return _("Step {step} of {total}").format(step=step, total=TOTAL_STEPS)


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


async def start(turn: Turn) -> None:
    """Begin the check (or restart it) at the first question."""
    turn.state.leave_flow()
    turn.state.go_to(Step.ELIGIBILITY_CATEGORY)
    await prompt(turn)


async def prompt(turn: Turn) -> None:
    """Ask the question of the step the user is on."""
    step = turn.state.step
    locale = current_locale()
    nav = keyboards.flow_navigation()
    if step is Step.ELIGIBILITY_CATEGORY:
        buttons = [
            Button(c.name.get(locale), f"elig:cat:{c.key}", c.short_name.get(locale))
            for c in turn.kb.categories
        ]
        turn.outbox.say(
            "\n".join([_progress(1), _("What kind of business are you?")]),
            [*buttons, keyboards.cancel_button()],
        )
    elif step is Step.ELIGIBILITY_ACTIVITY:
        buttons = [Button(_activity_label(k), f"elig:act:{k}") for k in ACTIVITIES]
        turn.outbox.say("\n".join([_progress(2), _("What do you sell online?")]), [*buttons, *nav])
    elif step is Step.ELIGIBILITY_CHANNEL:
        buttons = [
            Button(_channel_label(k), f"elig:ch:{k}", _channel_short_label(k)) for k in CHANNELS
        ]
        turn.outbox.say("\n".join([_progress(3), _("Where do you sell?")]), [*buttons, *nav])
    elif step is Step.ELIGIBILITY_REGISTRATION:
        buttons = [Button(_registration_label(k), f"elig:reg:{k}") for k in REGISTRATIONS]
        turn.outbox.say(
            "\n".join(
                [
                    _progress(4),
                    _(
                        "Do you have the e-commerce licence or permission letter from the "
                        "Ministry of Commerce?"
                    ),
                ]
            ),
            [*buttons, *nav],
        )


async def record_answer(turn: Turn, field: str, value: str) -> None:
    """Store one answer and move to the next question, or to the verdict."""
    state = turn.state
    state.answers[field] = value
    if field == "category":
        state.go_to(Step.ELIGIBILITY_ACTIVITY)
    elif field == "activity":
        if value == "insurance":
            await verdict(turn)
            return
        state.go_to(Step.ELIGIBILITY_CHANNEL)
    elif field == "channel":
        if value == "offline":
            await verdict(turn)
            return
        state.go_to(Step.ELIGIBILITY_REGISTRATION)
    else:
        await verdict(turn)
        return
    await prompt(turn)


async def verdict(turn: Turn) -> None:
    """Give a clear verdict with the next step, then leave the flow."""
    answers = dict(turn.state.answers)
    turn.state.leave_flow()
    locale = current_locale()
    kb = turn.kb
    if answers.get("activity") == "insurance":
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
    if answers.get("channel") == "offline":
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
    category = kb.category(answers.get("category", "individual"))
    kind = (
        kb.eligibility.intermediary
        if answers.get("activity") == "intermediary"
        else kb.eligibility.service_provider
    )
    if answers.get("registration") == "yes":
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
                keyboards.documents_button(),
                keyboards.criteria_button(),
                Button(pgettext("button", "My fee"), f"fee:{category.key}"),
                keyboards.menu_button(),
            ),
        )
        return
    first_line = (
        _("Almost: your business type can apply, but finish your registration first.")
        if answers.get("registration") == "pending"
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


async def on_step(turn: Turn) -> bool:
    """Interpret a typed answer at the current step; False when it does not answer it."""
    step = turn.state.step
    # The NLU's normalisation: no zero-width spaces, canonical Khmer order, lower case.
    text = normalise(turn.text).text
    if step is Step.ELIGIBILITY_CATEGORY:
        category = turn.entity("business_category")
        if category is None:
            return False
        await record_answer(turn, "category", category)
        return True
    if step is Step.ELIGIBILITY_ACTIVITY:
        activity = _match(_ACTIVITY_WORDS, text)
        if activity is None:
            return False
        await record_answer(turn, "activity", activity)
        return True
    if step is Step.ELIGIBILITY_CHANNEL:
        channel = _match(_CHANNEL_WORDS, text)
        if channel is None:
            return False
        await record_answer(turn, "channel", channel)
        return True
    if step is Step.ELIGIBILITY_REGISTRATION:
        intent = turn.parse.intent.name if turn.parse else None
        if _PENDING_WORDS.search(text):
            answer = "pending"
        elif intent == Intent.AFFIRM:
            answer = "yes"
        elif intent == Intent.DENY:
            answer = "no"
        else:
            return False
        await record_answer(turn, "registration", answer)
        return True
    return False


async def on_payload(turn: Turn, argument: str) -> None:
    """Handle ``elig:<field>:<value>`` buttons; a stale or unknown button restarts politely."""
    field, _sep, value = argument.partition(":")
    valid = {
        "cat": ("category", {c.key for c in turn.kb.categories}, Step.ELIGIBILITY_CATEGORY),
        "act": ("activity", set(ACTIVITIES), Step.ELIGIBILITY_ACTIVITY),
        "ch": ("channel", set(CHANNELS), Step.ELIGIBILITY_CHANNEL),
        "reg": ("registration", set(REGISTRATIONS), Step.ELIGIBILITY_REGISTRATION),
    }
    if field not in valid or value not in valid[field][1]:
        await start(turn)
        return
    name, _values, step = valid[field]
    if turn.state.step is not step:
        # A button from an earlier message: answer it as if the user were back at that step.
        if turn.state.step is Step.IDLE and step is not Step.ELIGIBILITY_CATEGORY:
            await start(turn)
            return
        turn.state.step = step
    await record_answer(turn, name, value)
