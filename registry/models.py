"""SQLAlchemy tables of the registry: businesses, applications, certificates, complaints.

Status values are stored as the ``StrEnum`` values of :mod:`backend_client.models`. Times are
stored in UTC; money as exact decimal text (SQLite has no decimal type and SQLAlchemy warns on
floats). Evidence bytes are stored in the database (see docs/registry.md for why).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Attach UTC to what SQLite gives back."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal amount stored as text."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        """Store the canonical decimal text."""
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Read it back as a Decimal."""
        return None if value is None else Decimal(str(value))


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class RegistryBase(DeclarativeBase):
    """Declarative base of the registry's tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SequenceCounter(RegistryBase):
    """Last number handed out per record kind and year (APP-2025-000001, ...)."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class Business(RegistryBase):
    """A business known to the registry: registered, certified, applying or just complained of."""

    __tablename__ = "businesses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_km: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(32))
    registered_on: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    basic_phase_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BusinessIdentifier(RegistryBase):
    """A normalised identifier a business declared (page, handle, site, phone, wallet)."""

    __tablename__ = "business_identifiers"
    __table_args__ = (
        UniqueConstraint("business_id", "kind", "value", name="uq_business_identifiers_key"),
        Index("ix_business_identifiers_lookup", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(255))
    display: Mapped[str] = mapped_column(String(500))


class NameTrigram(RegistryBase):
    """Trigrams of a business's names in both scripts, for fuzzy name search.

    A derived index, rebuilt from the names: keyed by (trigram, business) and nothing else,
    without a foreign key (PostgreSQL would run a check trigger for each of the ~30 rows per
    business), because it is the bulk of a CSV import's writes.
    """

    __tablename__ = "name_trigrams"
    __table_args__ = ({"sqlite_with_rowid": False},)

    trigram: Mapped[str] = mapped_column(String(16), primary_key=True)
    business_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ApplicationRecord(RegistryBase):
    """An application for the trustmark or for its renewal."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_owner", "owner_channel", "owner_user_id"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32), index=True)
    owner_channel: Mapped[str] = mapped_column(String(32))
    owner_user_id: Mapped[str] = mapped_column(String(128))
    business_name: Mapped[str | None] = mapped_column(String(300))
    business_name_km: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(32))
    registration_no: Mapped[str | None] = mapped_column(String(64))
    registered_on: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(320))
    activity_type: Mapped[str | None] = mapped_column(String(64))
    # [{"kind", "value", "display"}], normalised when declared
    identifiers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    code_of_conduct_declared: Mapped[bool] = mapped_column(Boolean, default=False)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    fee_quoted: Mapped[Decimal | None] = mapped_column(DecimalText)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"))
    certificate_id: Mapped[str | None] = mapped_column(String(20))
    renewal_of: Mapped[str | None] = mapped_column(String(20))
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvidenceRecord(RegistryBase):
    """An evidence file of an application (per criterion or document) or of a complaint."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    complaint_id: Mapped[str | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    owner_channel: Mapped[str] = mapped_column(String(32))
    owner_user_id: Mapped[str] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    criterion: Mapped[int | None] = mapped_column(Integer)
    document: Mapped[str | None] = mapped_column(String(1))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateRecord(RegistryBase):
    """A trustmark certificate; expiry and the end of a suspension are computed when read."""

    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    owner_channel: Mapped[str | None] = mapped_column(String(32))
    owner_user_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))  # valid, suspended or revoked
    issued_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    suspended_until: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(Text)
    renewal_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateIdentifier(RegistryBase):
    """An identifier the certificate is bound to (the business's declared ones at issue)."""

    __tablename__ = "certificate_identifiers"

    certificate_id: Mapped[str] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    display: Mapped[str] = mapped_column(String(500))


class ComplaintRecord(RegistryBase):
    """A consumer complaint about a shop, registered or not."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_owner", "owner_channel", "owner_user_id"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    owner_channel: Mapped[str] = mapped_column(String(32))
    owner_user_id: Mapped[str] = mapped_column(String(128))
    shop_reference: Mapped[str] = mapped_column(String(500))
    shop_identifier_kind: Mapped[str | None] = mapped_column(String(16))
    shop_identifier_value: Mapped[str | None] = mapped_column(String(255))
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(DecimalText)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    payment_method: Mapped[str | None] = mapped_column(String(32))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    incident_date: Mapped[date | None] = mapped_column(Date)
    payment_provider: Mapped[str | None] = mapped_column(String(32))
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Only for a complaint whose complainant agreed that the seller may see their name.
    complainant_name: Mapped[str | None] = mapped_column(String(200))


class BlacklistEntry(RegistryBase):
    """A business on the public blacklist for misuse of the mark."""

    __tablename__ = "blacklist_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    listed_by: Mapped[str] = mapped_column(String(128))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(128))


class Penalty(RegistryBase):
    """A warning or penalty on a business (warning, suspension, revocation, financial)."""

    __tablename__ = "penalties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(DecimalText)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(128))


class StatusChangeRecord(RegistryBase):
    """A status change; its id is the cursor of the notification feed."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(20))
    owner_channel: Mapped[str | None] = mapped_column(String(32))
    owner_user_id: Mapped[str | None] = mapped_column(String(128))
    old_status: Mapped[str | None] = mapped_column(String(32))
    new_status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(RegistryBase):
    """Who changed what and when, for every change to registry state."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IdempotencyKey(RegistryBase):
    """A client-chosen key of a creating request, so that its retry returns the first result."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    operation: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


registry_metadata = RegistryBase.metadata
"""Metadata of every registry table (the Alembic target, with the bot's conversations)."""
