"""Greeting, main menu, help, goodbye, thanks and the polite fallback."""

from __future__ import annotations

from bot import keyboards
from bot.i18n import _
from bot.turn import Turn


async def greet(turn: Turn) -> None:
    """Say hello and show what the bot can do."""
    turn.outbox.say(
        _(
            "Hello! I am the Ministry of Commerce assistant for the e-commerce trustmark "
            "(CETS). I can check whether a shop is certified before you pay, and tell you who "
            "can get the trustmark, what it costs and which documents you need."
        ),
        keyboards.main_menu(),
    )


async def main_menu(turn: Turn) -> None:
    """Show the main menu."""
    turn.outbox.say(_("What would you like to know?"), keyboards.main_menu())


async def show_help(turn: Turn) -> None:
    """Explain how to talk to the bot."""
    turn.outbox.say(
        _(
            "Tap a button or type your question in Khmer or English.\n"
            "Type \u201cmenu\u201d for the main menu, \u201cback\u201d to go back one step "
            "and \u201ccancel\u201d to stop what you are doing."
        ),
        keyboards.main_menu(),
    )


async def goodbye(turn: Turn) -> None:
    """Close the conversation politely."""
    turn.state.detach()
    turn.outbox.say(_("Goodbye! Come back any time."), (keyboards.menu_button(),))


async def thanks(turn: Turn) -> None:
    """Answer a thank-you."""
    turn.outbox.say(_("You are welcome! Anything else?"), keyboards.main_menu())


async def fallback(turn: Turn) -> None:
    """Answer something the bot cannot help with, and offer the menu."""
    turn.outbox.say(
        _("Sorry, I can only help with the e-commerce trustmark (CETS). Please choose a topic:"),
        keyboards.main_menu(),
    )


async def not_understood(turn: Turn) -> None:
    """Emoji, punctuation or a very long message: a short, polite menu."""
    turn.outbox.say(
        _("Sorry, I did not catch that. Please tap a topic or ask one short question:"),
        keyboards.main_menu(),
    )


async def attachment_not_expected(turn: Turn) -> None:
    """A file arrived where the bot does not need one."""
    turn.outbox.say(
        _("Thank you. I do not need a file right now. Please choose a topic:"),
        keyboards.main_menu(),
    )
