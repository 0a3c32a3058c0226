"""The bot's only door to registry state: shops, applications, evidence, certificates, complaints.

``await open_backend(backend_url=..., database_url=..., bot_token=...)`` returns the embedded
registry (in-process, SQLite or PostgreSQL) when ``backend_url`` is None, else an HTTP client of
a registry server speaking ``openapi/registry.yaml``. Both implement :class:`RegistryBackend`,
return the dataclasses of :mod:`backend_client.models` and raise the exceptions of
:mod:`backend_client.errors`. Close the backend with ``await backend.close()``.
"""

from __future__ import annotations

import os

from backend_client.errors import (
    BackendError,
    BackendUnavailable,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from backend_client.models import (
    CRITERIA,
    DOCUMENTS,
    Application,
    ApplicationDraft,
    ApplicationKind,
    ApplicationStatus,
    BusinessCategory,
    BusinessRecord,
    Certificate,
    CertificateStatus,
    Complaint,
    ComplaintCategory,
    ComplaintDraft,
    ComplaintStatus,
    EvidenceItem,
    Identifier,
    IdentifierKind,
    ImportReport,
    MatchKind,
    Owner,
    PaymentMethod,
    PublicCertificate,
    ShopMatch,
    ShopVerdict,
    StatusChange,
    StatusChangePage,
    StoredEvidence,
    SubjectType,
    Verdict,
)
from backend_client.protocol import OfficerBackend, OwnerKey, RegistryBackend

__all__ = [
    "CRITERIA",
    "DOCUMENTS",
    "Application",
    "ApplicationDraft",
    "ApplicationKind",
    "ApplicationStatus",
    "BackendError",
    "BackendUnavailable",
    "BusinessCategory",
    "BusinessRecord",
    "Certificate",
    "CertificateStatus",
    "Complaint",
    "ComplaintCategory",
    "ComplaintDraft",
    "ComplaintStatus",
    "Conflict",
    "EvidenceItem",
    "Identifier",
    "IdentifierKind",
    "ImportReport",
    "MatchKind",
    "NotFound",
    "OfficerBackend",
    "Owner",
    "OwnerKey",
    "PaymentMethod",
    "PermissionDenied",
    "PublicCertificate",
    "RegistryBackend",
    "ShopMatch",
    "ShopVerdict",
    "StatusChange",
    "StatusChangePage",
    "StoredEvidence",
    "SubjectType",
    "ValidationError",
    "Verdict",
    "open_backend",
    "open_backend_from_env",
    "open_officer_backend",
]


async def open_backend(
    *, backend_url: str | None, database_url: str | None, bot_token: str | None
) -> RegistryBackend:
    """The bot's registry: embedded when ``backend_url`` is None, else the HTTP client.

    The embedded backend needs a migrated database (``registry.database.upgrade_database``);
    ``database_url`` None means ``CETS_DATABASE_URL`` or ``$CETS_DATA_DIR/cets.sqlite3``. The
    HTTP client needs the bot's bearer token.
    """
    if backend_url is None:
        from registry.embedded import open_embedded_backend

        return await open_embedded_backend(database_url)
    if not bot_token:
        raise PermissionDenied("a bot token is required to use a registry server")
    from backend_client.http_client import HttpRegistryBackend

    return HttpRegistryBackend(backend_url, bot_token)


async def open_backend_from_env() -> RegistryBackend:
    """:func:`open_backend` with CETS_BACKEND_URL, CETS_DATABASE_URL, CETS_REGISTRY_BOT_TOKEN."""
    return await open_backend(
        backend_url=os.environ.get("CETS_BACKEND_URL") or None,
        database_url=os.environ.get("CETS_DATABASE_URL") or None,
        bot_token=os.environ.get("CETS_REGISTRY_BOT_TOKEN") or None,
    )


async def open_officer_backend(
    *, backend_url: str | None, database_url: str | None, officer_token: str | None
) -> OfficerBackend:
    """The officers' registry: embedded when ``backend_url`` is None, else the HTTP client."""
    if backend_url is None:
        from registry.embedded import open_embedded_officer

        return await open_embedded_officer(database_url)
    if not officer_token:
        raise PermissionDenied("an officer token is required to use a registry server")
    from backend_client.http_client import HttpOfficerBackend

    return HttpOfficerBackend(backend_url, officer_token)
