"""Fees from the proposed schedule: for one business category, or all four, plus renewal."""

from __future__ import annotations

from decimal import Decimal

from bot import keyboards
from bot.i18n import (
    _,
    current_locale,
    format_percent,
    format_riel,
    format_usd,
    ngettext,
    pgettext,
)
from bot.messages import Button
from bot.turn import Turn
from kb import KnowledgeBase


def khr_per_usd(turn: Turn) -> Decimal:
    """The exchange rate for KHR equivalents: the environment's, else the knowledge base's."""
    return turn.settings.khr_per_usd or turn.kb.fees.khr_per_usd


def _money(turn: Turn, usd: Decimal) -> str:
    """An amount in USD with its riel equivalent."""
    return _("{usd} (about {riel})").format(
        usd=format_usd(usd), riel=format_riel(usd * khr_per_usd(turn))
    )


def _validity(kb: KnowledgeBase) -> str:
    years = kb.fees.validity_years
    return ngettext("for {years} year", "for {years} years", years).format(years=years)


def _proposed_notes(kb: KnowledgeBase) -> list[str]:
    locale = current_locale()
    fees = kb.fees
    notes = [fees.label.get(locale)]
    if not fees.waiver_active:
        notes.append(
            _("A fee waiver for the first {low} to {high} months is being considered.").format(
                low=fees.waiver_months_min, high=fees.waiver_months_max
            )
        )
    return notes


def quoted_fee(kb: KnowledgeBase, category_key: str, *, renewal: bool = False) -> Decimal:
    """The fee an application (or renewal) of this category is quoted: 0 while a waiver is on."""
    fees = kb.fees
    if fees.waiver_active:
        return Decimal(0)
    return fees.renewal_fee(category_key) if renewal else fees.application_fee(category_key)


def fee_quote(
    kb: KnowledgeBase, category_key: str, *, khr_per_usd: Decimal, renewal: bool = False
) -> list[str]:
    """The fee quote told on submitting: category, amount with riel, the waiver, the status.

    Takes the knowledge base rather than a turn, so a delivery composed later (an application
    sent once the registry was back) says the same.
    """
    locale = current_locale()
    category = kb.category(category_key).name.get(locale)
    fees = kb.fees
    amount = fees.renewal_fee(category_key) if renewal else fees.application_fee(category_key)
    money = _("{usd} (about {riel})").format(
        usd=format_usd(amount), riel=format_riel(amount * khr_per_usd)
    )
    if renewal:
        lines = [
            _("Renewal fee ({category}): {amount}, {percent} of the application fee.").format(
                category=category, amount=money, percent=format_percent(fees.renewal_percent)
            )
        ]
    else:
        lines = [
            _("Fee ({category}): {amount} {validity}.").format(
                category=category, amount=money, validity=_validity(kb)
            )
        ]
    if fees.waiver_active:
        lines.append(
            _("The fee is waived for now (waiver for the first {low} to {high} months).").format(
                low=fees.waiver_months_min, high=fees.waiver_months_max
            )
        )
    return lines + _proposed_notes(kb)


async def fee_for_category(turn: Turn, category_key: str) -> None:
    """The application and renewal fee for one business category."""
    kb = turn.kb
    locale = current_locale()
    category = kb.category(category_key)
    fee = kb.fees.application_fee(category_key)
    renewal = kb.fees.renewal_fee(category_key)
    lines = [
        _("{category} \u2014 application fee: {amount} {validity}.").format(
            category=category.name.get(locale), amount=_money(turn, fee), validity=_validity(kb)
        ),
        _("Renewal: {amount}, {percent} of the application fee.").format(
            amount=_money(turn, renewal), percent=format_percent(kb.fees.renewal_percent)
        ),
        *_proposed_notes(kb),
    ]
    turn.outbox.say(
        "\n".join(lines),
        (
            Button(pgettext("button", "All fees"), "fee:all"),
            keyboards.eligibility_button(),
            keyboards.documents_button(),
            keyboards.menu_button(),
        ),
    )


async def fee_table(turn: Turn) -> None:
    """All four categories with their application and renewal fees."""
    kb = turn.kb
    locale = current_locale()
    lines = [_("Proposed fees, {validity}:").format(validity=_validity(kb))]
    for category in kb.categories:
        lines.append(
            _("\u2022 {category}: {amount}; renewal {renewal}").format(
                category=category.name.get(locale),
                amount=_money(turn, kb.fees.application_fee(category.key)),
                renewal=format_usd(kb.fees.renewal_fee(category.key)),
            )
        )
    lines.append(
        _("Renewal costs {percent} of the application fee.").format(
            percent=format_percent(kb.fees.renewal_percent)
        )
    )
    lines += _proposed_notes(kb)
    turn.outbox.say(
        "\n".join(lines),
        (keyboards.eligibility_button(), keyboards.documents_button(), keyboards.menu_button()),
    )


async def ask_fee(turn: Turn) -> None:
    """Answer a fee question: for the category the user named, else the full table."""
    category = turn.entity("business_category")
    if category is not None and category in {c.key for c in turn.kb.categories}:
        await fee_for_category(turn, category)
    else:
        await fee_table(turn)


async def on_payload(turn: Turn, argument: str) -> None:
    """Handle ``fee:all`` and ``fee:<category>`` buttons."""
    if argument in {c.key for c in turn.kb.categories}:
        await fee_for_category(turn, argument)
    else:
        await fee_table(turn)
