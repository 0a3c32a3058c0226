"""What the trustmark is, who issues it and how long it is valid."""

from __future__ import annotations

from bot import keyboards
from bot.i18n import current_locale
from bot.turn import Turn


async def about_trustmark(turn: Turn) -> None:
    """Explain the trustmark in a few short lines."""
    locale = current_locale()
    mark = turn.kb.trustmark
    lines = [
        mark.what.get(locale),
        mark.issuer.get(locale),
        mark.voluntary.get(locale),
        mark.validity.get(locale),
    ]
    turn.outbox.say(
        "\n\n".join(lines),
        (
            keyboards.eligibility_button(),
            keyboards.fees_button(),
            keyboards.criteria_button(),
            keyboards.menu_button(),
        ),
    )
