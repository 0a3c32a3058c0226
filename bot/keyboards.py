"""Buttons shared by several handlers: the main menu, navigation and topic shortcuts."""

from __future__ import annotations

from bot.i18n import pgettext
from bot.messages import Button


def menu_button() -> Button:
    """Back to the main menu."""
    return Button(pgettext("button", "Main menu"), "nav:menu", pgettext("short", "Menu"))


def back_button() -> Button:
    """One step back in the current flow."""
    return Button(pgettext("button", "Back"), "nav:back")


def cancel_button() -> Button:
    """Leave the current flow."""
    return Button(pgettext("button", "Cancel"), "nav:cancel")


def about_button() -> Button:
    """What the trustmark is."""
    return Button(
        pgettext("button", "What is the trustmark?"),
        "i:about_trustmark",
        pgettext("short", "About"),
    )


def eligibility_button() -> Button:
    """Start the eligibility check."""
    return Button(
        pgettext("button", "Am I eligible?"), "i:ask_eligibility", pgettext("short", "Eligibility")
    )


def fees_button() -> Button:
    """The fee table."""
    return Button(pgettext("button", "Fees"), "fee:all")


def documents_button() -> Button:
    """The required documents."""
    return Button(pgettext("button", "Documents"), "i:ask_documents")


def criteria_button() -> Button:
    """The 9 criteria."""
    return Button(
        pgettext("button", "The 9 criteria"), "i:ask_criteria", pgettext("short", "Criteria")
    )


def apply_button() -> Button:
    """Start (or continue) a trustmark application."""
    return Button(pgettext("button", "Apply"), "i:apply")


def language_button() -> Button:
    """Choose the language."""
    return Button(pgettext("button", "Language"), "i:change_language")


def check_shop_button() -> Button:
    """Check whether a shop is certified."""
    return Button(pgettext("button", "Check a shop"), "i:check_shop")


def help_button() -> Button:
    """How to use the bot."""
    return Button(pgettext("button", "Help"), "i:help")


def complain_button() -> Button:
    """Start a complaint about a shop."""
    return Button(pgettext("button", "Complain"), "i:complain")


def officer_button() -> Button:
    """Talk to an officer of the Ministry."""
    return Button(
        pgettext("button", "Talk to an officer"), "i:human_agent", pgettext("short", "Officer")
    )


def main_menu() -> tuple[Button, ...]:
    """The topics a user can start from."""
    return (
        check_shop_button(),
        about_button(),
        eligibility_button(),
        fees_button(),
        documents_button(),
        criteria_button(),
        apply_button(),
        complain_button(),
        officer_button(),
        language_button(),
    )


def flow_navigation() -> tuple[Button, ...]:
    """A way back and a way out, offered at every step of a flow."""
    return (back_button(), cancel_button())
