"""Chat with the bot in a terminal: one message per line, buttons shown as numbered choices.

``/file PATH [caption]`` sends a file as an attachment, as a platform would (quote a path with
spaces, or give it alone): every journey that takes photos or PDFs can be tried and scripted.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from bot.channels.notices import file_too_large
from bot.channels.text_render import reply_as_text, reply_buttons
from bot.core import ConversationCore
from bot.i18n import DEFAULT_LOCALE, _, use_locale
from bot.intake.limits import FileLimits
from bot.language import detect_locale
from bot.messages import Attachment, AttachmentKind, Button, InboundMessage

if TYPE_CHECKING:
    from bot.delivery import Deliveries

log = logging.getLogger(__name__)

CHANNEL = "terminal"
FILE_COMMAND: Final = "/file"


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


@dataclass(frozen=True, slots=True)
class FileCommand:
    """A typed ``/file PATH [caption]``: the path as typed (may be empty) and the caption."""

    path: str
    caption: str = ""


def parse_file_command(line: str) -> FileCommand | None:
    """The file a ``/file`` line sends, or None when the line is not that command.

    The path is the whole rest of the line when a file is there; otherwise its first word, or
    the part in quotes, and the words after it are the caption.
    """
    text = line.strip()
    if text != FILE_COMMAND and not text.startswith((FILE_COMMAND + " ", FILE_COMMAND + "\t")):
        return None
    rest = text[len(FILE_COMMAND) :].strip()
    if not rest or Path(rest).expanduser().is_file():
        return FileCommand(rest)
    if rest[0] in "\"'" and rest.find(rest[0], 1) > 0:
        end = rest.find(rest[0], 1)
        return FileCommand(rest[1:end], rest[end + 1 :].strip())
    path, _space, caption = rest.partition(" ")
    return FileCommand(path, caption.strip())


def _claimed_type(path: Path) -> tuple[AttachmentKind, str]:
    """The kind and MIME type a platform would claim from the name (the intake checks them)."""
    mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    major = mime_type.split("/", 1)[0]
    kind: AttachmentKind = "file"
    if major == "image":
        kind = "image"
    elif major == "audio":
        kind = "audio"
    elif major == "video":
        kind = "video"
    return kind, mime_type


def read_file(typed_path: str, limit: int) -> Attachment | Callable[[], str]:
    """The file at ``typed_path`` as an attachment, or the notice why not (blocking).

    The notice is returned uncomposed so that it is written in the user's language.
    """
    if not typed_path:
        return lambda: _("Please add the path of a file, for example: /file receipt.jpg")
    path = Path(typed_path).expanduser()
    try:
        if path.is_dir():
            return lambda: _("{path} is a folder, not a file.").format(path=typed_path)
        if not path.exists():
            return lambda: _("There is no file at {path}.").format(path=typed_path)
        if path.stat().st_size > limit:
            return lambda: file_too_large(limit)
        data = path.read_bytes()
    except OSError as exc:
        log.info("%s could not be read: %s", path, exc.strerror)
        return lambda: _("I could not read the file {path}.").format(path=typed_path)
    if len(data) > limit:  # it grew while it was read
        return lambda: file_too_large(limit)
    kind, mime_type = _claimed_type(path)
    return Attachment(kind=kind, filename=path.name, mime_type=mime_type, data=data)


class TerminalChat:
    """Reads lines from a text stream and prints the bot's replies."""

    def __init__(
        self,
        core: ConversationCore,
        *,
        user_id: str,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        limits: FileLimits | None = None,
        deliveries: Deliveries | None = None,
    ) -> None:
        self._core = core
        self._limits = limits or FileLimits.from_env()
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
        """Send one typed line (a ``/file`` command sends a file) and print the replies."""
        command = parse_file_command(line)
        if command is not None:
            await self.send_file(command)
            return
        button = pick_button(line, self._buttons)
        message = InboundMessage(
            channel=CHANNEL,
            user_id=self._user_id,
            text="" if button else line,
            payload=button.payload if button else None,
        )
        await self._handle(message, line)

    async def send_file(self, command: FileCommand) -> None:
        """Send a file as an attachment, its caption as the text; say so when it cannot be read."""
        read = await asyncio.to_thread(read_file, command.path, self._limits.max_file_bytes)
        if not isinstance(read, Attachment):
            await self._print_notice(read, command.caption)
            return
        message = InboundMessage(
            channel=CHANNEL, user_id=self._user_id, text=command.caption, attachments=(read,)
        )
        await self._handle(message, command.caption)

    async def _print_notice(self, compose: Callable[[], str], hint: str) -> None:
        """Print a notice of the terminal chat itself, in the language the bot would answer."""
        try:
            locale = await self._core.reply_locale(CHANNEL, self._user_id, hint)
        except Exception:
            log.exception("the conversation's language could not be read")
            locale = detect_locale(hint) or DEFAULT_LOCALE
        with use_locale(locale):
            self._stdout.write(compose() + "\n\n")
        self._stdout.flush()

    async def _handle(self, message: InboundMessage, line: str) -> None:
        """Hand a message to the core and print its replies (an apology when it fails)."""
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
