"""Shop lookup: find businesses by identifier, certificate id, registration number or name,
and assemble the verdict facts the bot shows a consumer.

Synchronous on purpose: a lookup is the bot's hottest call, and on SQLite it runs in one worker
thread with a plain sqlite3 connection (one thread hop instead of one per cursor call through
aiosqlite, see RegistryStore.read_sync); on PostgreSQL it runs through ``AsyncSession.run_sync``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from backend_client.errors import ValidationError
from backend_client.models import (
    BusinessCategory,
    ComplaintStatus,
    Identifier,
    IdentifierKind,
    MatchKind,
    ShopMatch,
    ShopVerdict,
)
from registry.certificates import CERTIFICATE_FACT_COLUMNS, CertificateFacts, to_certificate
from registry.identifiers import candidate_identifiers, normalise_phone
from registry.models import (
    BlacklistEntry,
    Business,
    BusinessIdentifier,
    CertificateIdentifier,
    CertificateRecord,
    ComplaintRecord,
    Penalty,
)
from registry.name_index import current_index
from registry.names import trigrams
from registry.numbering import NUMBER_PATTERN, normalise_number

OPEN_COMPLAINT_STATUSES = (
    ComplaintStatus.RECEIVED.value,
    ComplaintStatus.UNDER_REVIEW.value,
    ComplaintStatus.FORWARDED_TO_BUSINESS.value,
)
"""Complaints still being handled."""

VERIFIED_COMPLAINT_STATUSES = (
    ComplaintStatus.FORWARDED_TO_BUSINESS.value,
    ComplaintStatus.RESOLVED.value,
)
"""Complaints the directorate checked and found substantiated (it forwards only those)."""

AnySelect = Select[*tuple[Any, ...]]
Executor = Session | Connection
"""Lookups only run Core statements: an ORM session or a plain connection will do."""
MAX_QUERY_LENGTH = 500
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
MIN_NAME_SCORE = 0.45


def normalise_registration_no(raw: str) -> str:
    """Registration numbers compare upper-cased and without spaces."""
    return re.sub(r"\s+", "", raw).upper()


@dataclass(frozen=True, slots=True)
class _Hit:
    business_id: int
    matched_by: MatchKind
    score: float
    identifier: Identifier | None = None


def find_shops(session: Executor, query: str, *, limit: int = 5) -> tuple[ShopMatch, ...]:
    """Exact matches (identifier, certificate id, registration number) first, else names."""
    text = query.strip()
    if not text:
        raise ValidationError("empty search", fields=("query",))
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError("search text too long", fields=("query",))
    limit = max(1, min(limit, 50))
    hits = _exact_hits(session, text)
    if not hits and _could_be_a_name(text):
        hits = _name_hits(session, text, limit)
    hits = _first_per_business(hits)[:limit]
    verdicts = load_verdicts(session, [h.business_id for h in hits])
    return tuple(
        ShopMatch(
            shop=verdicts[h.business_id],
            matched_by=h.matched_by,
            score=round(h.score, 3),
            matched_identifier=h.identifier,
        )
        for h in hits
        if h.business_id in verdicts
    )


def _could_be_a_name(text: str) -> bool:
    """A link, a handle, an account or a phone number is never searched as a name."""
    if "/" in text or "@" in text:
        return False
    digits = text.replace(" ", "").replace("-", "").translate(KHMER_DIGITS)
    return not (digits.lstrip("+").isdigit() or normalise_phone(text))


def _first_per_business(hits: Iterable[_Hit]) -> list[_Hit]:
    seen: set[int] = set()
    unique = []
    for hit in hits:
        if hit.business_id not in seen:
            seen.add(hit.business_id)
            unique.append(hit)
    return unique


def _exact_hits(session: Executor, text: str) -> list[_Hit]:
    number = normalise_number(text)
    if NUMBER_PATTERN.match(number) and number.startswith("CETS-"):
        rows = session.execute(_certificate_statement(), {"number": number})
        return [_Hit(bid, MatchKind.CERTIFICATE_ID, 1.0) for (bid,) in rows]
    hits = [
        _Hit(business_id, MatchKind.IDENTIFIER, 1.0, identifier)
        for business_id, identifier in businesses_by_identifiers(
            session, candidate_identifiers(text)
        )
    ]
    if hits:
        return hits
    rows = session.execute(_registration_statement(), {"number": normalise_registration_no(text)})
    return [_Hit(bid, MatchKind.REGISTRATION_NO, 1.0) for (bid,) in rows]


# Statements are built once: building them costs more CPU than running them.


@cache
def _certificate_statement() -> AnySelect:
    return select(CertificateRecord.business_id).where(CertificateRecord.id == bindparam("number"))


@cache
def _registration_statement() -> AnySelect:
    return select(Business.id).where(Business.registration_no == bindparam("number"))


@cache
def _identifier_statement(count: int) -> AnySelect:
    """Businesses declaring one of ``count`` (kind, value) pairs.

    An OR of equalities, not a row-value IN: SQLite only uses the (kind, value) index so.
    """
    return (
        select(
            BusinessIdentifier.business_id,
            BusinessIdentifier.kind,
            BusinessIdentifier.value,
            BusinessIdentifier.display,
        )
        .where(
            or_(
                *(
                    and_(
                        BusinessIdentifier.kind == bindparam(f"kind{i}"),
                        BusinessIdentifier.value == bindparam(f"value{i}"),
                    )
                    for i in range(count)
                )
            )
        )
        .order_by(BusinessIdentifier.business_id)
    )


def businesses_by_identifiers(
    session: Executor, identifiers: Sequence[Identifier]
) -> list[tuple[int, Identifier]]:
    """Businesses declaring any of ``identifiers``, with the identifier each was found by."""
    if not identifiers:
        return []
    parameters: dict[str, str] = {}
    for i, identifier in enumerate(identifiers):
        parameters[f"kind{i}"] = identifier.kind.value
        parameters[f"value{i}"] = identifier.value
    rows = session.execute(_identifier_statement(len(identifiers)), parameters)
    return [
        (business_id, Identifier(IdentifierKind(kind), value, display))
        for business_id, kind, value, display in rows
    ]


def _name_hits(session: Executor, text: str, limit: int) -> list[_Hit]:
    query_grams = trigrams(text)
    if len(query_grams) < 3:
        return []
    found = current_index(session).search(
        query_grams,
        least=max(2, int(len(query_grams) * 0.3)),
        min_score=MIN_NAME_SCORE,
        limit=limit,
    )
    return [_Hit(business_id, MatchKind.NAME, score) for business_id, score in found]


def load_verdicts(session: Executor, business_ids: Sequence[int]) -> dict[int, ShopVerdict]:
    """The verdict facts of each business, in two queries whatever their number.

    A lookup is on the bot's hot path: one query brings each business with its counts,
    blacklist entry and latest certificate; a second its identifiers and the identifiers its
    certificates cover.
    """
    if not business_ids:
        return {}
    ids = sorted(set(business_ids))
    facts = session.execute(_facts_query(), {"ids": ids}).all()
    identifiers: dict[int, list[Identifier]] = {i: [] for i in ids}
    covered: dict[str, list[Identifier]] = {}
    for source, business_id, certificate_id, kind, value, display in session.execute(
        _identifiers_query(), {"ids": ids}
    ):
        identifier = Identifier(IdentifierKind(kind), value, display)
        if source == 0:
            identifiers[business_id].append(identifier)
        else:
            covered.setdefault(certificate_id, []).append(identifier)
    verdicts = {}
    width = len(CERTIFICATE_FACT_COLUMNS)
    for row in facts:
        (
            business_id,
            registration_no,
            name,
            name_km,
            category,
            eligible,
            n_open,
            n_verified,
            n_warnings,
            reason,
        ) = row[:10]
        certificate = CertificateFacts(*row[10 : 10 + width]) if row[10] is not None else None
        verdicts[business_id] = ShopVerdict(
            business_id=business_id,
            registration_no=registration_no,
            name=name,
            name_km=name_km,
            category=BusinessCategory(category) if category else None,
            identifiers=tuple(identifiers[business_id]),
            certificate=(
                to_certificate(certificate, registration_no, name, covered.get(certificate.id, []))
                if certificate is not None
                else None
            ),
            open_complaints=int(n_open),
            verified_complaints=int(n_verified),
            blacklisted=reason is not None,
            blacklist_reason=reason,
            warnings=int(n_warnings),
            basic_phase_eligible=bool(eligible),
        )
    return verdicts


def _count(*conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).where(*conditions).scalar_subquery()


@cache
def _facts_query() -> AnySelect:
    other = aliased(CertificateRecord)
    latest_certificate = (
        select(other.id)
        .where(other.business_id == Business.id)
        .order_by(other.issued_on.desc(), other.created_at.desc())
        .limit(1)
        .correlate(Business)
        .scalar_subquery()
    )
    blacklist_reason = (
        select(BlacklistEntry.reason)
        .where(BlacklistEntry.business_id == Business.id, BlacklistEntry.lifted_at.is_(None))
        .order_by(BlacklistEntry.listed_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            Business.id,
            Business.registration_no,
            Business.name,
            Business.name_km,
            Business.category,
            Business.basic_phase_eligible,
            _count(
                ComplaintRecord.business_id == Business.id,
                ComplaintRecord.status.in_(OPEN_COMPLAINT_STATUSES),
            ),
            _count(
                ComplaintRecord.business_id == Business.id,
                ComplaintRecord.status.in_(VERIFIED_COMPLAINT_STATUSES),
            ),
            _count(Penalty.business_id == Business.id, Penalty.kind == "warning"),
            blacklist_reason,
            *CERTIFICATE_FACT_COLUMNS,
        )
        .outerjoin(CertificateRecord, CertificateRecord.id == latest_certificate)
        .where(Business.id.in_(bindparam("ids", expanding=True)))
    )


@cache
def _identifiers_query() -> AnySelect:
    declared = select(
        literal(0).label("source"),
        BusinessIdentifier.business_id,
        literal("").label("certificate_id"),
        BusinessIdentifier.kind,
        BusinessIdentifier.value,
        BusinessIdentifier.display,
        BusinessIdentifier.id.label("position"),
    ).where(BusinessIdentifier.business_id.in_(bindparam("ids", expanding=True)))
    covered = (
        select(
            literal(1),
            CertificateRecord.business_id,
            CertificateIdentifier.certificate_id,
            CertificateIdentifier.kind,
            CertificateIdentifier.value,
            CertificateIdentifier.display,
            literal(0),
        )
        .join(CertificateRecord, CertificateRecord.id == CertificateIdentifier.certificate_id)
        .where(CertificateRecord.business_id.in_(bindparam("ids", expanding=True)))
    )
    union = union_all(declared, covered).subquery()
    return select(
        union.c.source,
        union.c.business_id,
        union.c.certificate_id,
        union.c.kind,
        union.c.value,
        union.c.display,
    ).order_by(union.c.source, union.c.kind, union.c.position, union.c.value)


def resolve_business(session: Executor, reference: str) -> tuple[int | None, Identifier | None]:
    """The business a reference names exactly, and the identifier it was read as.

    Used where a free-text reference must point at one shop (complaints, blacklisting): no
    fuzzy name matching here.
    """
    text = reference.strip()
    number = normalise_number(text)
    if NUMBER_PATTERN.match(number) and number.startswith("CETS-"):
        business_id = (
            session.execute(
                select(CertificateRecord.business_id).where(CertificateRecord.id == number)
            )
        ).scalar_one_or_none()
        return business_id, None
    candidates = candidate_identifiers(text)
    found = businesses_by_identifiers(session, candidates)
    if found:
        return found[0]
    by_registration = (
        session.execute(
            select(Business.id).where(Business.registration_no == normalise_registration_no(text))
        )
    ).scalar_one_or_none()
    return by_registration, candidates[0] if candidates else None
