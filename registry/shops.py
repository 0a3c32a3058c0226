"""Shop lookup: find businesses by identifier, certificate id, registration number or name,
and assemble the verdict facts the bot shows a consumer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

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
from registry.certificates import latest_certificates
from registry.identifiers import candidate_identifiers
from registry.models import (
    BlacklistEntry,
    Business,
    BusinessIdentifier,
    CertificateRecord,
    ComplaintRecord,
    NameTrigram,
    Penalty,
)
from registry.names import similarity, trigrams
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

MAX_QUERY_LENGTH = 500
NAME_CANDIDATES = 50
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


async def find_shops(session: AsyncSession, query: str, *, limit: int = 5) -> tuple[ShopMatch, ...]:
    """Exact matches (identifier, certificate id, registration number) first, else names."""
    text = query.strip()
    if not text:
        raise ValidationError("empty search", fields=("query",))
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError("search text too long", fields=("query",))
    limit = max(1, min(limit, 50))
    hits = await _exact_hits(session, text)
    if not hits:
        hits = await _name_hits(session, text)
    hits = _first_per_business(hits)[:limit]
    verdicts = await load_verdicts(session, [h.business_id for h in hits])
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


def _first_per_business(hits: Iterable[_Hit]) -> list[_Hit]:
    seen: set[int] = set()
    unique = []
    for hit in hits:
        if hit.business_id not in seen:
            seen.add(hit.business_id)
            unique.append(hit)
    return unique


async def _exact_hits(session: AsyncSession, text: str) -> list[_Hit]:
    number = normalise_number(text)
    if NUMBER_PATTERN.match(number) and number.startswith("CETS-"):
        rows = await session.execute(
            select(CertificateRecord.business_id).where(CertificateRecord.id == number)
        )
        return [_Hit(bid, MatchKind.CERTIFICATE_ID, 1.0) for (bid,) in rows]
    hits = [
        _Hit(business_id, MatchKind.IDENTIFIER, 1.0, identifier)
        for business_id, identifier in await businesses_by_identifiers(
            session, candidate_identifiers(text)
        )
    ]
    registration_no = normalise_registration_no(text)
    rows = await session.execute(
        select(Business.id).where(Business.registration_no == registration_no)
    )
    hits.extend(_Hit(bid, MatchKind.REGISTRATION_NO, 1.0) for (bid,) in rows)
    return hits


async def businesses_by_identifiers(
    session: AsyncSession, identifiers: Sequence[Identifier]
) -> list[tuple[int, Identifier]]:
    """Businesses declaring any of ``identifiers``, with the identifier each was found by."""
    if not identifiers:
        return []
    keys = [(i.kind.value, i.value) for i in identifiers]
    rows = await session.execute(
        select(
            BusinessIdentifier.business_id,
            BusinessIdentifier.kind,
            BusinessIdentifier.value,
            BusinessIdentifier.display,
        )
        .where(tuple_(BusinessIdentifier.kind, BusinessIdentifier.value).in_(keys))
        .order_by(BusinessIdentifier.business_id)
    )
    return [
        (business_id, Identifier(IdentifierKind(kind), value, display))
        for business_id, kind, value, display in rows
    ]


async def _name_hits(session: AsyncSession, text: str) -> list[_Hit]:
    query_grams = trigrams(text)
    if len(query_grams) < 3:
        return []
    shared = func.count().label("shared")
    rows = await session.execute(
        select(NameTrigram.business_id, shared)
        .where(NameTrigram.trigram.in_(sorted(query_grams)))
        .group_by(NameTrigram.business_id)
        .having(func.count() >= max(2, int(len(query_grams) * 0.3)))
        .order_by(shared.desc(), NameTrigram.business_id)
        .limit(NAME_CANDIDATES)
    )
    candidate_ids = [business_id for business_id, _ in rows]
    if not candidate_ids:
        return []
    names = await session.execute(
        select(Business.id, Business.name, Business.name_km).where(Business.id.in_(candidate_ids))
    )
    hits = []
    for business_id, name, name_km in names:
        score = max(similarity(query_grams, trigrams(n)) for n in (name, name_km or ""))
        if score >= MIN_NAME_SCORE:
            hits.append(_Hit(business_id, MatchKind.NAME, score))
    hits.sort(key=lambda h: (-h.score, h.business_id))
    return hits


async def load_verdicts(
    session: AsyncSession, business_ids: Sequence[int]
) -> dict[int, ShopVerdict]:
    """The verdict facts of each business, in four queries whatever their number."""
    if not business_ids:
        return {}
    ids = sorted(set(business_ids))
    open_count = (
        select(func.count())
        .where(
            ComplaintRecord.business_id == Business.id,
            ComplaintRecord.status.in_(OPEN_COMPLAINT_STATUSES),
        )
        .scalar_subquery()
    )
    verified_count = (
        select(func.count())
        .where(
            ComplaintRecord.business_id == Business.id,
            ComplaintRecord.status.in_(VERIFIED_COMPLAINT_STATUSES),
        )
        .scalar_subquery()
    )
    warning_count = (
        select(func.count())
        .where(Penalty.business_id == Business.id, Penalty.kind == "warning")
        .scalar_subquery()
    )
    blacklist_reason = (
        select(BlacklistEntry.reason)
        .where(BlacklistEntry.business_id == Business.id, BlacklistEntry.lifted_at.is_(None))
        .order_by(BlacklistEntry.listed_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    businesses = (
        await session.execute(
            select(Business, open_count, verified_count, warning_count, blacklist_reason).where(
                Business.id.in_(ids)
            )
        )
    ).all()
    identifiers: dict[int, list[Identifier]] = {i: [] for i in ids}
    rows = await session.execute(
        select(
            BusinessIdentifier.business_id,
            BusinessIdentifier.kind,
            BusinessIdentifier.value,
            BusinessIdentifier.display,
        )
        .where(BusinessIdentifier.business_id.in_(ids))
        .order_by(BusinessIdentifier.id)
    )
    for business_id, kind, value, display in rows:
        identifiers[business_id].append(Identifier(IdentifierKind(kind), value, display))
    certificates = await latest_certificates(session, ids)
    verdicts = {}
    for business, n_open, n_verified, n_warnings, reason in businesses:
        verdicts[business.id] = ShopVerdict(
            business_id=business.id,
            registration_no=business.registration_no,
            name=business.name,
            name_km=business.name_km,
            category=BusinessCategory(business.category) if business.category else None,
            identifiers=tuple(identifiers[business.id]),
            certificate=certificates.get(business.id),
            open_complaints=int(n_open),
            verified_complaints=int(n_verified),
            blacklisted=reason is not None,
            blacklist_reason=reason,
            warnings=int(n_warnings),
            basic_phase_eligible=business.basic_phase_eligible,
        )
    return verdicts


async def resolve_business(
    session: AsyncSession, reference: str
) -> tuple[int | None, Identifier | None]:
    """The business a reference names exactly, and the identifier it was read as.

    Used where a free-text reference must point at one shop (complaints, blacklisting): no
    fuzzy name matching here.
    """
    text = reference.strip()
    number = normalise_number(text)
    if NUMBER_PATTERN.match(number) and number.startswith("CETS-"):
        business_id = (
            await session.execute(
                select(CertificateRecord.business_id).where(CertificateRecord.id == number)
            )
        ).scalar_one_or_none()
        return business_id, None
    candidates = candidate_identifiers(text)
    found = await businesses_by_identifiers(session, candidates)
    if found:
        return found[0]
    by_registration = (
        await session.execute(
            select(Business.id).where(Business.registration_no == normalise_registration_no(text))
        )
    ).scalar_one_or_none()
    return by_registration, candidates[0] if candidates else None
