"""The two typed async interfaces to the registry: the bot's and the officers'.

``RegistryBackend`` is everything the bot may do on behalf of a user (identified by
``(channel, user_id)``); reading an application or complaint only works for its owner.
``OfficerBackend`` is what the ministry's officers do (the CLI and officer HTTP endpoints).
Operations that create a record take an optional ``idempotency_key``: the same key on a retry
returns the first result instead of creating a second record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from backend_client.models import (
    Application,
    ApplicationDraft,
    ApplicationStatus,
    BusinessRecord,
    Certificate,
    Complaint,
    ComplaintDraft,
    ComplaintStatus,
    EvidenceItem,
    Identifier,
    ImportReport,
    PublicCertificate,
    ShopMatch,
    ShopVerdict,
    StatusChangePage,
    StoredEvidence,
)

OwnerKey = tuple[str, str]
"""(channel, user_id); :class:`backend_client.models.Owner` is one."""


class RegistryBackend(Protocol):
    """Registry operations the bot performs for its users."""

    async def find_shops(self, query: str, *, limit: int = 5) -> tuple[ShopMatch, ...]:
        """Find shops by any identifier, certificate id, registration number or fuzzy name."""
        ...

    async def get_public_certificate(self, certificate_id: str) -> PublicCertificate:
        """A certificate as the public register shows it (NotFound for a number never issued)."""
        ...

    async def create_application(
        self,
        owner: OwnerKey,
        draft: ApplicationDraft,
        *,
        fee_quoted: Decimal | None = None,
        currency: str = "USD",
        idempotency_key: str | None = None,
    ) -> Application:
        """Start a draft application for the owner."""
        ...

    async def update_application(
        self, owner: OwnerKey, application_id: str, draft: ApplicationDraft
    ) -> Application:
        """Change fields of a draft (or of an application sent back for more information)."""
        ...

    async def attach_evidence(
        self,
        owner: OwnerKey,
        application_id: str,
        item: EvidenceItem,
        *,
        idempotency_key: str | None = None,
    ) -> StoredEvidence:
        """Attach one evidence file to a criterion (1-9) or document (a-g) of an application."""
        ...

    async def submit_application(
        self,
        owner: OwnerKey,
        application_id: str,
        *,
        fee_quoted: Decimal | None = None,
        idempotency_key: str | None = None,
    ) -> Application:
        """Submit a complete application for review; ValidationError names what is missing."""
        ...

    async def get_application(self, owner: OwnerKey, application_id: str) -> Application:
        """Read one of the owner's applications (NotFound for anyone else's)."""
        ...

    async def list_applications(self, owner: OwnerKey) -> tuple[Application, ...]:
        """The owner's applications, newest first."""
        ...

    async def start_renewal(
        self,
        owner: OwnerKey,
        certificate_id: str,
        *,
        fee_quoted: Decimal | None = None,
        idempotency_key: str | None = None,
    ) -> Application:
        """Open a renewal application, prefilled from the one that earned the certificate."""
        ...

    async def file_complaint(
        self, owner: OwnerKey, draft: ComplaintDraft, *, idempotency_key: str | None = None
    ) -> Complaint:
        """File a consumer complaint about a shop, registered or not."""
        ...

    async def get_complaint(self, owner: OwnerKey, complaint_id: str) -> Complaint:
        """Read one of the owner's complaints (NotFound for anyone else's)."""
        ...

    async def list_complaints(self, owner: OwnerKey) -> tuple[Complaint, ...]:
        """The owner's complaints, newest first."""
        ...

    async def get_evidence(self, owner: OwnerKey, evidence_id: int) -> EvidenceItem:
        """The bytes of an evidence file the owner attached."""
        ...

    async def status_changes_since(self, cursor: int, *, limit: int = 100) -> StatusChangePage:
        """Status changes after ``cursor`` (0 for all), oldest first, to notify their owners."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class OfficerBackend(Protocol):
    """Registry operations of the ministry's officers; ``officer`` names who acts."""

    async def find_shops(self, query: str, *, limit: int = 5) -> tuple[ShopMatch, ...]:
        """The same search the bot uses."""
        ...

    async def list_applications(
        self, *, status: ApplicationStatus | None = None, limit: int = 100
    ) -> tuple[Application, ...]:
        """Applications, newest first, optionally of one status."""
        ...

    async def get_application(self, application_id: str) -> Application:
        """Any application."""
        ...

    async def start_review(
        self, application_id: str, *, officer: str, note: str | None = None
    ) -> Application:
        """Move a submitted application to under review."""
        ...

    async def approve_application(
        self, application_id: str, *, officer: str, note: str | None = None
    ) -> Application:
        """Approve: issue the certificate (or extend it for a renewal)."""
        ...

    async def reject_application(
        self, application_id: str, *, officer: str, reason: str
    ) -> Application:
        """Reject with a reason the applicant will see."""
        ...

    async def request_more_information(
        self, application_id: str, *, officer: str, note: str
    ) -> Application:
        """Send the application back to the applicant with a note of what is missing."""
        ...

    async def get_evidence(self, evidence_id: int) -> EvidenceItem:
        """The bytes of any evidence file (an application's or a complaint's), for review."""
        ...

    async def list_complaints(
        self, *, status: ComplaintStatus | None = None, limit: int = 100
    ) -> tuple[Complaint, ...]:
        """Complaints, newest first, optionally of one status."""
        ...

    async def get_complaint(self, complaint_id: str) -> Complaint:
        """Any complaint."""
        ...

    async def update_complaint_status(
        self, complaint_id: str, status: ComplaintStatus, *, officer: str, note: str | None = None
    ) -> Complaint:
        """Move a complaint on, with a note the complainant will see."""
        ...

    async def get_certificate(self, certificate_id: str) -> Certificate:
        """A certificate as it stands today."""
        ...

    async def suspend_certificate(
        self, certificate_id: str, *, until: date, officer: str, reason: str
    ) -> Certificate:
        """Suspend a certificate until a date."""
        ...

    async def reinstate_certificate(
        self, certificate_id: str, *, officer: str, note: str | None = None
    ) -> Certificate:
        """End a suspension early."""
        ...

    async def revoke_certificate(
        self, certificate_id: str, *, officer: str, reason: str
    ) -> Certificate:
        """Revoke a certificate for good."""
        ...

    async def blacklist_shop(
        self, query: str, *, officer: str, reason: str, name: str | None = None
    ) -> ShopVerdict:
        """Blacklist the shop a registration number or identifier names (creating it if unknown)."""
        ...

    async def warn_business(self, query: str, *, officer: str, note: str) -> ShopVerdict:
        """Record a warning on a business."""
        ...

    async def add_identifiers(
        self, query: str, identifiers: Sequence[Identifier], *, officer: str
    ) -> ShopVerdict:
        """Declare more identifiers (e.g. payment accounts) for the business ``query`` names.

        Each is re-normalised from its display text (or value) and its kind; ValidationError
        names those that cannot be read. Identifiers the business already has are skipped.
        """
        ...

    async def import_businesses(
        self, records: Sequence[BusinessRecord], *, officer: str
    ) -> ImportReport:
        """Create or update already registered e-commerce businesses (basic phase)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
