"""Plain-text rendering of replies for channels that cannot show buttons."""

from __future__ import annotations

from bot.messages import Button, CardReply, FileReply, Reply, TextReply


def numbered_choices(buttons: tuple[Button, ...], start: int = 1) -> list[str]:
    """Buttons as numbered lines ("1) Fees"), the fallback for channels without buttons."""
    return [f"  {number}) {button.label}" for number, button in enumerate(buttons, start)]


def reply_as_text(reply: Reply, first_number: int = 1) -> str:
    """One reply as plain text, with its buttons as lines numbered from ``first_number``."""
    if isinstance(reply, TextReply):
        lines = [reply.text, *numbered_choices(reply.buttons, first_number)]
    elif isinstance(reply, CardReply):
        lines = [f"[ {reply.title} ]", reply.subtitle]
        if reply.url:
            lines.append(reply.url)
        lines += numbered_choices(reply.buttons, first_number)
    elif isinstance(reply, FileReply):
        lines = [f"[{reply.filename}, {len(reply.data)} bytes] {reply.caption}".rstrip()]
    return "\n".join(lines)


def reply_buttons(reply: Reply) -> tuple[Button, ...]:
    """The buttons a reply offers (files have none)."""
    if isinstance(reply, TextReply | CardReply):
        return reply.buttons
    return ()
