"""Reply buttons as Telegram inline keyboards: payloads in callback data, never labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.messages import Button

# Telegram's limit for callback_data.
CALLBACK_DATA_LIMIT: Final = 64
# A button whose payload is ``share:<certificate id>`` lets the user pick a chat and post the
# verification card there through inline mode, instead of calling back to the bot.
SHARE_PREFIX: Final = "share:"
# Labels up to this many characters are laid out two to a row; longer ones get a row each.
_SHORT_LABEL: Final = 18


def callback_data(button: Button) -> str:
    """The callback data for a button: its ASCII payload, checked against Telegram's limit."""
    payload = button.payload
    if not payload.isascii() or len(payload.encode("ascii")) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"payload does not fit Telegram callback data: {payload!r}")
    return payload


def shared_certificate(button: Button) -> str | None:
    """The certificate id a share button offers to share, or None for other buttons."""
    if button.payload.startswith(SHARE_PREFIX):
        certificate_id = button.payload.removeprefix(SHARE_PREFIX).strip()
        return certificate_id or None
    return None


def keyboard_button(button: Button) -> InlineKeyboardButton:
    """One button: a share button opens inline mode, any other calls back with its payload."""
    certificate_id = shared_certificate(button)
    if certificate_id is not None:
        return InlineKeyboardButton(button.label, switch_inline_query=certificate_id)
    return InlineKeyboardButton(button.label, callback_data=callback_data(button))


def _rows(buttons: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        last = rows[-1] if rows else None
        if (
            last is not None
            and len(last) == 1
            and len(last[0].text) <= _SHORT_LABEL
            and len(button.text) <= _SHORT_LABEL
        ):
            last.append(button)
        else:
            rows.append([button])
    return rows


def inline_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """The inline keyboard for a reply's buttons (short labels paired), or None without any.

    A "share my phone" button cannot be inline: see :func:`contact_keyboard`.
    """
    buttons = [b for b in buttons if b.kind != "contact"]
    if not buttons:
        return None
    return InlineKeyboardMarkup(_rows([keyboard_button(b) for b in buttons]))


def contact_keyboard(buttons: Sequence[Button]) -> ReplyKeyboardMarkup | None:
    """The reply keyboard with Telegram's "share my phone number" button, if one is offered.

    It stands in for the phone's keyboard until it is used once (one-time).
    """
    contact = next((b for b in buttons if b.kind == "contact"), None)
    if contact is None:
        return None
    return ReplyKeyboardMarkup(
        [[KeyboardButton(contact.label, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def url_keyboard(label: str, url: str) -> InlineKeyboardMarkup:
    """A keyboard with a single link button."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])
