"""Renewing the certificate: how long it lasts, the short form, the 75% fee, what to prepare."""

from __future__ import annotations

from bot import keyboards
from bot.handlers.fees import khr_per_usd
from bot.i18n import _, current_locale, format_percent, format_riel, format_usd
from bot.turn import Turn


async def renewal_facts(turn: Turn) -> None:
    """Everything the knowledge base says about renewing, with the fee for one category or all."""
    kb = turn.kb
    locale = current_locale()
    renewal = kb.renewal
    fees = kb.fees
    lines = [renewal.validity.get(locale), renewal.how.get(locale), "", _("Prepare:")]
    lines += [f"\u2022 {item.get(locale)}" for item in renewal.prepare]
    lines.append("")
    lines.append(
        _("Renewal fee: {percent} of the application fee.").format(
            percent=format_percent(fees.renewal_percent)
        )
    )
    category = turn.entity("business_category")
    keys = [c.key for c in kb.categories]
    shown = [category] if category in keys else keys
    for key in shown:
        amount = fees.renewal_fee(key)
        lines.append(
            _("\u2022 {category}: {amount} (about {riel})").format(
                category=kb.category(key).name.get(locale),
                amount=format_usd(amount),
                riel=format_riel(amount * khr_per_usd(turn)),
            )
        )
    lines.append(fees.label.get(locale))
    turn.outbox.say(
        "\n".join(lines),
        (keyboards.fees_button(), keyboards.documents_button(), keyboards.menu_button()),
    )
