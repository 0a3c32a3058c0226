"""Channel-neutral inbound messages and reply models.

Channel adapters translate platform updates into an :class:`InboundMessage` and render the
:data:`Reply` objects that handlers return. Handlers never see a platform object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.sanitise import MAX_ID_CHARS, MAX_PAYLOAD_CHARS, clean_optional, clean_text

AttachmentKind = Literal["image", "file", "audio", "video"]
ButtonKind = Literal["payload", "contact"]
"""``contact``: Telegram's "share my phone number" button (its press arrives as a phone
number); channels without one leave it out, and the user types the number instead."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the user sent: a photo, screenshot, PDF or other document, with its bytes."""

    kind: AttachmentKind
    filename: str
    mime_type: str
    data: bytes
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a user on any channel.

    ``payload`` is the ASCII payload of a pressed button (never a label); ``language_code`` is
    the platform's idea of the user's language, used only before the user has chosen one.
    """

    channel: str
    user_id: str
    text: str = ""
    payload: str | None = None
    attachments: tuple[Attachment, ...] = ()
    language_code: str | None = None
    message_id: str | None = None

    def __post_init__(self) -> None:
        # One place where every channel's text is made safe for the NLU and the database:
        # lone surrogates and control characters dropped, lengths capped (bot/sanitise.py).
        object.__setattr__(self, "text", clean_text(self.text))
        object.__setattr__(self, "payload", clean_optional(self.payload, MAX_PAYLOAD_CHARS))
        object.__setattr__(self, "user_id", clean_text(self.user_id, MAX_ID_CHARS))
        object.__setattr__(self, "message_id", clean_optional(self.message_id, MAX_ID_CHARS))
        object.__setattr__(self, "language_code", clean_optional(self.language_code, 16))

    @property
    def conversation_key(self) -> tuple[str, str]:
        """The (channel, user) pair that identifies one conversation."""
        return (self.channel, self.user_id)


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered to the user.

    ``payload`` is short ASCII (it must fit Telegram's 64-byte callback data);
    ``short_label`` is an abbreviated label for channels with tight limits (Messenger's
    20-character quick-reply titles); ``kind`` is ``contact`` for a "share my phone" button.
    """

    label: str
    payload: str
    short_label: str | None = None
    kind: ButtonKind = "payload"

    def __post_init__(self) -> None:
        if not self.payload.isascii() or len(self.payload.encode()) > 64:
            raise ValueError(f"button payload must be ASCII and at most 64 bytes: {self.payload!r}")


@dataclass(frozen=True, slots=True)
class TextReply:
    """A text message, optionally with buttons under it."""

    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class CardReply:
    """A card (title, subtitle, optional link and buttons), e.g. a shop verification."""

    title: str
    subtitle: str
    url: str | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class FileReply:
    """A file sent to the user (a certificate PDF, a form)."""

    filename: str
    mime_type: str
    data: bytes
    caption: str = ""


Reply = TextReply | CardReply | FileReply


@dataclass(slots=True)
class Outbox:
    """The replies a handler produces for one inbound message, in order."""

    replies: list[Reply] = field(default_factory=list)

    def say(self, text: str, buttons: tuple[Button, ...] | list[Button] = ()) -> None:
        """Append a text reply."""
        self.replies.append(TextReply(text=text, buttons=tuple(buttons)))

    def add(self, reply: Reply) -> None:
        """Append any reply."""
        self.replies.append(reply)
