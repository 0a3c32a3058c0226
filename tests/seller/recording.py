"""A stand-in for ``deliver`` while a test needs no channel: it keeps what would be sent.

Like the real deliveries it composes each message in the user's saved language; unlike them it
does not dedupe, so a test sees every call (and can prove a change was handed over once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogue.store import ConversationStore
from bot.i18n import use_locale
from bot.messages import Reply, TextReply


@dataclass(frozen=True)
class Delivered:
    """One call of ``deliver``."""

    channel: str
    user_id: str
    dedupe_key: str | None
    replies: tuple[Reply, ...]

    @property
    def text(self) -> str:
        """The text of its messages, joined."""
        return "\n".join(r.text for r in self.replies if isinstance(r, TextReply))

    @property
    def payloads(self) -> list[str]:
        """The payloads of its buttons."""
        return [b.payload for r in self.replies if isinstance(r, TextReply) for b in r.buttons]


@dataclass
class RecordingDeliver:
    """Records every delivery, composed in the user's saved language (Khmer by default)."""

    engine: AsyncEngine
    calls: list[Delivered] = field(default_factory=list)

    async def __call__(
        self,
        channel: str,
        user_id: str,
        compose: Callable[[], Sequence[Reply]],
        *,
        dedupe_key: str | None = None,
    ) -> int:
        """Keep the delivery; its number."""
        state = await ConversationStore(self.engine).load(channel, user_id)
        with use_locale(state.locale or "km"):
            replies = tuple(compose())
        self.calls.append(Delivered(channel, user_id, dedupe_key, replies))
        return len(self.calls)

    def to(self, user_id: str) -> list[Delivered]:
        """The deliveries to one user."""
        return [c for c in self.calls if c.user_id == user_id]
