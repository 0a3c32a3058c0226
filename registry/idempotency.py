"""Idempotency keys: a retried creating request returns the record the first one created.

The key row is inserted *before* the work, in the same transaction. A concurrent request with
the same key then blocks on (PostgreSQL) or is serialised behind (SQLite) the first one, fails
its insert, and is run again to replay the first result.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.errors import Conflict, ValidationError
from registry.clock import now
from registry.models import IdempotencyKey
from registry.store import RetryableWrite

MAX_KEY_LENGTH = 128


def fingerprint(*parts: Any) -> str:
    """A stable hash of a request's content (bytes are hashed, not repr'd)."""
    digest = hashlib.sha256()

    def feed(value: Any) -> None:
        if isinstance(value, bytes):
            digest.update(b"bytes:" + hashlib.sha256(value).digest())
        elif is_dataclass(value) and not isinstance(value, type):
            digest.update(type(value).__name__.encode())
            for field in fields(value):
                digest.update(field.name.encode())
                feed(getattr(value, field.name))
        elif isinstance(value, tuple | list):
            digest.update(b"[")
            for item in value:
                feed(item)
            digest.update(b"]")
        elif isinstance(value, dict):
            for key in sorted(value):
                feed(key)
                feed(value[key])
        else:
            digest.update(repr(value).encode())
        digest.update(b"|")

    feed(parts)
    return digest.hexdigest()


def scoped_key(scope: str, key: str) -> str:
    """The stored key: the client's key inside the scope of who sent it."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            "idempotency key must be 1-128 characters", fields=("idempotency_key",)
        )
    return f"{scope}|{key}"


async def claim(
    session: AsyncSession, key: str | None, operation: str, request_hash: str
) -> str | None:
    """Return the earlier result id for ``key``, or claim the key for this request (None).

    Raises Conflict when the key was used for a different request.
    """
    if key is None:
        return None
    existing = (
        await session.execute(select(IdempotencyKey).where(IdempotencyKey.key == key))
    ).scalar_one_or_none()
    if existing is not None:
        if existing.operation != operation or existing.fingerprint != request_hash:
            raise Conflict("idempotency key was already used for a different request")
        return existing.result_id
    try:
        async with session.begin_nested():
            session.add(
                IdempotencyKey(
                    key=key,
                    operation=operation,
                    fingerprint=request_hash,
                    result_id="",
                    created_at=now(),
                )
            )
            await session.flush()
    except IntegrityError as exc:
        raise RetryableWrite(key) from exc
    return None


async def settle(session: AsyncSession, key: str | None, result_id: str) -> None:
    """Record the id of what the claimed request created."""
    if key is None:
        return
    row = await session.get(IdempotencyKey, key)
    if row is not None:
        row.result_id = result_id
