"""initial schema: registry and conversations

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:14:45.907035
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        "ix_audit_log_subject", "audit_log", ["subject_type", "subject_id"], unique=False
    )
    op.create_table(
        "businesses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_no", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_km", sa.String(length=300), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("basic_phase_eligible", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_businesses")),
        sa.UniqueConstraint("registration_no", name=op.f("uq_businesses_registration_no")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "sequences",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "year", name=op.f("pk_sequences")),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=20), nullable=False),
        sa.Column("owner_channel", sa.String(length=32), nullable=True),
        sa.Column("owner_user_id", sa.String(length=128), nullable=True),
        sa.Column("old_status", sa.String(length=32), nullable=True),
        sa.Column("new_status", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    )
    op.create_index(
        "ix_status_changes_subject", "status_changes", ["subject_type", "subject_id"], unique=False
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("owner_channel", sa.String(length=32), nullable=False),
        sa.Column("owner_user_id", sa.String(length=128), nullable=False),
        sa.Column("business_name", sa.String(length=300), nullable=True),
        sa.Column("business_name_km", sa.String(length=300), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("registration_no", sa.String(length=64), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("activity_type", sa.String(length=64), nullable=True),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("code_of_conduct_declared", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("fee_quoted", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("certificate_id", sa.String(length=20), nullable=True),
        sa.Column("renewal_of", sa.String(length=20), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_applications_business_id_businesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_index(
        "ix_applications_owner", "applications", ["owner_channel", "owner_user_id"], unique=False
    )
    op.create_index(op.f("ix_applications_status"), "applications", ["status"], unique=False)
    op.create_table(
        "blacklist_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("listed_by", sa.String(length=128), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_blacklist_entries_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_entries")),
    )
    op.create_index(
        op.f("ix_blacklist_entries_business_id"), "blacklist_entries", ["business_id"], unique=False
    )
    op.create_table(
        "business_identifiers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("display", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_business_identifiers_business_id_businesses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_identifiers")),
        sa.UniqueConstraint("business_id", "kind", "value", name="uq_business_identifiers_key"),
    )
    op.create_index(
        "ix_business_identifiers_lookup", "business_identifiers", ["kind", "value"], unique=False
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("owner_channel", sa.String(length=32), nullable=False),
        sa.Column("owner_user_id", sa.String(length=128), nullable=False),
        sa.Column("shop_reference", sa.String(length=500), nullable=False),
        sa.Column("shop_identifier_kind", sa.String(length=16), nullable=True),
        sa.Column("shop_identifier_value", sa.String(length=255), nullable=True),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_method", sa.String(length=32), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_complaints_business_id_businesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_business_id"), "complaints", ["business_id"], unique=False)
    op.create_index(
        "ix_complaints_owner", "complaints", ["owner_channel", "owner_user_id"], unique=False
    )
    op.create_index(op.f("ix_complaints_status"), "complaints", ["status"], unique=False)
    op.create_table(
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
    op.create_table(
        "penalties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("amount", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_penalties_business_id_businesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalties")),
    )
    op.create_index(op.f("ix_penalties_business_id"), "penalties", ["business_id"], unique=False)
    op.create_table(
        "certificates",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=20), nullable=False),
        sa.Column("owner_channel", sa.String(length=32), nullable=True),
        sa.Column("owner_user_id", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("suspended_until", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("renewal_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_certificates_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_certificates_business_id_businesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
    )
    op.create_index(
        op.f("ix_certificates_business_id"), "certificates", ["business_id"], unique=False
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=20), nullable=True),
        sa.Column("complaint_id", sa.String(length=20), nullable=True),
        sa.Column("owner_channel", sa.String(length=32), nullable=False),
        sa.Column("owner_user_id", sa.String(length=128), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("criterion", sa.Integer(), nullable=True),
        sa.Column("document", sa.String(length=1), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_evidence_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_evidence_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index(
        op.f("ix_evidence_application_id"), "evidence", ["application_id"], unique=False
    )
    op.create_index(op.f("ix_evidence_complaint_id"), "evidence", ["complaint_id"], unique=False)
    op.create_table(
        "certificate_identifiers",
        sa.Column("certificate_id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("display", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_identifiers_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "certificate_id", "kind", "value", name=op.f("pk_certificate_identifiers")
        ),
    )
    op.create_table(
        "conversations",
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("locale_source", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("back_stack", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("channel", "user_id"),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("conversations")
    op.drop_table("certificate_identifiers")
    op.drop_index(op.f("ix_evidence_complaint_id"), table_name="evidence")
    op.drop_index(op.f("ix_evidence_application_id"), table_name="evidence")
    op.drop_table("evidence")
    op.drop_index(op.f("ix_certificates_business_id"), table_name="certificates")
    op.drop_table("certificates")
    op.drop_index(op.f("ix_penalties_business_id"), table_name="penalties")
    op.drop_table("penalties")
    op.drop_index("ix_name_trigrams_trigram", table_name="name_trigrams")
    op.drop_table("name_trigrams")
    op.drop_index(op.f("ix_complaints_status"), table_name="complaints")
    op.drop_index("ix_complaints_owner", table_name="complaints")
    op.drop_index(op.f("ix_complaints_business_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_index("ix_business_identifiers_lookup", table_name="business_identifiers")
    op.drop_table("business_identifiers")
    op.drop_index(op.f("ix_blacklist_entries_business_id"), table_name="blacklist_entries")
    op.drop_table("blacklist_entries")
    op.drop_index(op.f("ix_applications_status"), table_name="applications")
    op.drop_index("ix_applications_owner", table_name="applications")
    op.drop_table("applications")
    op.drop_index("ix_status_changes_subject", table_name="status_changes")
    op.drop_table("status_changes")
    op.drop_table("sequences")
    op.drop_table("idempotency_keys")
    op.drop_table("businesses")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_table("audit_log")
