"""name trigrams keyed by (trigram, business) only, without a foreign key

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:35:00

The name index had a primary key on (business_id, trigram), an index on trigram and a foreign
key; one key on (trigram, business_id) serves the search, and without the foreign key
PostgreSQL runs no check trigger per row: a CSV import writes about 30 of these rows per
business. The rows are derived data, rebuilt here from the businesses' names.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.names import trigrams

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(table: sa.Table) -> None:
    businesses = op.get_bind().execute(sa.text("SELECT id, name, name_km FROM businesses"))
    rows = [
        {"trigram": gram, "business_id": business_id}
        for business_id, name, name_km in businesses
        for gram in trigrams(name) | trigrams(name_km or "")
    ]
    if rows:
        op.bulk_insert(table, rows)


def upgrade() -> None:
    """Recreate name_trigrams with the (trigram, business_id) key and refill it."""
    op.drop_index("ix_name_trigrams_trigram", table_name="name_trigrams")
    op.drop_table("name_trigrams")
    table = op.create_table(
        "name_trigrams",
        sa.Column("trigram", sa.String(length=16), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("trigram", "business_id", name=op.f("pk_name_trigrams")),
        sqlite_with_rowid=False,
    )
    _rebuild(table)


def downgrade() -> None:
    """Back to the (business_id, trigram) key with a trigram index."""
    op.drop_table("name_trigrams")
    table = op.create_table(
        "name_trigrams",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("trigram", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_name_trigrams_business_id_businesses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("business_id", "trigram", name=op.f("pk_name_trigrams")),
    )
    op.create_index("ix_name_trigrams_trigram", "name_trigrams", ["trigram"], unique=False)
    _rebuild(table)
