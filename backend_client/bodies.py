"""Request and response bodies of the registry HTTP API that are not models themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend_client.models import (
    Application,
    ApplicationDraft,
    BusinessRecord,
    Complaint,
    ComplaintStatus,
    Identifier,
    ShopMatch,
)


@dataclass(frozen=True, slots=True)
class CreateApplicationBody:
    """POST applications."""

    draft: ApplicationDraft
    fee_quoted: Decimal | None = None
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class SubmitBody:
    """POST applications/{id}/submit."""

    fee_quoted: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RenewalBody:
    """POST renewals."""

    certificate_id: str
    fee_quoted: Decimal | None = None


@dataclass(frozen=True, slots=True)
class NoteBody:
    """An officer's optional note (review, approve, reinstate)."""

    note: str | None = None


@dataclass(frozen=True, slots=True)
class RequiredNoteBody:
    """An officer's required note (request more information)."""

    note: str


@dataclass(frozen=True, slots=True)
class ReasonBody:
    """An officer's reason (reject, revoke)."""

    reason: str


@dataclass(frozen=True, slots=True)
class SuspendBody:
    """POST certificates/{id}/suspend."""

    until: date
    reason: str


@dataclass(frozen=True, slots=True)
class ComplaintStatusBody:
    """POST complaints/{id}/status."""

    status: ComplaintStatus
    note: str | None = None


@dataclass(frozen=True, slots=True)
class BlacklistBody:
    """POST blacklist."""

    query: str
    reason: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class WarningBody:
    """POST warnings."""

    query: str
    note: str


@dataclass(frozen=True, slots=True)
class IdentifiersBody:
    """POST businesses/identifiers."""

    query: str
    identifiers: tuple[Identifier, ...]


@dataclass(frozen=True, slots=True)
class ImportBody:
    """POST businesses/import."""

    records: tuple[BusinessRecord, ...]


@dataclass(frozen=True, slots=True)
class ShopMatches:
    """GET shops."""

    matches: tuple[ShopMatch, ...]


@dataclass(frozen=True, slots=True)
class ApplicationList:
    """GET applications."""

    applications: tuple[Application, ...]


@dataclass(frozen=True, slots=True)
class ComplaintList:
    """GET complaints."""

    complaints: tuple[Complaint, ...]


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """The ``error`` member of an error response."""

    code: str
    message: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """Every 4xx/5xx response."""

    error: ErrorDetail
