"""The 9 criteria and the evidence that satisfies each; one criterion when the user names it."""

from __future__ import annotations

import re
from typing import Final

from bot import keyboards
from bot.answers import Option, match_single
from bot.i18n import _, current_locale, pgettext
from bot.messages import Button
from bot.turn import Turn
from kb import KnowledgeBase
from nlu.normalise import normalise_str

# "criterion 5", "#5", "លក្ខណៈវិនិច្ឆ័យទី5", "leak khan ti 5"; not "the 9 criteria" (a count).
_NUMBERED = re.compile(
    r"(?:criterion|criteria|criterias|creteria|requirement|leak ?khan\w*|លក្ខណៈវិនិច្ឆ័យ|"
    r"លក្ខខណ្ឌ|number|no\.?|#)\s*(?:ទី|ti|number|no\.?|#)?\s*(?P<n>[1-9])(?!\d)"
    r"|(?:ទី|ti )\s*(?P<m>[1-9])(?!\d)"
)
_ORDINALS: Final = (
    ("first", "ទីមួយ", "ti muoy", "ti mouy"),
    ("second", "ទីពីរ", "ti pi"),
    ("third", "ទីបី", "ti bei", "ti bey"),
    ("fourth", "ទីបួន", "ti buon"),
    ("fifth", "ទីប្រាំ", "ti pram"),
    ("sixth", "ទីប្រាំមួយ", "ti pram muoy"),
    ("seventh", "ទីប្រាំពីរ", "ti pram pi"),
    ("eighth", "ទីប្រាំបី", "ti pram bei"),
    ("ninth", "ទីប្រាំបួន", "ti pram buon"),
)
# Everyday words for each criterion's topic, in every writing style (titles are added).
_TOPICS: Final = {
    1: ("business identity", "contact details", "address on my page", "អត្តសញ្ញាណ", "attasanhya"),
    2: ("product description", "sales records", "describe products", "កំណត់ត្រាការលក់"),
    3: ("warranty", "warranties", "guarantee", "ធានាទំនិញ", "ការធានា", "thanea"),
    4: ("secure payment", "payment methods", "ssl", "ការទូទាត់", "vithi bong luy"),
    5: ("data protection", "privacy", "personal data", "ទិន្នន័យផ្ទាល់ខ្លួន", "ឯកជនភាព"),
    6: ("feedback", "reviews", "customer reviews", "មតិកែលម្អ", "មតិអតិថិជន"),
    7: ("dispute", "disputes", "dispute resolution", "វិវាទ", "ដោះស្រាយវិវាទ", "vivead"),
    8: ("refund", "refunds", "returns", "return policy", "សងប្រាក់", "សងលុយ", "sang luy"),
    9: ("code of conduct", "ក្រមប្រតិបត្តិ", "kram prateptti"),
}


def _topic_options(kb: KnowledgeBase) -> tuple[Option, ...]:
    return tuple(
        Option(
            str(c.number),
            (c.title.en, c.title.km, c.short_title.en, c.short_title.km, *_TOPICS[c.number]),
        )
        for c in kb.criteria
    )


def named_criterion(text: str, kb: KnowledgeBase) -> int | None:
    """The one criterion a question names, by number, ordinal or topic; None otherwise."""
    norm = normalise_str(text)
    numbers = {int(m.group("n") or m.group("m")) for m in _NUMBERED.finditer(norm)}
    for number, words in enumerate(_ORDINALS, start=1):
        if any(
            re.search(rf"(?<![a-z]){re.escape(normalise_str(w))}(?![a-z\u17b6-\u17d3])", norm)
            for w in words
        ):
            numbers.add(number)
    if len(numbers) == 1:
        number = numbers.pop()
        return number if 1 <= number <= len(kb.criteria) else None
    if numbers:
        return None
    topic = match_single(text, _topic_options(kb))
    return int(topic) if topic else None


async def ask_criteria(turn: Turn) -> None:
    """One criterion when the question names it ("what is criterion 5?"), else all 9."""
    number = named_criterion(turn.text, turn.kb) if turn.text else None
    if number is not None:
        await show_criterion(turn, number)
        return
    await list_criteria(turn)


async def list_criteria(turn: Turn) -> None:
    """List all 9 criteria, with a button to see the evidence for each."""
    locale = current_locale()
    criteria = turn.kb.criteria
    lines = [
        _("A shop must meet these {count} criteria and show evidence for each:").format(
            count=len(criteria)
        )
    ]
    lines += [f"{c.number}. {c.title.get(locale)}" for c in criteria]
    lines.append(_("Tap a number to see what evidence is accepted."))
    buttons = [Button(str(c.number), f"crit:{c.number}") for c in criteria]
    buttons.append(keyboards.menu_button())
    turn.outbox.say("\n".join(lines), buttons)


async def show_criterion(turn: Turn, number: int) -> None:
    """One criterion in full, with the evidence that satisfies it."""
    locale = current_locale()
    criteria = turn.kb.criteria
    matching = [c for c in criteria if c.number == number]
    if not matching:
        await list_criteria(turn)
        return
    criterion = matching[0]
    lines = [
        _("Criterion {number} of {total}: {title}").format(
            number=criterion.number, total=len(criteria), title=criterion.title.get(locale)
        ),
        criterion.description.get(locale),
        _("Evidence you can show:"),
    ]
    lines += [f"\u2022 {item.get(locale)}" for item in criterion.evidence]
    if not criterion.applicable_always:
        lines.append(_("This criterion applies only if you offer it."))
    buttons: list[Button] = []
    if criterion.number < len(criteria):
        buttons.append(
            Button(
                pgettext("button", "Next criterion"),
                f"crit:{criterion.number + 1}",
                pgettext("short", "Next"),
            )
        )
    buttons += [keyboards.criteria_button(), keyboards.menu_button()]
    turn.outbox.say("\n".join(lines), buttons)


async def on_payload(turn: Turn, argument: str) -> None:
    """Handle a ``crit:<n>`` button."""
    if argument.isdigit():
        await show_criterion(turn, int(argument))
    else:
        await list_criteria(turn)
