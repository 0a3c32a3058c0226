"""Businesses: creation from applications and imports, identifiers, name index, blacklist."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.errors import NotFound, ValidationError
from backend_client.models import BusinessRecord, Identifier, ImportReport
from registry.audit import record_audit
from registry.bulk import insert_tuples
from registry.clock import now
from registry.identifiers import identifier_key, parse_identifier
from registry.models import (
    AuditEntry,
    BlacklistEntry,
    Business,
    BusinessIdentifier,
    NameTrigram,
    Penalty,
)
from registry.name_index import mark_names_changed
from registry.names import trigrams
from registry.shops import normalise_registration_no, resolve_business

logger = logging.getLogger(__name__)
BATCH = 2000
# Bulk rows go through Core tables: the ORM's bulk path costs more than the database here.
BUSINESSES = cast(Table, Business.__table__)
BUSINESS_IDENTIFIERS = cast(Table, BusinessIdentifier.__table__)
NAME_TRIGRAMS = cast(Table, NameTrigram.__table__)
AUDIT_LOG = cast(Table, AuditEntry.__table__)


def _name_grams(name: str, name_km: str | None) -> frozenset[str]:
    return trigrams(name) | trigrams(name_km or "")


async def reindex_name(session: AsyncSession, business: Business) -> None:
    """Replace the trigrams of a business's names."""
    await session.execute(delete(NameTrigram).where(NameTrigram.business_id == business.id))
    grams = _name_grams(business.name, business.name_km)
    if grams:
        await session.execute(
            insert(NAME_TRIGRAMS), [{"business_id": business.id, "trigram": g} for g in grams]
        )
    await mark_names_changed(session)


async def add_identifiers(
    session: AsyncSession, business_id: int, identifiers: Iterable[Identifier]
) -> None:
    """Declare identifiers for a business, skipping those it already has."""
    rows = await session.execute(
        select(BusinessIdentifier.kind, BusinessIdentifier.value).where(
            BusinessIdentifier.business_id == business_id
        )
    )
    existing = {(kind, value) for kind, value in rows}
    new_rows = []
    for identifier in identifiers:
        key = (identifier.kind.value, identifier.value)
        if key not in existing:
            existing.add(key)
            new_rows.append(
                {
                    "business_id": business_id,
                    "kind": key[0],
                    "value": key[1],
                    "display": identifier.display or identifier.value,
                }
            )
    if new_rows:
        await session.execute(insert(BUSINESS_IDENTIFIERS), new_rows)


async def create_business(
    session: AsyncSession,
    *,
    name: str,
    name_km: str | None,
    registration_no: str | None,
    source: str,
    actor: str,
    identifiers: Iterable[Identifier] = (),
    **fields: object,
) -> Business:
    """A new business with its identifiers and name index."""
    business = Business(
        name=name,
        name_km=name_km,
        registration_no=normalise_registration_no(registration_no) if registration_no else None,
        source=source,
        basic_phase_eligible=bool(registration_no),
        created_at=now(),
        updated_at=now(),
        **fields,
    )
    session.add(business)
    await session.flush()
    await add_identifiers(session, business.id, identifiers)
    await reindex_name(session, business)
    record_audit(
        session,
        actor=actor,
        action="business:create",
        subject_type="business",
        subject_id=str(business.id),
        details={"source": source},
    )
    return business


def parse_record_identifiers(record: BusinessRecord) -> tuple[list[Identifier], list[str]]:
    """Normalise an imported record's identifiers; the second list names unreadable ones."""
    found, bad = [], []
    for given in record.identifiers:
        raw = given.display or given.value
        identifier = parse_identifier(raw, given.kind)
        if identifier is None:
            bad.append(f"{given.kind.value} {raw!r}")
        else:
            found.append(identifier)
    return found, bad


def _business_row(registration_no: str, record: BusinessRecord, stamp: datetime) -> dict[str, Any]:
    return {
        "registration_no": registration_no,
        "name": record.name.strip(),
        "name_km": (record.name_km or "").strip() or None,
        "category": record.category.value if record.category else None,
        "registered_on": record.registered_on,
        "address": record.address,
        "basic_phase_eligible": True,
        "source": "import",
        "created_at": stamp,
        "updated_at": stamp,
    }


async def import_businesses(
    session: AsyncSession, records: Sequence[BusinessRecord], *, actor: str
) -> ImportReport:
    """Create or update registered e-commerce businesses in bulk; they become basic-phase
    eligible. Records are matched on their registration number."""
    errors: list[str] = []
    valid: dict[str, tuple[BusinessRecord, list[Identifier]]] = {}
    for line, record in enumerate(records, start=1):
        registration_no = normalise_registration_no(record.registration_no)
        if not registration_no or not record.name.strip():
            errors.append(f"record {line}: registration_no and name are required")
            continue
        identifiers, bad = parse_record_identifiers(record)
        errors.extend(f"record {line} ({registration_no}): cannot read {b}" for b in bad)
        valid[registration_no] = (record, identifiers)
    existing: dict[str, Business] = {}
    numbers = list(valid)
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        found = await session.scalars(select(Business).where(Business.registration_no.in_(chunk)))
        existing.update((b.registration_no or "", b) for b in found)
    stamp = now()
    new_numbers = [n for n in numbers if n not in existing]
    created_ids: dict[str, int] = {}
    for start in range(0, len(new_numbers), BATCH):
        chunk = new_numbers[start : start + BATCH]
        created = await session.execute(
            insert(BUSINESSES).returning(BUSINESSES.c.id, BUSINESSES.c.registration_no),
            [_business_row(n, valid[n][0], stamp) for n in chunk],
        )
        created_ids.update((registration_no or "", bid) for bid, registration_no in created)
    for number, business in existing.items():
        record = valid[number][0]
        business.name = record.name.strip()
        business.name_km = (record.name_km or "").strip() or business.name_km
        business.category = record.category.value if record.category else business.category
        business.registered_on = record.registered_on or business.registered_on
        business.basic_phase_eligible = True
        business.updated_at = stamp
    await session.flush()
    all_ids = {**created_ids, **{n: b.id for n, b in existing.items()}}
    await _bulk_identifiers(session, valid, all_ids, skip_existing=bool(existing))
    await _bulk_trigrams(session, valid, all_ids, [b.id for b in existing.values()])
    await insert_tuples(
        session,
        AUDIT_LOG,
        ("at", "actor", "action", "subject_type", "subject_id", "details"),
        [
            (stamp, actor, "business:import", "business", str(bid), {"registration_no": number})
            for number, bid in all_ids.items()
        ],
    )
    logger.info("imported %d businesses (%d new)", len(all_ids), len(created_ids))
    return ImportReport(created=len(created_ids), updated=len(existing), errors=tuple(errors))


async def _bulk_identifiers(
    session: AsyncSession,
    valid: dict[str, tuple[BusinessRecord, list[Identifier]]],
    ids: dict[str, int],
    *,
    skip_existing: bool,
) -> None:
    existing: set[tuple[int, str, str]] = set()
    if skip_existing:
        id_list = list(ids.values())
        for start in range(0, len(id_list), BATCH):
            rows = await session.execute(
                select(
                    BusinessIdentifier.business_id,
                    BusinessIdentifier.kind,
                    BusinessIdentifier.value,
                ).where(BusinessIdentifier.business_id.in_(id_list[start : start + BATCH]))
            )
            existing.update((b, k, v) for b, k, v in rows)
    rows_to_add: list[tuple[int, str, str, str]] = []
    for number, (_, identifiers) in valid.items():
        business_id = ids[number]
        for identifier in identifiers:
            key = (business_id, identifier.kind.value, identifier.value)
            if key not in existing:
                existing.add(key)
                rows_to_add.append((*key, identifier.display or identifier.value))
    await insert_tuples(
        session, BUSINESS_IDENTIFIERS, ("business_id", "kind", "value", "display"), rows_to_add
    )


async def _bulk_trigrams(
    session: AsyncSession,
    valid: dict[str, tuple[BusinessRecord, list[Identifier]]],
    ids: dict[str, int],
    renamed: Sequence[int],
) -> None:
    for start in range(0, len(renamed), BATCH):
        await session.execute(
            delete(NameTrigram).where(NameTrigram.business_id.in_(renamed[start : start + BATCH]))
        )
    rows = [
        (ids[number], gram)
        for number, (record, _) in valid.items()
        for gram in _name_grams(record.name, record.name_km)
    ]
    await insert_tuples(session, NAME_TRIGRAMS, ("business_id", "trigram"), rows)
    if ids:
        await mark_names_changed(session)


async def business_for(
    session: AsyncSession, query: str, *, actor: str, create_as: str | None = None
) -> Business:
    """The business a registration number, certificate id or identifier names.

    With ``create_as`` (a display name; empty: the identifier), an unknown identifier creates an
    unregistered business (e.g. a fake shop to blacklist); otherwise an unknown reference is
    NotFound.
    """
    business_id, identifier = await session.run_sync(resolve_business, query)
    if business_id is not None:
        business = await session.get(Business, business_id)
        assert business is not None
        return business
    if create_as is None or identifier is None:
        raise NotFound(f"no business known as {query!r}")
    return await create_business(
        session,
        name=create_as or identifier_key(identifier),
        name_km=None,
        registration_no=None,
        source="officer",
        actor=actor,
        identifiers=[identifier],
    )


async def blacklist_business(
    session: AsyncSession, query: str, *, officer: str, reason: str, name: str | None
) -> int:
    """Put a business on the blacklist (creating an unregistered one for an unknown identifier)."""
    if not reason.strip():
        raise ValidationError("a reason is required", fields=("reason",))
    business = await business_for(session, query, actor=officer, create_as=name or "")
    session.add(
        BlacklistEntry(business_id=business.id, reason=reason, listed_at=now(), listed_by=officer)
    )
    record_audit(
        session,
        actor=officer,
        action="business:blacklist",
        subject_type="business",
        subject_id=str(business.id),
        details={"reason": reason},
    )
    return business.id


async def declare_identifiers(
    session: AsyncSession, query: str, identifiers: Sequence[Identifier], *, officer: str
) -> int:
    """Add identifiers (e.g. payment accounts) to the business ``query`` names.

    Each is normalised again from its display text (or value) and kind; ValidationError
    names the unreadable ones and nothing is added then.
    """
    if not identifiers:
        raise ValidationError("no identifier given", fields=("identifiers",))
    parsed, bad = [], []
    for given in identifiers:
        raw = given.display or given.value
        found = parse_identifier(raw, given.kind)
        if found is None:
            bad.append(f"{given.kind.value} {raw!r}")
        else:
            parsed.append(found)
    if bad:
        raise ValidationError(f"cannot read {', '.join(bad)}", fields=("identifiers",))
    business = await business_for(session, query, actor=officer)
    await add_identifiers(session, business.id, parsed)
    record_audit(
        session,
        actor=officer,
        action="business:identifiers",
        subject_type="business",
        subject_id=str(business.id),
        details={"added": [identifier_key(i) for i in parsed]},
    )
    return business.id


async def warn_business(session: AsyncSession, query: str, *, officer: str, note: str) -> int:
    """Record a warning on a business."""
    if not note.strip():
        raise ValidationError("a note is required", fields=("note",))
    business = await business_for(session, query, actor=officer)
    session.add(Penalty(business_id=business.id, kind="warning", note=note, at=now(), by=officer))
    record_audit(
        session,
        actor=officer,
        action="business:warn",
        subject_type="business",
        subject_id=str(business.id),
        details={"note": note},
    )
    return business.id
