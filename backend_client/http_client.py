"""HTTP clients of a registry server (openapi/registry.yaml): the bot's and the officers'."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import aiohttp

from backend_client import routes
from backend_client.bodies import (
    ApplicationList,
    BlacklistBody,
    ComplaintList,
    ComplaintStatusBody,
    CreateApplicationBody,
    IdentifiersBody,
    ImportBody,
    NoteBody,
    ReasonBody,
    RenewalBody,
    RequiredNoteBody,
    ShopMatches,
    SubmitBody,
    SuspendBody,
    WarningBody,
)
from backend_client.errors import BackendError
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
from backend_client.protocol import OwnerKey
from backend_client.transport import HttpTransport, RetryPolicy
from backend_client.wire import WireError, decode, encode

T = TypeVar("T")


def _new_key(given: str | None) -> str:
    """The caller's idempotency key, or a fresh one shared by all attempts of this call."""
    return given or uuid.uuid4().hex


def _decoded(kind: type[T], data: Any) -> T:
    try:
        return decode(kind, data)
    except WireError as exc:
        raise BackendError(f"unexpected answer from the registry: {exc}") from exc


def _user(owner: OwnerKey) -> dict[str, str]:
    return {"channel": owner[0], "user_id": owner[1]}


class HttpRegistryBackend:
    """The bot's registry operations over HTTP, with the bot's bearer token."""

    def __init__(
        self,
        base_url: str,
        bot_token: str,
        *,
        timeout: aiohttp.ClientTimeout | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = HttpTransport(base_url, bot_token, timeout=timeout, retry=retry)

    async def find_shops(self, query: str, *, limit: int = 5) -> tuple[ShopMatch, ...]:
        """Find shops by any identifier, certificate id, registration number or fuzzy name."""
        data = await self._http.request(
            "GET", routes.SHOPS, params={"q": query, "limit": str(limit)}
        )
        matches: ShopMatches = _decoded(ShopMatches, data)
        return matches.matches

    async def get_public_certificate(self, certificate_id: str) -> PublicCertificate:
        """A certificate as the public register shows it (NotFound for a number never issued)."""
        data = await self._http.request(
            "GET", routes.path(routes.PUBLIC_CERTIFICATE, certificate_id=certificate_id)
        )
        certificate: PublicCertificate = _decoded(PublicCertificate, data)
        return certificate

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
        data = await self._http.request(
            "POST",
            routes.path(routes.APPLICATIONS, **_user(owner)),
            body=encode(CreateApplicationBody(draft, fee_quoted, currency)),
            idempotency_key=_new_key(idempotency_key),
        )
        application: Application = _decoded(Application, data)
        return application

    async def update_application(
        self, owner: OwnerKey, application_id: str, draft: ApplicationDraft
    ) -> Application:
        """Change fields of a draft (or of an application sent back for more information)."""
        data = await self._http.request(
            "PATCH",
            routes.path(routes.APPLICATION, application_id=application_id, **_user(owner)),
            body=encode(draft),
        )
        application: Application = _decoded(Application, data)
        return application

    async def attach_evidence(
        self,
        owner: OwnerKey,
        application_id: str,
        item: EvidenceItem,
        *,
        idempotency_key: str | None = None,
    ) -> StoredEvidence:
        """Attach one evidence file to a criterion (1-9) or document (a-g) of an application."""
        data = await self._http.request(
            "POST",
            routes.path(routes.APPLICATION_EVIDENCE, application_id=application_id, **_user(owner)),
            body=encode(item),
            idempotency_key=_new_key(idempotency_key),
        )
        stored: StoredEvidence = _decoded(StoredEvidence, data)
        return stored

    async def submit_application(
        self,
        owner: OwnerKey,
        application_id: str,
        *,
        fee_quoted: Decimal | None = None,
        idempotency_key: str | None = None,
    ) -> Application:
        """Submit a complete application for review; ValidationError names what is missing."""
        data = await self._http.request(
            "POST",
            routes.path(routes.APPLICATION_SUBMIT, application_id=application_id, **_user(owner)),
            body=encode(SubmitBody(fee_quoted)),
            idempotency_key=_new_key(idempotency_key),
        )
        application: Application = _decoded(Application, data)
        return application

    async def get_application(self, owner: OwnerKey, application_id: str) -> Application:
        """Read one of the owner's applications (NotFound for anyone else's)."""
        data = await self._http.request(
            "GET", routes.path(routes.APPLICATION, application_id=application_id, **_user(owner))
        )
        application: Application = _decoded(Application, data)
        return application

    async def list_applications(self, owner: OwnerKey) -> tuple[Application, ...]:
        """The owner's applications, newest first."""
        data = await self._http.request("GET", routes.path(routes.APPLICATIONS, **_user(owner)))
        found: ApplicationList = _decoded(ApplicationList, data)
        return found.applications

    async def start_renewal(
        self,
        owner: OwnerKey,
        certificate_id: str,
        *,
        fee_quoted: Decimal | None = None,
        idempotency_key: str | None = None,
    ) -> Application:
        """Open a renewal application, prefilled from the one that earned the certificate."""
        data = await self._http.request(
            "POST",
            routes.path(routes.RENEWALS, **_user(owner)),
            body=encode(RenewalBody(certificate_id, fee_quoted)),
            idempotency_key=_new_key(idempotency_key),
        )
        application: Application = _decoded(Application, data)
        return application

    async def file_complaint(
        self, owner: OwnerKey, draft: ComplaintDraft, *, idempotency_key: str | None = None
    ) -> Complaint:
        """File a consumer complaint about a shop, registered or not."""
        data = await self._http.request(
            "POST",
            routes.path(routes.COMPLAINTS, **_user(owner)),
            body=encode(draft),
            idempotency_key=_new_key(idempotency_key),
        )
        complaint: Complaint = _decoded(Complaint, data)
        return complaint

    async def get_complaint(self, owner: OwnerKey, complaint_id: str) -> Complaint:
        """Read one of the owner's complaints (NotFound for anyone else's)."""
        data = await self._http.request(
            "GET", routes.path(routes.COMPLAINT, complaint_id=complaint_id, **_user(owner))
        )
        complaint: Complaint = _decoded(Complaint, data)
        return complaint

    async def list_complaints(self, owner: OwnerKey) -> tuple[Complaint, ...]:
        """The owner's complaints, newest first."""
        data = await self._http.request("GET", routes.path(routes.COMPLAINTS, **_user(owner)))
        found: ComplaintList = _decoded(ComplaintList, data)
        return found.complaints

    async def get_evidence(self, owner: OwnerKey, evidence_id: int) -> EvidenceItem:
        """The bytes of an evidence file the owner attached."""
        data = await self._http.request(
            "GET", routes.path(routes.EVIDENCE, evidence_id=evidence_id, **_user(owner))
        )
        item: EvidenceItem = _decoded(EvidenceItem, data)
        return item

    async def status_changes_since(self, cursor: int, *, limit: int = 100) -> StatusChangePage:
        """Status changes after ``cursor`` (0 for all), oldest first, to notify their owners."""
        data = await self._http.request(
            "GET", routes.STATUS_CHANGES, params={"after": str(cursor), "limit": str(limit)}
        )
        page: StatusChangePage = _decoded(StatusChangePage, data)
        return page

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._http.close()


class HttpOfficerBackend:
    """The officers' registry operations over HTTP, with the officer bearer token.

    Decisions are not retried after a lost connection (they carry no idempotency key): check
    the record and decide again.
    """

    def __init__(
        self,
        base_url: str,
        officer_token: str,
        *,
        timeout: aiohttp.ClientTimeout | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = HttpTransport(base_url, officer_token, timeout=timeout, retry=retry)

    async def _act(self, path: str, officer: str, body: Any) -> Any:
        return await self._http.request(
            "POST", path, body=encode(body), headers={routes.OFFICER_HEADER: officer}
        )

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return await self._http.request("GET", path, params=params)

    async def find_shops(self, query: str, *, limit: int = 5) -> tuple[ShopMatch, ...]:
        """The same search the bot uses."""
        data = await self._get(routes.OFFICER_SHOPS, {"q": query, "limit": str(limit)})
        matches: ShopMatches = _decoded(ShopMatches, data)
        return matches.matches

    async def list_applications(
        self, *, status: ApplicationStatus | None = None, limit: int = 100
    ) -> tuple[Application, ...]:
        """Applications, newest first, optionally of one status."""
        params = {"limit": str(limit), **({"status": status.value} if status else {})}
        found: ApplicationList = _decoded(
            ApplicationList, await self._get(routes.OFFICER_APPLICATIONS, params)
        )
        return found.applications

    async def get_application(self, application_id: str) -> Application:
        """Any application."""
        data = await self._get(
            routes.path(routes.OFFICER_APPLICATION, application_id=application_id)
        )
        application: Application = _decoded(Application, data)
        return application

    async def _decide(self, template: str, application_id: str, officer: str, body: Any) -> Any:
        data = await self._act(routes.path(template, application_id=application_id), officer, body)
        application: Application = _decoded(Application, data)
        return application

    async def start_review(
        self, application_id: str, *, officer: str, note: str | None = None
    ) -> Application:
        """Move a submitted application to under review."""
        result: Application = await self._decide(
            routes.OFFICER_REVIEW, application_id, officer, NoteBody(note)
        )
        return result

    async def approve_application(
        self, application_id: str, *, officer: str, note: str | None = None
    ) -> Application:
        """Approve: issue the certificate (or extend it for a renewal)."""
        result: Application = await self._decide(
            routes.OFFICER_APPROVE, application_id, officer, NoteBody(note)
        )
        return result

    async def reject_application(
        self, application_id: str, *, officer: str, reason: str
    ) -> Application:
        """Reject with a reason the applicant will see."""
        result: Application = await self._decide(
            routes.OFFICER_REJECT, application_id, officer, ReasonBody(reason)
        )
        return result

    async def request_more_information(
        self, application_id: str, *, officer: str, note: str
    ) -> Application:
        """Send the application back to the applicant with a note of what is missing."""
        result: Application = await self._decide(
            routes.OFFICER_REQUEST_INFORMATION, application_id, officer, RequiredNoteBody(note)
        )
        return result

    async def get_evidence(self, evidence_id: int) -> EvidenceItem:
        """The bytes of any evidence file (an application's or a complaint's), for review."""
        data = await self._get(routes.path(routes.OFFICER_EVIDENCE, evidence_id=evidence_id))
        item: EvidenceItem = _decoded(EvidenceItem, data)
        return item

    async def list_complaints(
        self, *, status: ComplaintStatus | None = None, limit: int = 100
    ) -> tuple[Complaint, ...]:
        """Complaints, newest first, optionally of one status."""
        params = {"limit": str(limit), **({"status": status.value} if status else {})}
        found: ComplaintList = _decoded(
            ComplaintList, await self._get(routes.OFFICER_COMPLAINTS, params)
        )
        return found.complaints

    async def get_complaint(self, complaint_id: str) -> Complaint:
        """Any complaint."""
        data = await self._get(routes.path(routes.OFFICER_COMPLAINT, complaint_id=complaint_id))
        complaint: Complaint = _decoded(Complaint, data)
        return complaint

    async def update_complaint_status(
        self, complaint_id: str, status: ComplaintStatus, *, officer: str, note: str | None = None
    ) -> Complaint:
        """Move a complaint on, with a note the complainant will see."""
        data = await self._act(
            routes.path(routes.OFFICER_COMPLAINT_STATUS, complaint_id=complaint_id),
            officer,
            ComplaintStatusBody(status, note),
        )
        complaint: Complaint = _decoded(Complaint, data)
        return complaint

    async def get_certificate(self, certificate_id: str) -> Certificate:
        """A certificate as it stands today."""
        data = await self._get(
            routes.path(routes.OFFICER_CERTIFICATE, certificate_id=certificate_id)
        )
        certificate: Certificate = _decoded(Certificate, data)
        return certificate

    async def _certificate_action(
        self, template: str, certificate_id: str, officer: str, body: Any
    ) -> Certificate:
        data = await self._act(routes.path(template, certificate_id=certificate_id), officer, body)
        certificate: Certificate = _decoded(Certificate, data)
        return certificate

    async def suspend_certificate(
        self, certificate_id: str, *, until: date, officer: str, reason: str
    ) -> Certificate:
        """Suspend a certificate until a date."""
        return await self._certificate_action(
            routes.OFFICER_SUSPEND, certificate_id, officer, SuspendBody(until, reason)
        )

    async def reinstate_certificate(
        self, certificate_id: str, *, officer: str, note: str | None = None
    ) -> Certificate:
        """End a suspension early."""
        return await self._certificate_action(
            routes.OFFICER_REINSTATE, certificate_id, officer, NoteBody(note)
        )

    async def revoke_certificate(
        self, certificate_id: str, *, officer: str, reason: str
    ) -> Certificate:
        """Revoke a certificate for good."""
        return await self._certificate_action(
            routes.OFFICER_REVOKE, certificate_id, officer, ReasonBody(reason)
        )

    async def blacklist_shop(
        self, query: str, *, officer: str, reason: str, name: str | None = None
    ) -> ShopVerdict:
        """Blacklist the shop a registration number or identifier names (creating it if unknown)."""
        data = await self._act(
            routes.OFFICER_BLACKLIST, officer, BlacklistBody(query, reason, name)
        )
        verdict: ShopVerdict = _decoded(ShopVerdict, data)
        return verdict

    async def warn_business(self, query: str, *, officer: str, note: str) -> ShopVerdict:
        """Record a warning on a business."""
        data = await self._act(routes.OFFICER_WARNINGS, officer, WarningBody(query, note))
        verdict: ShopVerdict = _decoded(ShopVerdict, data)
        return verdict

    async def add_identifiers(
        self, query: str, identifiers: Sequence[Identifier], *, officer: str
    ) -> ShopVerdict:
        """Declare more identifiers (e.g. payment accounts) for a business."""
        data = await self._act(
            routes.OFFICER_IDENTIFIERS, officer, IdentifiersBody(query, tuple(identifiers))
        )
        verdict: ShopVerdict = _decoded(ShopVerdict, data)
        return verdict

    async def import_businesses(
        self, records: Sequence[BusinessRecord], *, officer: str
    ) -> ImportReport:
        """Create or update already registered e-commerce businesses (basic phase)."""
        data = await self._act(routes.OFFICER_IMPORT, officer, ImportBody(tuple(records)))
        report: ImportReport = _decoded(ImportReport, data)
        return report

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._http.close()
