"""The documented demo data set (docs/registry.md): one shop per verdict, in both scripts.

Certificate, application and registration numbers are fixed so that tests and demos can use
them; validity dates are relative to the day of seeding, so the valid shop stays valid.
Seeding twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend_client.models import (
    ApplicationKind,
    ApplicationStatus,
    BusinessCategory,
    CertificateStatus,
    ComplaintCategory,
    ComplaintStatus,
    IdentifierKind,
    PaymentMethod,
    SubjectType,
)
from registry.audit import record_status_change
from registry.businesses import create_business
from registry.clock import now, today, validity_end
from registry.identifiers import parse_identifier
from registry.models import (
    ApplicationRecord,
    BlacklistEntry,
    Business,
    CertificateIdentifier,
    CertificateRecord,
    ComplaintRecord,
    Penalty,
)
from registry.numbering import (
    COMPLAINT_PREFIX,
    NUMBER_PATTERN,
    reserve_at_least,
)

DEMO_ACTOR = "officer:seed-demo"
DEMO_OWNER = ("demo", "shop-owner")
DEMO_CONSUMER = ("demo", "consumer")


@dataclass(frozen=True)
class DemoShop:
    """One demo shop and what happened to it."""

    key: str
    name: str
    name_km: str
    registration_no: str | None
    category: BusinessCategory
    facebook: str
    telegram: str
    phone: str
    certificate_id: str | None = None
    application_id: str | None = None
    certificate: CertificateStatus | None = None
    blacklist_reason: str | None = None
    complaints: tuple[ComplaintStatus, ...] = field(default=())


DEMO_SHOPS: tuple[DemoShop, ...] = (
    DemoShop(
        key="valid",
        name="Sokha Fashion",
        name_km="សុខា ហ្វេសិន",
        registration_no="EC-2024-000101",
        category=BusinessCategory.SOLE_PROPRIETORSHIP,
        facebook="https://www.facebook.com/sokhafashion.demo",
        telegram="https://t.me/sokhafashion_demo",
        phone="012 345 601",
        certificate_id="CETS-2025-000001",
        application_id="APP-2025-000001",
        certificate=CertificateStatus.VALID,
        complaints=(ComplaintStatus.RESOLVED,),
    ),
    DemoShop(
        key="expired",
        name="Angkor Crafts",
        name_km="អង្គរ ហស្តកម្ម",
        registration_no="EC-2022-000102",
        category=BusinessCategory.LEGAL_PERSON,
        facebook="https://www.facebook.com/angkorcrafts.demo",
        telegram="https://t.me/angkorcrafts_demo",
        phone="012 345 602",
        certificate_id="CETS-2025-000002",
        application_id="APP-2025-000002",
        certificate=CertificateStatus.EXPIRED,
    ),
    DemoShop(
        key="suspended",
        name="Mekong Mobile Shop",
        name_km="ហាងទូរស័ព្ទ មេគង្គ",
        registration_no="EC-2024-000103",
        category=BusinessCategory.SOLE_PROPRIETORSHIP,
        facebook="https://www.facebook.com/mekongmobile.demo",
        telegram="https://t.me/mekongmobile_demo",
        phone="012 345 603",
        certificate_id="CETS-2025-000003",
        application_id="APP-2025-000003",
        certificate=CertificateStatus.SUSPENDED,
        complaints=(
            ComplaintStatus.RECEIVED,
            ComplaintStatus.UNDER_REVIEW,
            ComplaintStatus.FORWARDED_TO_BUSINESS,
        ),
    ),
    DemoShop(
        key="revoked",
        name="Lucky Gold Jewelry",
        name_km="ហាងមាស សំណាង",
        registration_no="EC-2023-000104",
        category=BusinessCategory.INDIVIDUAL,
        facebook="https://www.facebook.com/luckygold.demo",
        telegram="https://t.me/luckygold_demo",
        phone="012 345 604",
        certificate_id="CETS-2025-000004",
        application_id="APP-2025-000004",
        certificate=CertificateStatus.REVOKED,
        complaints=(ComplaintStatus.RESOLVED, ComplaintStatus.FORWARDED_TO_BUSINESS),
    ),
    DemoShop(
        key="blacklisted",
        name="Trustmark Deals KH",
        name_km="ហាងបញ្ចុះតម្លៃ ក្លែងក្លាយ",
        registration_no=None,
        category=BusinessCategory.INDIVIDUAL,
        facebook="https://www.facebook.com/trustmarkdeals.demo",
        telegram="https://t.me/trustmarkdeals_demo",
        phone="012 345 605",
        blacklist_reason="displays the CETS trustmark without a certificate",
        complaints=(ComplaintStatus.RECEIVED,),
    ),
    DemoShop(
        key="registered",
        name="Kampot Pepper Online",
        name_km="ម្រេចកំពត អនឡាញ",
        registration_no="EC-2024-000106",
        category=BusinessCategory.LEGAL_PERSON,
        facebook="https://www.facebook.com/kampotpepper.demo",
        telegram="https://t.me/kampotpepper_demo",
        phone="012 345 606",
    ),
)


@dataclass(frozen=True)
class _Dates:
    issued_on: date
    valid_until: date
    suspended_until: date | None = None
    revoked_on: date | None = None


def _dates(status: CertificateStatus, day: date) -> _Dates:
    """Certificate dates that give ``status`` on ``day``."""
    if status is CertificateStatus.EXPIRED:
        issued = day - timedelta(days=2 * 365 + 40)
        return _Dates(issued, validity_end(issued))
    issued = day - timedelta(days=200)
    if status is CertificateStatus.SUSPENDED:
        return _Dates(issued, validity_end(issued), suspended_until=day + timedelta(days=30))
    if status is CertificateStatus.REVOKED:
        return _Dates(issued, validity_end(issued), revoked_on=day - timedelta(days=10))
    return _Dates(issued, validity_end(issued))


def _sequence(number: str) -> tuple[str, int, int]:
    match = NUMBER_PATTERN.match(number)
    assert match is not None
    return match.group(1), int(match.group(2)), int(match.group(3))


async def seed_demo(session: AsyncSession) -> list[str]:
    """Insert the demo shops that are not there yet; one line per shop saying what was done."""
    report = []
    day = today()
    complaint_number = 0
    for shop in DEMO_SHOPS:
        complaint_number += len(shop.complaints)
        existing = (
            await session.execute(select(Business.id).where(Business.name == shop.name))
        ).scalar_one_or_none()
        if existing is not None:
            report.append(f"{shop.key:<11} {shop.name}: already there")
            continue
        identifiers = [
            i
            for i in (
                parse_identifier(shop.facebook, IdentifierKind.FACEBOOK),
                parse_identifier(shop.telegram, IdentifierKind.TELEGRAM),
                parse_identifier(shop.phone, IdentifierKind.PHONE),
            )
            if i is not None
        ]
        business = await create_business(
            session,
            name=shop.name,
            name_km=shop.name_km,
            registration_no=shop.registration_no,
            source="demo",
            actor=DEMO_ACTOR,
            identifiers=identifiers,
            category=shop.category.value,
            address="Phnom Penh (demo)",
        )
        if shop.certificate is not None:
            await _certify(session, shop, business, day)
        if shop.blacklist_reason:
            session.add(
                BlacklistEntry(
                    business_id=business.id,
                    reason=shop.blacklist_reason,
                    listed_at=now(),
                    listed_by=DEMO_ACTOR,
                )
            )
        first = complaint_number - len(shop.complaints) + 1
        for offset, status in enumerate(shop.complaints):
            _complaint(session, shop, business, day, first + offset, status)
        report.append(f"{shop.key:<11} {shop.name} / {shop.name_km}: {shop.certificate_id or '-'}")
    await reserve_at_least(session, COMPLAINT_PREFIX, 2025, complaint_number)
    return report


async def _certify(session: AsyncSession, shop: DemoShop, business: Business, day: date) -> None:
    assert shop.certificate is not None and shop.certificate_id and shop.application_id
    dates = _dates(shop.certificate, day)
    stamp = now()
    session.add(
        ApplicationRecord(
            id=shop.application_id,
            kind=ApplicationKind.NEW.value,
            status=ApplicationStatus.APPROVED.value,
            owner_channel=DEMO_OWNER[0],
            owner_user_id=DEMO_OWNER[1],
            business_name=shop.name,
            business_name_km=shop.name_km,
            category=shop.category.value,
            registration_no=shop.registration_no,
            address="Phnom Penh (demo)",
            identifiers=[],
            code_of_conduct_declared=True,
            answers={},
            fee_quoted=Decimal("100.00"),
            currency="USD",
            business_id=business.id,
            certificate_id=shop.certificate_id,
            created_at=stamp,
            updated_at=stamp,
            submitted_at=stamp,
        )
    )
    stored_status = (
        shop.certificate.value
        if shop.certificate in (CertificateStatus.SUSPENDED, CertificateStatus.REVOKED)
        else CertificateStatus.VALID.value
    )
    session.add(
        CertificateRecord(
            id=shop.certificate_id,
            business_id=business.id,
            application_id=shop.application_id,
            owner_channel=DEMO_OWNER[0],
            owner_user_id=DEMO_OWNER[1],
            status=stored_status,
            issued_on=dates.issued_on,
            valid_from=dates.issued_on,
            valid_until=dates.valid_until,
            suspended_until=dates.suspended_until,
            revoked_on=dates.revoked_on,
            status_reason={
                CertificateStatus.SUSPENDED: "refund complaints under investigation (demo)",
                CertificateStatus.REVOKED: "sold counterfeit goods (demo)",
            }.get(shop.certificate),
            renewal_count=0,
            created_at=stamp,
            updated_at=stamp,
        )
    )
    await session.flush()
    for identifier in (
        parse_identifier(shop.facebook, IdentifierKind.FACEBOOK),
        parse_identifier(shop.telegram, IdentifierKind.TELEGRAM),
        parse_identifier(shop.phone, IdentifierKind.PHONE),
    ):
        assert identifier is not None
        session.add(
            CertificateIdentifier(
                certificate_id=shop.certificate_id,
                kind=identifier.kind.value,
                value=identifier.value,
                display=identifier.display,
            )
        )
    if shop.certificate in (CertificateStatus.SUSPENDED, CertificateStatus.REVOKED):
        session.add(
            Penalty(
                business_id=business.id,
                kind="suspension"
                if shop.certificate is CertificateStatus.SUSPENDED
                else "revocation",
                note="demo",
                at=stamp,
                by=DEMO_ACTOR,
            )
        )
    for number in (shop.certificate_id, shop.application_id):
        prefix, year, value = _sequence(number)
        await reserve_at_least(session, prefix, year, value)
    record_status_change(
        session,
        subject_type=SubjectType.CERTIFICATE,
        subject_id=shop.certificate_id,
        owner=DEMO_OWNER,
        old_status=None,
        new_status=stored_status,
        actor=DEMO_ACTOR,
        note="demo data",
    )


def _complaint(
    session: AsyncSession,
    shop: DemoShop,
    business: Business,
    day: date,
    number: int,
    status: ComplaintStatus,
) -> None:
    stamp = now()
    complaint_id = f"{COMPLAINT_PREFIX}-2025-{number:06d}"
    session.add(
        ComplaintRecord(
            id=complaint_id,
            owner_channel=DEMO_CONSUMER[0],
            owner_user_id=DEMO_CONSUMER[1],
            shop_reference=shop.facebook,
            shop_identifier_kind=IdentifierKind.FACEBOOK.value,
            shop_identifier_value=shop.facebook.rsplit("/", 1)[-1].replace(".", "").lower(),
            business_id=business.id,
            category=ComplaintCategory.NON_DELIVERY.value,
            description=f"Paid on {day.isoformat()}, parcel never arrived (demo).",
            amount=Decimal("25.00"),
            currency="USD",
            payment_method=PaymentMethod.BAKONG_KHQR.value,
            anonymous=False,
            status=status.value,
            created_at=stamp,
            updated_at=stamp,
        )
    )
    record_status_change(
        session,
        subject_type=SubjectType.COMPLAINT,
        subject_id=complaint_id,
        owner=DEMO_CONSUMER,
        old_status=None,
        new_status=status.value,
        actor=DEMO_ACTOR,
        note="demo data",
    )
