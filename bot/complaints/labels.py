"""How complaint categories, payment methods and statuses are named to users (gettext)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from backend_client import ComplaintCategory, ComplaintStatus, PaymentMethod
from bot.i18n import _, pgettext

CATEGORIES: Final = (
    ComplaintCategory.NON_DELIVERY,
    ComplaintCategory.DEFECTIVE,
    ComplaintCategory.NOT_AS_DESCRIBED,
    ComplaintCategory.REFUND_REFUSED,
    ComplaintCategory.PERSONAL_DATA,
    ComplaintCategory.MISUSE_OF_MARK,
    ComplaintCategory.FRAUD,
    ComplaintCategory.OTHER,
)
"""The categories offered, in the order of the buttons."""


def category_label(category: ComplaintCategory) -> str:
    """The button label of a category."""
    labels = {
        ComplaintCategory.NON_DELIVERY: pgettext("button", "Not delivered"),
        ComplaintCategory.DEFECTIVE: pgettext("button", "Defective or fake goods"),
        ComplaintCategory.NOT_AS_DESCRIBED: pgettext("button", "Not as described"),
        ComplaintCategory.REFUND_REFUSED: pgettext("button", "Refund refused"),
        ComplaintCategory.PERSONAL_DATA: pgettext("button", "Personal data misused"),
        ComplaintCategory.MISUSE_OF_MARK: pgettext("button", "Fake trustmark"),
        ComplaintCategory.FRAUD: pgettext("button", "Scam"),
        ComplaintCategory.OTHER: pgettext("button", "Other problem"),
    }
    return labels[category]


def category_short_label(category: ComplaintCategory) -> str | None:
    """A shorter label where the full one is too long for Messenger's 20 characters."""
    shorts = {
        ComplaintCategory.DEFECTIVE: pgettext("short", "Defective or fake"),
        ComplaintCategory.PERSONAL_DATA: pgettext("short", "Personal data"),
    }
    return shorts.get(category)


@dataclass(frozen=True, slots=True)
class PaymentChoice:
    """A way of paying offered as a button: the registry's method and the bank or wallet."""

    key: str
    method: PaymentMethod
    provider: str | None


PAYMENTS: Final = (
    PaymentChoice("aba", PaymentMethod.BANK_TRANSFER, "ABA"),
    PaymentChoice("acleda", PaymentMethod.BANK_TRANSFER, "ACLEDA"),
    PaymentChoice("wing", PaymentMethod.E_WALLET, "Wing"),
    PaymentChoice("khqr", PaymentMethod.BAKONG_KHQR, "KHQR"),
    PaymentChoice("cod", PaymentMethod.CASH_ON_DELIVERY, None),
    PaymentChoice("other", PaymentMethod.OTHER, None),
)
"""How the shopper paid, in the order of the buttons."""


def payment_choice(key: object) -> PaymentChoice | None:
    """The payment choice with this key."""
    return next((p for p in PAYMENTS if p.key == key), None)


def payment_label(choice: PaymentChoice) -> str:
    """The button label of a way of paying (bank and wallet names are not translated)."""
    if choice.key == "cod":
        return pgettext("button", "Cash on delivery")
    if choice.key == "other":
        return pgettext("button", "Another way")
    return choice.provider or choice.key


def status_label(status: ComplaintStatus) -> str:
    """Where a complaint stands, as the complainant is told."""
    labels = {
        ComplaintStatus.RECEIVED: _("received, waiting for an officer"),
        ComplaintStatus.UNDER_REVIEW: _("being reviewed by an officer"),
        ComplaintStatus.FORWARDED_TO_BUSINESS: _("sent to the shop for its answer"),
        ComplaintStatus.RESOLVED: _("resolved"),
        ComplaintStatus.REJECTED: _("closed without action"),
    }
    return labels[status]
