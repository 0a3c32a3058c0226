"""The language the core will answer a user in, for the few texts the adapter writes itself."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogue.store import ConversationStore
from bot.language import decide_locale


class ReplyLocale:
    """Decides a user's reply language exactly as the core does (saved choice first)."""

    def __init__(self, engine: AsyncEngine, channel: str) -> None:
        self._store = ConversationStore(engine)
        self._channel = channel

    async def __call__(self, user_id: str, text: str, language_code: str | None) -> str:
        """The locale for a message with ``text`` from ``user_id``; nothing is saved."""
        state = await self._store.load(self._channel, user_id)
        return decide_locale(state.locale, state.locale_source, text, language_code).locale
