"""The embedded backend: registry operations in-process on SQLAlchemy (SQLite or PostgreSQL).

:class:`EmbeddedBackend` implements the bot's ``RegistryBackend`` and :class:`EmbeddedOfficer`
the officers' ``OfficerBackend``; the HTTP reference server serves both over the same store.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.errors import BackendUnavailable, ValidationError
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
    Owner,
    PublicCertificate,
    ShopMatch,
    ShopVerdict,
    StatusChangePage,
    StoredEvidence,
)
from registry import applications, businesses, certificates, complaints, public_register, shops
from registry.database import create_engine, current_revision, head_revision
from registry.evidence import evidence_for, read_any_evidence, read_evidence
from registry.idempotency import claim, fingerprint, scoped_key, settle
from registry.models import ApplicationRecord
from registry.name_index import current_index
from registry.status_feed import changes_since
from registry.store import RegistryStore

logger = logging.getLogger(__name__)


def checked_owner(owner: Sequence[str]) -> Owner:
    """An owner with a non-empty channel (<= 32) and user id (<= 128)."""
    if len(owner) != 2:
        raise ValidationError("owner must be (channel, user_id)", fields=("owner",))
    channel, user_id = owner
    if not channel or not user_id or len(channel) > 32 or len(user_id) > 128:
        raise ValidationError("owner must be (channel, user_id)", fields=("owner",))
    return Owner(channel, user_id)


def _officer(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("officer name is required", fields=("officer",))
    return f"officer:{name}"


async def _once(
    session: AsyncSession,
    key: str | None,
    operation: str,
    request_hash: str,
    create: Callable[[], Awaitable[str]],
) -> str:
    """Run ``create`` unless ``key`` was seen before; the id of what was created either way."""
    earlier = await claim(session, key, operation, request_hash)
    if earlier is not None:
        logger.info("replayed %s for a repeated idempotency key", operation)
        return earlier
    result_id = await create()
    await settle(session, key, result_id)
    return result_id


class EmbeddedBackend:
    """The bot's registry operations, run in-process."""

    def __init__(self, store: RegistryStore) -> None:
        self._store = store

    @property
    def store(self) -> RegistryStore:
        """The underlying store (shared with an :class:`EmbeddedOfficer` if wanted)."""
        return self._store

    async def warm_up(self) -> None:
        """Build the name index now (0.6 s for 10,000 businesses), so that the
        first name search after a start does not wait for it."""
        await self._store.read_sync(lambda s: len(current_index(s).owners))

    def _key(self, owner: Owner, operation: str, key: str | None) -> str | None:
        return (
            None if key is None else scoped_key(f"{owner.channel}|{owner.user_id}|{operation}", key)
        )

    async def find_shops(self, query: str, *, limit: int = 5) -> tuple[ShopMatch, ...]:
        """Find shops by any identifier, certificate id, registration number or fuzzy name."""
        return await self._store.read_sync(lambda s: shops.find_shops(s, query, limit=limit))

    async def get_public_certificate(self, certificate_id: str) -> PublicCertificate:
        """A certificate as the public register shows it (NotFound for a number never issued)."""
        return await self._store.read_sync(
            lambda s: public_register.public_certificate(s, certificate_id)
        )

    async def create_application(
        self,
        owner: tuple[str, str],
        draft: ApplicationDraft,
        *,
        fee_quoted: Decimal | None = None,
        currency: str = "USD",
        idempotency_key: str | None = None,
    ) -> Application:
        """Start a draft application for the owner."""
        who = checked_owner(owner)
        key = self._key(who, "create_application", idempotency_key)
        request_hash = fingerprint(draft, fee_quoted, currency)

        async def work(session: AsyncSession) -> Application:
            async def create() -> str:
                record = await applications.create_application(
                    session, who, draft, fee_quoted=fee_quoted, currency=currency
                )
                return record.id

            application_id = await _once(session, key, "create_application", request_hash, create)
            await session.flush()
            record = await applications.owned_record(session, who, application_id)
            return await applications.load_application(session, record)

        return await self._store.write(work)

    async def update_application(
        self, owner: tuple[str, str], application_id: str, draft: ApplicationDraft
    ) -> Application:
        """Change fields of a draft (or of an application sent back for more information)."""
        who = checked_owner(owner)

        async def work(session: AsyncSession) -> Application:
            record = await applications.update_application(session, who, application_id, draft)
            await session.flush()
            return await applications.load_application(session, record)

        return await self._store.write(work)

    async def attach_evidence(
        self,
        owner: tuple[str, str],
        application_id: str,
        item: EvidenceItem,
        *,
        idempotency_key: str | None = None,
    ) -> StoredEvidence:
        """Attach one evidence file to a criterion (1-9) or document (a-g) of an application."""
        who = checked_owner(owner)
        key = self._key(who, "attach_evidence", idempotency_key)
        request_hash = fingerprint(application_id, item)

        async def work(session: AsyncSession) -> StoredEvidence:
            async def create() -> str:
                stored = await applications.attach_evidence(session, who, application_id, item)
                return str(stored.evidence_id)

            evidence_id = int(await _once(session, key, "attach_evidence", request_hash, create))
            record = await applications.owned_record(session, who, application_id)
            items = (await evidence_for(session, application_ids=[record.id]))[record.id]
            return next(e for e in items if e.evidence_id == evidence_id)

        return await self._store.write(work)

    async def submit_application(
        self,
        owner: tuple[str, str],
        application_id: str,
        *,
        fee_quoted: Decimal | None = None,
        idempotency_key: str | None = None,
    ) -> Application:
        """Submit a complete application for review; ValidationError names what is missing."""
        who = checked_owner(owner)
        key = self._key(who, "submit_application", idempotency_key)
        request_hash = fingerprint(application_id, fee_quoted)

        async def work(session: AsyncSession) -> Application:
            async def submit() -> str:
                record = await applications.submit_application(
                    session, who, application_id, fee_quoted=fee_quoted
                )
                return record.id

            submitted_id = await _once(session, key, "submit_application", request_hash, submit)
            await session.flush()
            record = await applications.owned_record(session, who, submitted_id)
            return await applications.load_application(session, record)

        return await self._store.write(work)

    async def get_application(self, owner: tuple[str, str], application_id: str) -> Application:
        """Read one of the owner's applications (NotFound for anyone else's)."""
        who = checked_owner(owner)

        async def work(session: AsyncSession) -> Application:
            record = await applications.owned_record(session, who, application_id)
            return await applications.load_application(session, record)

        return await self._store.read(work)

    async def list_applications(self, owner: tuple[str, str]) -> tuple[Application, ...]:
        """The owner's applications, newest first."""
        who = checked_owner(owner)

        async def work(session: AsyncSession) -> tuple[Application, ...]:
            records = await applications.list_owned(session, who)
            return await applications.load_applications(session, records)

        return await self._store.read(work)

    async def start_renewal(
        self,
        owner: tuple[str, str],
        certificate_id: str,
        *,
        fee_quoted: Decimal | None = None,
        idempotency_key: str | None = None,
    ) -> Application:
        """Open a renewal application, prefilled from the one that earned the certificate."""
        who = checked_owner(owner)
        key = self._key(who, "start_renewal", idempotency_key)
        request_hash = fingerprint(certificate_id, fee_quoted)

        async def work(session: AsyncSession) -> Application:
            async def create() -> str:
                record = await applications.start_renewal(
                    session, who, certificate_id, fee_quoted=fee_quoted
                )
                return record.id

            application_id = await _once(session, key, "start_renewal", request_hash, create)
            await session.flush()
            record = await applications.owned_record(session, who, application_id)
            return await applications.load_application(session, record)

        return await self._store.write(work)

    async def file_complaint(
        self,
        owner: tuple[str, str],
        draft: ComplaintDraft,
        *,
        idempotency_key: str | None = None,
    ) -> Complaint:
        """File a consumer complaint about a shop, registered or not."""
        who = checked_owner(owner)
        key = self._key(who, "file_complaint", idempotency_key)
        request_hash = fingerprint(draft)

        async def work(session: AsyncSession) -> Complaint:
            async def create() -> str:
                return (await complaints.file_complaint(session, who, draft)).id

            complaint_id = await _once(session, key, "file_complaint", request_hash, create)
            await session.flush()
            record = await complaints.owned_complaint(session, who, complaint_id)
            return (await complaints.load_complaints(session, [record]))[0]

        return await self._store.write(work)

    async def get_complaint(self, owner: tuple[str, str], complaint_id: str) -> Complaint:
        """Read one of the owner's complaints (NotFound for anyone else's)."""
        who = checked_owner(owner)

        async def work(session: AsyncSession) -> Complaint:
            record = await complaints.owned_complaint(session, who, complaint_id)
            return (await complaints.load_complaints(session, [record]))[0]

        return await self._store.read(work)

    async def list_complaints(self, owner: tuple[str, str]) -> tuple[Complaint, ...]:
        """The owner's complaints, newest first."""
        who = checked_owner(owner)

        async def work(session: AsyncSession) -> tuple[Complaint, ...]:
            records = await complaints.list_owned(session, who)
            return await complaints.load_complaints(session, records)

        return await self._store.read(work)

    async def get_evidence(self, owner: tuple[str, str], evidence_id: int) -> EvidenceItem:
        """The bytes of an evidence file the owner attached."""
        who = checked_owner(owner)

        async def work(session: AsyncSession) -> EvidenceItem:
            return await read_evidence(session, who, evidence_id)

        return await self._store.read(work)

    async def status_changes_since(self, cursor: int, *, limit: int = 100) -> StatusChangePage:
        """Status changes after ``cursor`` (0 for all), oldest first, to notify their owners."""

        async def work(session: AsyncSession) -> StatusChangePage:
            return await changes_since(session, cursor, limit=limit)

        return await self._store.read(work)

    async def close(self) -> None:
        """Release database connections."""
        await self._store.close()


class EmbeddedOfficer:
    """The officers' registry operations, run in-process."""

    def __init__(self, store: RegistryStore) -> None:
        self._store = store

    async def find_shops(self, query: str, *, limit: int = 5) -> tuple[ShopMatch, ...]:
        """The same search the bot uses."""
        return await self._store.read_sync(lambda s: shops.find_shops(s, query, limit=limit))

    async def list_applications(
        self, *, status: ApplicationStatus | None = None, limit: int = 100
    ) -> tuple[Application, ...]:
        """Applications, newest first, optionally of one status."""

        async def work(session: AsyncSession) -> tuple[Application, ...]:
            records = await applications.list_all(session, status, limit)
            return await applications.load_applications(session, records)

        return await self._store.read(work)

    async def get_application(self, application_id: str) -> Application:
        """Any application."""

        async def work(session: AsyncSession) -> Application:
            record = await applications.any_record(session, application_id)
            return await applications.load_application(session, record)

        return await self._store.read(work)

    async def _decide(
        self,
        decide: Callable[[AsyncSession], Awaitable[ApplicationRecord]],
    ) -> Application:
        async def work(session: AsyncSession) -> Application:
            record = await decide(session)
            await session.flush()
            return await applications.load_application(session, record)

        return await self._store.write(work)

    async def start_review(
        self, application_id: str, *, officer: str, note: str | None = None
    ) -> Application:
        """Move a submitted application to under review."""
        actor = _officer(officer)
        return await self._decide(
            lambda s: applications.start_review(s, application_id, officer=actor, note=note)
        )

    async def approve_application(
        self, application_id: str, *, officer: str, note: str | None = None
    ) -> Application:
        """Approve: issue the certificate (or extend it for a renewal)."""
        actor = _officer(officer)
        return await self._decide(
            lambda s: applications.approve_application(s, application_id, officer=actor, note=note)
        )

    async def reject_application(
        self, application_id: str, *, officer: str, reason: str
    ) -> Application:
        """Reject with a reason the applicant will see."""
        actor = _officer(officer)
        return await self._decide(
            lambda s: applications.reject_application(
                s, application_id, officer=actor, reason=reason
            )
        )

    async def request_more_information(
        self, application_id: str, *, officer: str, note: str
    ) -> Application:
        """Send the application back to the applicant with a note of what is missing."""
        actor = _officer(officer)
        return await self._decide(
            lambda s: applications.request_more_information(
                s, application_id, officer=actor, note=note
            )
        )

    async def get_evidence(self, evidence_id: int) -> EvidenceItem:
        """The bytes of any evidence file (an application's or a complaint's), for review."""

        async def work(session: AsyncSession) -> EvidenceItem:
            return await read_any_evidence(session, evidence_id)

        return await self._store.read(work)

    async def list_complaints(
        self, *, status: ComplaintStatus | None = None, limit: int = 100
    ) -> tuple[Complaint, ...]:
        """Complaints, newest first, optionally of one status."""

        async def work(session: AsyncSession) -> tuple[Complaint, ...]:
            records = await complaints.list_all(session, status, limit)
            return await complaints.load_complaints(session, records)

        return await self._store.read(work)

    async def get_complaint(self, complaint_id: str) -> Complaint:
        """Any complaint."""

        async def work(session: AsyncSession) -> Complaint:
            record = await complaints.any_complaint(session, complaint_id)
            return (await complaints.load_complaints(session, [record]))[0]

        return await self._store.read(work)

    async def update_complaint_status(
        self, complaint_id: str, status: ComplaintStatus, *, officer: str, note: str | None = None
    ) -> Complaint:
        """Move a complaint on, with a note the complainant will see."""
        actor = _officer(officer)

        async def work(session: AsyncSession) -> Complaint:
            record = await complaints.update_status(
                session, complaint_id, status, officer=actor, note=note
            )
            await session.flush()
            return (await complaints.load_complaints(session, [record]))[0]

        return await self._store.write(work)

    async def get_certificate(self, certificate_id: str) -> Certificate:
        """A certificate as it stands today."""

        async def work(session: AsyncSession) -> Certificate:
            return await certificates.get_certificate(session, certificate_id)

        return await self._store.read(work)

    async def suspend_certificate(
        self, certificate_id: str, *, until: date, officer: str, reason: str
    ) -> Certificate:
        """Suspend a certificate until a date."""
        actor = _officer(officer)
        return await self._store.write(
            lambda s: certificates.suspend_certificate(
                s, certificate_id, until=until, officer=actor, reason=reason
            )
        )

    async def reinstate_certificate(
        self, certificate_id: str, *, officer: str, note: str | None = None
    ) -> Certificate:
        """End a suspension early."""
        actor = _officer(officer)
        return await self._store.write(
            lambda s: certificates.reinstate_certificate(
                s, certificate_id, officer=actor, note=note
            )
        )

    async def revoke_certificate(
        self, certificate_id: str, *, officer: str, reason: str
    ) -> Certificate:
        """Revoke a certificate for good."""
        actor = _officer(officer)
        return await self._store.write(
            lambda s: certificates.revoke_certificate(
                s, certificate_id, officer=actor, reason=reason
            )
        )

    async def _business_verdict(
        self, change: Callable[[AsyncSession], Awaitable[int]]
    ) -> ShopVerdict:
        async def work(session: AsyncSession) -> ShopVerdict:
            business_id = await change(session)
            await session.flush()
            verdicts = await session.run_sync(shops.load_verdicts, [business_id])
            return verdicts[business_id]

        return await self._store.write(work)

    async def blacklist_shop(
        self, query: str, *, officer: str, reason: str, name: str | None = None
    ) -> ShopVerdict:
        """Blacklist the shop a registration number or identifier names (creating it if unknown)."""
        actor = _officer(officer)
        return await self._business_verdict(
            lambda s: businesses.blacklist_business(
                s, query, officer=actor, reason=reason, name=name
            )
        )

    async def warn_business(self, query: str, *, officer: str, note: str) -> ShopVerdict:
        """Record a warning on a business."""
        actor = _officer(officer)
        return await self._business_verdict(
            lambda s: businesses.warn_business(s, query, officer=actor, note=note)
        )

    async def add_identifiers(
        self, query: str, identifiers: Sequence[Identifier], *, officer: str
    ) -> ShopVerdict:
        """Declare more identifiers (e.g. payment accounts) for a business."""
        actor = _officer(officer)
        return await self._business_verdict(
            lambda s: businesses.declare_identifiers(s, query, identifiers, officer=actor)
        )

    async def import_businesses(
        self, records: Sequence[BusinessRecord], *, officer: str
    ) -> ImportReport:
        """Create or update already registered e-commerce businesses (basic phase)."""
        actor = _officer(officer)
        return await self._store.write(
            lambda s: businesses.import_businesses(s, records, actor=actor)
        )

    async def close(self) -> None:
        """Release database connections."""
        await self._store.close()


async def open_store(database_url: str | None) -> RegistryStore:
    """A store on ``database_url`` (default: CETS_DATABASE_URL or the SQLite file), checked to
    be migrated to the latest schema."""
    engine = create_engine(database_url)
    try:
        current = await current_revision(engine)
    except Exception as exc:
        await engine.dispose()
        raise BackendUnavailable(f"cannot open the registry database: {exc}") from exc
    head = head_revision()
    if current != head:
        await engine.dispose()
        raise BackendUnavailable(
            f"the registry database is at schema {current or 'none'}, not {head}: run "
            "`cets-bot registry migrate` or registry.database.upgrade_database(url) first"
        )
    return RegistryStore(engine)


async def open_embedded_backend(database_url: str | None) -> EmbeddedBackend:
    """The bot's embedded backend on a migrated database."""
    backend = EmbeddedBackend(await open_store(database_url))
    await backend.warm_up()
    return backend


async def open_embedded_officer(database_url: str | None) -> EmbeddedOfficer:
    """The officers' embedded backend on a migrated database."""
    return EmbeddedOfficer(await open_store(database_url))
