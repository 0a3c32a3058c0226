"""Load and save dialogue state with SQLAlchemy, so a conversation survives a restart.

A save is a compare-and-swap on ``version``: it only succeeds when the row still has the
version that was loaded, so two writers never silently overwrite each other
(:class:`StaleStateError` instead). Saves run inside a transaction the caller may extend (the
inbox stores an event's outcome in the same transaction).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.dialogue.models import ConversationRecord
from bot.dialogue.state import DialogueState, FlowState, OfferedButton
from bot.language import LocaleSource
from registry.database import WRITE_OPTION


class StaleStateError(RuntimeError):
    """The conversation changed since it was loaded; the turn must be run again."""


TransactionHook = Callable[[AsyncSession], Awaitable[None]]


def _flows(raw: Any) -> dict[str, FlowState]:
    flows: dict[str, FlowState] = {}
    for form, data in (raw or {}).items():
        if isinstance(data, dict):
            flows[str(form)] = FlowState.from_json(data)
    return flows


def _offered(raw: Any) -> list[OfferedButton]:
    return [
        OfferedButton(str(item[0]), str(item[1]))
        for item in raw or []
        if isinstance(item, list | tuple) and len(item) == 2
    ]


def _row(state: DialogueState) -> dict[str, Any]:
    return {
        "locale": state.locale,
        "locale_source": state.locale_source.value,
        "flows": {form: flow.to_json() for form, flow in state.flows.items()},
        "active_flow": state.active,
        "offered": [[b.label, b.payload] for b in state.offered],
        "submitted": {form: dict(info) for form, info in state.submitted.items()},
        "last_seen_at": state.last_seen_at,
        "context": dict(state.context),
    }


def _as_utc(value: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; they were stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class ConversationStore:
    """Persists :class:`DialogueState` per (channel, user)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def load(self, channel: str, user_id: str) -> DialogueState:
        """The saved state, or a fresh one (version 0) for a new user."""
        async with self._sessions() as session:
            record = (
                await session.execute(
                    select(ConversationRecord).where(
                        ConversationRecord.channel == channel,
                        ConversationRecord.user_id == user_id,
                    )
                )
            ).scalar_one_or_none()
            if record is None:
                return DialogueState(channel=channel, user_id=user_id)
            flows = _flows(record.flows)
            active = record.active_flow if record.active_flow in flows else None
            return DialogueState(
                channel=channel,
                user_id=user_id,
                locale=record.locale,
                locale_source=LocaleSource(record.locale_source),
                flows=flows,
                active=active,
                offered=_offered(record.offered),
                submitted={
                    str(k): {str(a): str(b) for a, b in v.items()}
                    for k, v in (record.submitted or {}).items()
                    if isinstance(v, dict)
                },
                last_seen_at=_as_utc(record.last_seen_at),
                context={str(k): str(v) for k, v in (record.context or {}).items()},
                version=record.version,
            )

    async def save(self, state: DialogueState, hook: TransactionHook | None = None) -> None:
        """Write the state if nobody else did since it was loaded, then run ``hook`` in the
        same transaction; raises :class:`StaleStateError` (nothing written) otherwise."""
        async with self._sessions.begin() as session:
            await session.connection(execution_options={WRITE_OPTION: True})
            await self.write(session, state)
            if hook is not None:
                await hook(session)
        state.version += 1

    async def write(self, session: AsyncSession, state: DialogueState) -> None:
        """The compare-and-swap write, inside the caller's transaction."""
        values = _row(state)
        if state.version == 0:
            try:
                async with session.begin_nested():
                    await session.execute(
                        insert(ConversationRecord).values(
                            channel=state.channel, user_id=state.user_id, version=1, **values
                        )
                    )
            except IntegrityError as exc:
                raise StaleStateError("the conversation was created meanwhile") from exc
            return
        result = await session.execute(
            update(ConversationRecord)
            .where(
                ConversationRecord.channel == state.channel,
                ConversationRecord.user_id == state.user_id,
                ConversationRecord.version == state.version,
            )
            .values(version=state.version + 1, **values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleStateError("the conversation changed since it was loaded")
