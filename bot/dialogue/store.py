"""Load and save dialogue state with SQLAlchemy, so a conversation survives a restart."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.dialogue.models import ConversationRecord
from bot.dialogue.state import DialogueState, Step
from bot.language import LocaleSource

CONTEXT_PREFIX = "ctx:"
"""Slots under this prefix hold ``DialogueState.context`` (kept across flows)."""


class ConversationStore:
    """Persists :class:`DialogueState` per (channel, user)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def load(self, channel: str, user_id: str) -> DialogueState:
        """The saved state, or a fresh one for a new user."""
        async with self._sessions() as session:
            record = await session.get(ConversationRecord, (channel, user_id))
            if record is None:
                return DialogueState(channel=channel, user_id=user_id)
            return DialogueState(
                channel=channel,
                user_id=user_id,
                locale=record.locale,
                locale_source=LocaleSource(record.locale_source),
                step=DialogueState.parse_step(record.step),
                answers={
                    str(k): str(v)
                    for k, v in (record.slots or {}).items()
                    if not str(k).startswith(CONTEXT_PREFIX)
                },
                context={
                    str(k).removeprefix(CONTEXT_PREFIX): str(v)
                    for k, v in (record.slots or {}).items()
                    if str(k).startswith(CONTEXT_PREFIX)
                },
                back_stack=[DialogueState.parse_step(s) for s in (record.back_stack or [])],
                version=record.version,
            )

    async def save(self, state: DialogueState) -> None:
        """Write the state; the JSON columns are replaced whole, never mutated in place."""
        async with self._sessions.begin() as session:
            record = await session.get(ConversationRecord, (state.channel, state.user_id))
            if record is None:
                record = ConversationRecord(channel=state.channel, user_id=state.user_id)
                session.add(record)
            record.locale = state.locale
            record.locale_source = state.locale_source.value
            record.step = state.step.value
            record.slots = {
                **state.answers,
                **{CONTEXT_PREFIX + k: v for k, v in state.context.items()},
            }
            record.back_stack = [s.value for s in state.back_stack if s is not Step.IDLE]
            record.version = state.version + 1
        state.version += 1
