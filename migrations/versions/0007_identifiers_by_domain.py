"""websites by domain, no identifiers from links that name no page; conversation context

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00

Conversations get a ``context`` JSON column: facts kept across flows, such as the certificate
the user checked last, so that a page checked next can be told "this badge is copied".

The rest is a data migration. Websites used to be stored as host and path
(``sokha.com.kh/shop``), so a link to another page of the same site found nothing; they are
now the domain alone (``sokha.com.kh``), keeping the seller's path on shared hosts
(``shopee.com.kh/sokha``). Facebook share, post and group links used to be read as a page
named ``share``, ``groups``...; they are no identifier. Each stored identifier of these kinds
is read again from the text it was declared as (``display``): changed ones are updated,
duplicates and unreadable ones removed, in the businesses' declared identifiers, the
certificates' covered identifiers and the applications' declared identifiers.

The downgrade drops the context column; the identifiers stay as read now (the older code
simply matches fewer links with them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from backend_client.models import IdentifierKind
from registry.identifiers import parse_identifier

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("website", "facebook")


def _reread(kind: str, value: str, display: str) -> tuple[str, str] | None:
    """The (kind, value) the declared text reads as now; None when it names nothing."""
    found = parse_identifier(display or value, IdentifierKind(kind))
    if found is None and kind == IdentifierKind.WEBSITE.value:
        # A WhatsApp link declared as a website is the shop's phone.
        found = parse_identifier(display or value)
    if found is None:
        return None
    return found.kind.value, found.value


def _business_identifiers(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text(
            "SELECT id, business_id, kind, value, display FROM business_identifiers "
            "WHERE kind IN ('website', 'facebook') ORDER BY id"
        )
    ).all()
    taken = {
        (business_id, kind, value)
        for business_id, kind, value in connection.execute(
            sa.text("SELECT business_id, kind, value FROM business_identifiers")
        )
    }
    for row_id, business_id, kind, value, display in rows:
        new = _reread(kind, value, display)
        if new == (kind, value):
            continue
        taken.discard((business_id, kind, value))
        if new is None or (business_id, *new) in taken:
            connection.execute(
                sa.text("DELETE FROM business_identifiers WHERE id = :id"), {"id": row_id}
            )
            continue
        taken.add((business_id, *new))
        connection.execute(
            sa.text("UPDATE business_identifiers SET kind = :kind, value = :value WHERE id = :id"),
            {"kind": new[0], "value": new[1], "id": row_id},
        )


def _certificate_identifiers(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text(
            "SELECT certificate_id, kind, value, display FROM certificate_identifiers "
            "WHERE kind IN ('website', 'facebook')"
        )
    ).all()
    taken = {
        (certificate_id, kind, value)
        for certificate_id, kind, value in connection.execute(
            sa.text("SELECT certificate_id, kind, value FROM certificate_identifiers")
        )
    }
    key = "certificate_id = :certificate AND kind = :kind AND value = :value"
    for certificate_id, kind, value, display in rows:
        new = _reread(kind, value, display)
        if new == (kind, value):
            continue
        old = {"certificate": certificate_id, "kind": kind, "value": value}
        taken.discard((certificate_id, kind, value))
        if new is None or (certificate_id, *new) in taken:
            connection.execute(sa.text(f"DELETE FROM certificate_identifiers WHERE {key}"), old)
            continue
        taken.add((certificate_id, *new))
        connection.execute(
            sa.text(
                "UPDATE certificate_identifiers SET kind = :new_kind, value = :new_value "
                f"WHERE {key}"
            ),
            {**old, "new_kind": new[0], "new_value": new[1]},
        )


def _application_identifiers(connection: sa.Connection) -> None:
    applications = sa.table("applications", sa.column("id"), sa.column("identifiers", sa.JSON))
    for application_id, identifiers in connection.execute(
        sa.select(applications.c.id, applications.c.identifiers)
    ):
        kept: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for item in identifiers or []:
            kind, value = str(item.get("kind", "")), str(item.get("value", ""))
            new: tuple[str, str] | None = (kind, value)
            if kind in _KINDS:
                new = _reread(kind, value, str(item.get("display") or ""))
            if new is None or new in seen:
                continue
            seen.add(new)
            kept.append({**item, "kind": new[0], "value": new[1]})
        if kept != list(identifiers or []):
            connection.execute(
                applications.update()
                .where(applications.c.id == application_id)
                .values(identifiers=kept)
            )


def upgrade() -> None:
    """Add the conversation context; read website and Facebook identifiers again."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("context", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("context", server_default=None)
    connection = op.get_bind()
    _business_identifiers(connection)
    _certificate_identifiers(connection)
    _application_identifiers(connection)


def downgrade() -> None:
    """Drop the conversation context (identifiers keep their new readings)."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("context")
