"""The public register's read of one certificate: what anyone who scans a badge may see.

Synchronous Core statements like the shop lookup (:mod:`registry.shops`), so that on SQLite it
runs in one worker thread hop: the page a badge's QR code opens is as hot as a chat lookup.
Nothing about the certificate's owner or any complainant is read, only counts.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, exists, func, select

from backend_client.errors import NotFound
from backend_client.models import Identifier, IdentifierKind, PublicCertificate
from registry.certificates import CERTIFICATE_FACT_COLUMNS, CertificateFacts, to_certificate
from registry.models import (
    BlacklistEntry,
    Business,
    CertificateIdentifier,
    CertificateRecord,
    ComplaintRecord,
)
from registry.numbering import NUMBER_PATTERN, normalise_number
from registry.shops import VERIFIED_COMPLAINT_STATUSES, AnySelect, Executor


def public_certificate(session: Executor, certificate_id: str) -> PublicCertificate:
    """The certificate ``certificate_id`` with its business's names and public counts.

    Raises :class:`NotFound` for a number that was never issued, however it is written.
    """
    number = normalise_number(certificate_id)
    if not (NUMBER_PATTERN.match(number) and number.startswith("CETS-")):
        raise NotFound("no certificate with this number")
    row = session.execute(_certificate_statement(), {"number": number}).first()
    if row is None:
        raise NotFound("no certificate with this number")
    width = len(CERTIFICATE_FACT_COLUMNS)
    facts = CertificateFacts(*row[:width])
    registration_no, name, name_km, verified, blacklisted = row[width:]
    covered = [
        Identifier(IdentifierKind(kind), value, display)
        for kind, value, display in session.execute(_covered_statement(), {"number": number})
    ]
    return PublicCertificate(
        certificate=to_certificate(facts, registration_no, name, covered),
        name=name,
        name_km=name_km,
        verified_complaints=int(verified),
        blacklisted=bool(blacklisted),
    )


@cache
def _certificate_statement() -> AnySelect:
    verified = (
        select(func.count())
        .where(
            ComplaintRecord.business_id == Business.id,
            ComplaintRecord.status.in_(VERIFIED_COMPLAINT_STATUSES),
        )
        .scalar_subquery()
    )
    blacklisted = exists().where(
        BlacklistEntry.business_id == Business.id, BlacklistEntry.lifted_at.is_(None)
    )
    return (
        select(
            *CERTIFICATE_FACT_COLUMNS,
            Business.registration_no,
            Business.name,
            Business.name_km,
            verified,
            blacklisted,
        )
        .join(Business, Business.id == CertificateRecord.business_id)
        .where(CertificateRecord.id == bindparam("number"))
    )


@cache
def _covered_statement() -> AnySelect:
    return (
        select(
            CertificateIdentifier.kind, CertificateIdentifier.value, CertificateIdentifier.display
        )
        .where(CertificateIdentifier.certificate_id == bindparam("number"))
        .order_by(CertificateIdentifier.kind, CertificateIdentifier.value)
    )
