"""Chat with the bot in a terminal: one message per line, buttons shown as numbered choices."""

from __future__ import annotations

import asyncio
import logging
import sys
import unicodedata
from typing import TYPE_CHECKING, TextIO

from bot.channels.text_render import reply_as_text, reply_buttons
from bot.core import ConversationCore
from bot.i18n import DEFAULT_LOCALE, _, use_locale
from bot.language import detect_locale
from bot.messages import Button, InboundMessage

if TYPE_CHECKING:
    from bot.delivery import Deliveries

log = logging.getLogger(__name__)

CHANNEL = "terminal"


def pick_button(line: str, buttons: tuple[Button, ...]) -> Button | None:
    """The button a typed line picks: its number, or its label typed in full."""
    text = unicodedata.normalize("NFC", line).strip()
    if text.isdigit() and 1 <= int(text) <= len(buttons):
        return buttons[int(text) - 1]
    folded = text.casefold()
    for button in buttons:
        if folded in {button.label.casefold(), (button.short_label or "").casefold()}:
            return button
    return None


class TerminalChat:
    """Reads lines from a text stream and prints the bot's replies."""

    def __init__(
        self,
        core: ConversationCore,
        *,
        user_id: str,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        deliveries: Deliveries | None = None,
    ) -> None:
        self._core = core
        self._deliveries = deliveries
        self._user_id = user_id
        self._stdin = stdin
        self._stdout = stdout
        self._interactive = stdin.isatty()
        self._buttons: tuple[Button, ...] = ()

    async def run(self) -> None:
        """Chat until end of input (Ctrl-D, or the end of piped input)."""
        await self.show_deliveries()
        while True:
            if self._interactive:
                self._stdout.write("> ")
                self._stdout.flush()
            line = await asyncio.to_thread(self._stdin.readline)
            if not line:
                break
            if line.strip():
                await self.send(line.rstrip("\n"))

    async def show_deliveries(self) -> None:
        """Print the messages delivered to this user while the chat was closed."""
        if self._deliveries is None:
            return
        for delivery in await self._deliveries.pending(CHANNEL, self._user_id):
            offered: list[Button] = []
            for reply in delivery.replies:
                self._stdout.write(reply_as_text(reply, len(offered) + 1) + "\n\n")
                offered += reply_buttons(reply)
            self._stdout.flush()
            self._buttons = tuple(offered)
            await self._deliveries.shown(delivery)

    async def send(self, line: str) -> None:
        """Send one typed line and print the replies."""
        button = pick_button(line, self._buttons)
        message = InboundMessage(
            channel=CHANNEL,
            user_id=self._user_id,
            text="" if button else line,
            payload=button.payload if button else None,
        )
        try:
            replies = await self._core.handle(message)
        except Exception:
            # Nothing was saved for this message; say so (in the language it was written in, as
            # the saved state may be what failed) and keep the chat open.
            log.exception("the message could not be handled")
            with use_locale(detect_locale(line) or DEFAULT_LOCALE):
                self._stdout.write(_("Sorry, something went wrong. Please try again.") + "\n\n")
            self._stdout.flush()
            return
        # Buttons are numbered across all replies of one answer, so every number is unique.
        offered: list[Button] = []
        for reply in replies:
            self._stdout.write(reply_as_text(reply, len(offered) + 1) + "\n\n")
            offered += reply_buttons(reply)
        self._stdout.flush()
        self._buttons = tuple(offered)
