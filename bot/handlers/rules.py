"""What a certified business must do, and the penalties for breaking the rules (as proposed)."""

from __future__ import annotations

from bot import keyboards
from bot.i18n import _, current_locale, pgettext
from bot.messages import Button
from bot.turn import Turn


def _obligations_button() -> Button:
    return Button(pgettext("button", "Obligations"), "i:ask_obligations")


def _penalties_button() -> Button:
    return Button(pgettext("button", "Penalties"), "i:ask_penalties")


async def ask_penalties(turn: Turn) -> None:
    """The penalties for breaking the rules or misusing the mark."""
    locale = current_locale()
    lines = [_("If a business breaks the rules or misuses the trustmark, the Ministry may apply:")]
    lines += [f"\u2022 {item.get(locale)}" for item in turn.kb.penalties]
    lines.append(_("These penalties are still a proposal and may change."))
    turn.outbox.say(
        "\n".join(lines),
        (_obligations_button(), keyboards.criteria_button(), keyboards.menu_button()),
    )


async def ask_obligations(turn: Turn) -> None:
    """What a certified business must do, including where the mark may be shown."""
    locale = current_locale()
    lines = [_("What a certified business must do:")]
    lines += [f"\u2022 {item.get(locale)}" for item in turn.kb.obligations]
    turn.outbox.say(
        "\n".join(lines),
        (_penalties_button(), keyboards.criteria_button(), keyboards.menu_button()),
    )
