"""The 9 criteria and the evidence that satisfies each."""

from __future__ import annotations

from bot import keyboards
from bot.i18n import _, current_locale, pgettext
from bot.messages import Button
from bot.turn import Turn


async def ask_criteria(turn: Turn) -> None:
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
        await ask_criteria(turn)
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
        await ask_criteria(turn)
