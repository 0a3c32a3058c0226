"""The last few turns of each conversation, redacted, to brief the officer who takes it over.

Phone numbers, e-mail addresses and long numbers (bank accounts, cards) are masked before a
turn is stored, as they would be in a log line; each side of a turn is cut short. Only the
newest turns per user are kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.text_render import reply_buttons
from bot.handoff.models import TranscriptTurnRecord
from bot.messages import CardReply, FileReply, InboundMessage, Reply, TextReply

MAX_SIDE: Final = 300
_EMAIL: Final = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# Six digits or more, possibly grouped: phones, account and card numbers, PINs.
_LONG_NUMBER: Final = re.compile(r"(?<![\w])\+?\d(?:[\d\s.\-]{4,}\d)(?![\w])")
_KHMER_DIGITS: Final = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def redact(text: str) -> str:
    """The text with e-mail addresses and long numbers masked, cut to a short length."""
    masked = _EMAIL.sub("[email]", text.translate(_KHMER_DIGITS))

    def number(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        return "[number]" if digits >= 6 else match.group(0)

    masked = _LONG_NUMBER.sub(number, masked)
    return masked if len(masked) <= MAX_SIDE else masked[: MAX_SIDE - 1] + "\u2026"


def user_side(message: InboundMessage, offered_label: str | None = None) -> str:
    """What the user sent, in a line: the text, a pressed button, or the files."""
    parts: list[str] = []
    if message.payload:
        parts.append(f"[{offered_label or message.payload}]")
    if message.text.strip():
        parts.append(message.text.strip())
    if message.attachments:
        parts.append(f"[{len(message.attachments)} file(s)]")
    return redact(" ".join(parts))


def bot_side(replies: Sequence[Reply]) -> str:
    """What the bot answered, in a line (button labels in brackets)."""
    parts: list[str] = []
    for reply in replies:
        if isinstance(reply, TextReply):
            parts.append(reply.text)
        elif isinstance(reply, CardReply):
            parts.append(f"{reply.title}: {reply.subtitle}")
        elif isinstance(reply, FileReply):
            parts.append(f"[{reply.filename}]")
        labels = [b.label for b in reply_buttons(reply)]
        if labels:
            parts.append("[" + " | ".join(labels) + "]")
    return redact(" ".join(" ".join(parts).split()))


@dataclass(frozen=True, slots=True)
class TranscriptTurn:
    """One remembered turn."""

    at: datetime
    user: str
    bot: str


async def record(
    session: AsyncSession,
    owner: tuple[str, str],
    user: str,
    bot: str,
    at: datetime,
    *,
    keep: int,
) -> None:
    """Add a turn in the caller's transaction and forget the user's older ones."""
    session.add(
        TranscriptTurnRecord(
            channel=owner[0], user_id=owner[1], at=at, user_text=user, bot_text=bot
        )
    )
    await session.flush()
    newest = select(TranscriptTurnRecord.id).where(
        TranscriptTurnRecord.channel == owner[0], TranscriptTurnRecord.user_id == owner[1]
    )
    kept = [
        row
        for row in await session.scalars(
            newest.order_by(TranscriptTurnRecord.id.desc()).limit(keep)
        )
    ]
    if kept:
        await session.execute(
            delete(TranscriptTurnRecord).where(
                TranscriptTurnRecord.channel == owner[0],
                TranscriptTurnRecord.user_id == owner[1],
                TranscriptTurnRecord.id < min(kept),
            )
        )


async def recent(engine: AsyncEngine, owner: tuple[str, str], limit: int) -> list[TranscriptTurn]:
    """The user's last ``limit`` turns, oldest first."""
    async with async_sessionmaker(engine)() as session:
        rows = list(
            await session.scalars(
                select(TranscriptTurnRecord)
                .where(
                    TranscriptTurnRecord.channel == owner[0],
                    TranscriptTurnRecord.user_id == owner[1],
                )
                .order_by(TranscriptTurnRecord.id.desc())
                .limit(limit)
            )
        )
    return [
        TranscriptTurn(
            at=r.at if r.at.tzinfo is not None else r.at.replace(tzinfo=UTC),
            user=r.user_text,
            bot=r.bot_text,
        )
        for r in reversed(rows)
    ]
