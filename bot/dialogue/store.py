"""Load and save dialogue state with SQLAlchemy, so a conversation survives a restart.

A save is a compare-and-swap on ``version``: it only succeeds when the row still has the
version that was loaded, so two writers never silently overwrite each other
(:class:`StaleStateError` instead). Saves run inside a transaction the caller may extend (the
inbox stores an event's outcome in the same transaction).

Loads and saves are units of work on a synchronous session (:class:`bot.database.Transactions`):
on SQLite one thread hop per load or save, where aiosqlite made several per statement; a save's
hooks run in the same transaction, in the same thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from bot.database import Transactions
from bot.dialogue.models import ConversationRecord
from bot.dialogue.state import DialogueState, FlowState, OfferedButton
from bot.language import LocaleSource


class StaleStateError(RuntimeError):
    """The conversation changed since it was loaded; the turn must be run again."""


TransactionHook = Callable[[Session], None]
"""Work run inside a save's transaction (synchronous; a worker thread on SQLite)."""

_TABLE: Final = cast(Table, ConversationRecord.__table__)
_COLUMNS: Final = (
    "locale",
    "locale_source",
    "flows",
    "active_flow",
    "offered",
    "submitted",
    "last_seen_at",
    "context",
    "version",
)
# Built once: a turn binds its values instead of building (and cache-keying) statements.
_LOAD: Final = select(*(_TABLE.c[name] for name in _COLUMNS)).where(
    _TABLE.c.channel == bindparam("k_channel"), _TABLE.c.user_id == bindparam("k_user")
)
_UPDATE: Final = (
    update(_TABLE)
    .where(
        _TABLE.c.channel == bindparam("k_channel"),
        _TABLE.c.user_id == bindparam("k_user"),
        _TABLE.c.version == bindparam("k_version"),
    )
    .values({name: bindparam(name) for name in _COLUMNS})
)
_INSERT: Final = insert(_TABLE)


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
        self._tx = Transactions(engine)

    async def close(self) -> None:
        """Close the connections of the store's own (synchronous) engine."""
        await self._tx.close()

    async def load(self, channel: str, user_id: str) -> DialogueState:
        """The saved state, or a fresh one (version 0) for a new user."""
        return await self._tx.read(lambda session: self.read(session, channel, user_id))

    @staticmethod
    def read(session: Session, channel: str, user_id: str) -> DialogueState:
        """The saved state (a fresh one for a new user), inside the caller's transaction."""
        record = (
            session.execute(_LOAD, {"k_channel": channel, "k_user": user_id}).mappings().first()
        )
        if record is None:
            return DialogueState(channel=channel, user_id=user_id)
        flows = _flows(record["flows"])
        active = record["active_flow"] if record["active_flow"] in flows else None
        return DialogueState(
            channel=channel,
            user_id=user_id,
            locale=record["locale"],
            locale_source=LocaleSource(record["locale_source"]),
            flows=flows,
            active=active,
            offered=_offered(record["offered"]),
            submitted={
                str(k): {str(a): str(b) for a, b in v.items()}
                for k, v in (record["submitted"] or {}).items()
                if isinstance(v, dict)
            },
            last_seen_at=_as_utc(record["last_seen_at"]),
            context={str(k): str(v) for k, v in (record["context"] or {}).items()},
            version=record["version"],
        )

    async def save(self, state: DialogueState, hook: TransactionHook | None = None) -> None:
        """Write the state if nobody else did since it was loaded, then run ``hook`` in the
        same transaction; raises :class:`StaleStateError` (nothing written) otherwise."""

        def work(session: Session) -> None:
            self.write(session, state)
            if hook is not None:
                hook(session)

        await self._tx.write(work)
        state.version += 1

    @staticmethod
    def write(session: Session, state: DialogueState) -> None:
        """The compare-and-swap write, inside the caller's (write) transaction."""
        values = _row(state)
        if state.version == 0:
            try:
                with session.begin_nested():
                    session.execute(
                        _INSERT,
                        {
                            "channel": state.channel,
                            "user_id": state.user_id,
                            "version": 1,
                            **values,
                        },
                    )
            except IntegrityError as exc:
                raise StaleStateError("the conversation was created meanwhile") from exc
            return
        result = session.execute(
            _UPDATE,
            {
                "k_channel": state.channel,
                "k_user": state.user_id,
                "k_version": state.version,
                **values,
                "version": state.version + 1,
            },
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleStateError("the conversation changed since it was loaded")
