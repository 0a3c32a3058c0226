"""Inline mode: verification cards a user can post into any chat, e.g. with a seller."""

from __future__ import annotations

from typing import Final

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent
from telegram.constants import ParseMode

from bot.channels.telegram.commands import certificate_deep_link
from bot.channels.telegram.keyboard import url_keyboard
from bot.channels.telegram.rendering import html_pieces
from bot.i18n import pgettext
from bot.messages import CardReply

# The deep-link argument that opens the bot at "check a shop".
CHECK_START_PARAMETER: Final = "check"
_CERTIFICATE_PAYLOADS: Final = ("share:", "cert:")


def card_certificate(card: CardReply) -> str | None:
    """The certificate a verification card is about, from its share or certificate button."""
    for button in card.buttons:
        for prefix in _CERTIFICATE_PAYLOADS:
            if button.payload.startswith(prefix):
                return button.payload.removeprefix(prefix).strip() or None
    return None


def inline_article(card: CardReply, number: int, bot_username: str) -> InlineQueryResultArticle:
    """One card as an inline result; posting it sends the card with a link back to the bot.

    Call inside the user's locale. The card's own buttons are not carried over: a callback
    button in someone else's chat would call the bot on behalf of whoever presses it.
    """
    certificate_id = card_certificate(card)
    if certificate_id is not None:
        link = certificate_deep_link(bot_username, certificate_id)
    else:
        link = f"https://t.me/{bot_username}?start={CHECK_START_PARAMETER}"
    return InlineQueryResultArticle(
        id=certificate_id or f"shop-{number}",
        title=card.title,
        description=card.subtitle,
        input_message_content=InputTextMessageContent(
            html_pieces(card)[0], parse_mode=ParseMode.HTML
        ),
        reply_markup=url_keyboard(pgettext("button", "Open in the CETS bot"), link),
    )


def results_button() -> InlineQueryResultsButton:
    """The button above inline results that opens the bot at "check a shop" (in the locale)."""
    return InlineQueryResultsButton(
        text=pgettext("button", "Check a shop in the CETS bot"),
        start_parameter=CHECK_START_PARAMETER,
    )
