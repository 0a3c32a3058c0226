"""The public register's read of one certificate, on every backend (embedded SQLite and
PostgreSQL, HTTP client against the reference server): what a badge's QR code opens."""

from __future__ import annotations

import json
from datetime import timedelta

import aiohttp
import pytest

from backend_client import (
    CertificateStatus,
    ComplaintCategory,
    ComplaintDraft,
    ComplaintStatus,
    IdentifierKind,
    NotFound,
)
from registry.clock import add_years, today
from tests.backend.conftest import Registry
from tests.backend.support import BOT_TOKEN, ServerProcess, certified_shop, new_owner


async def test_a_certificate_as_the_public_sees_it(registry: Registry) -> None:
    _, shop, _, certificate_id = await certified_shop(registry.bot, registry.officer)
    view = await registry.bot.get_public_certificate(certificate_id)
    assert view.certificate.certificate_id == certificate_id
    assert view.certificate.status is CertificateStatus.VALID
    assert (view.name, view.name_km) == (shop.name, f"សុខា ហ្វេសិន {shop.tag}")
    assert view.certificate.valid_from == today()
    assert view.certificate.valid_until == add_years(today(), 2) - timedelta(days=1)
    assert {(i.kind, i.value) for i in view.certificate.covered_identifiers} == {
        (IdentifierKind.FACEBOOK, f"sokhafashion{shop.tag}"),
        (IdentifierKind.TELEGRAM, f"sokha_{shop.tag}"),
        (IdentifierKind.PHONE, shop.phone_e164),
    }
    assert (view.verified_complaints, view.blacklisted) == (0, False)
    written_loosely = f" {certificate_id.lower()} "
    assert await registry.bot.get_public_certificate(written_loosely) == view


async def test_status_changes_show_at_once(registry: Registry) -> None:
    _, _, _, certificate_id = await certified_shop(registry.bot, registry.officer)
    until = today() + timedelta(days=14)
    await registry.officer.suspend_certificate(
        certificate_id, until=until, officer="dara", reason="refund complaints"
    )
    suspended = (await registry.bot.get_public_certificate(certificate_id)).certificate
    assert (suspended.status, suspended.suspended_until) == (CertificateStatus.SUSPENDED, until)
    await registry.officer.revoke_certificate(certificate_id, officer="dara", reason="fraud")
    revoked = (await registry.bot.get_public_certificate(certificate_id)).certificate
    assert (revoked.status, revoked.revoked_on) == (CertificateStatus.REVOKED, today())


async def test_only_verified_complaints_count_and_blacklisting_shows(registry: Registry) -> None:
    bot, officer = registry.bot, registry.officer
    _, shop, _, certificate_id = await certified_shop(bot, officer)
    filed = []
    for _ in range(3):
        complaint = await bot.file_complaint(
            new_owner("messenger"),
            ComplaintDraft(shop.facebook, ComplaintCategory.NON_DELIVERY, "nothing arrived"),
        )
        filed.append(complaint.complaint_id)
    assert (await bot.get_public_certificate(certificate_id)).verified_complaints == 0
    await officer.update_complaint_status(
        filed[0], ComplaintStatus.FORWARDED_TO_BUSINESS, officer="sophea"
    )
    await officer.update_complaint_status(filed[1], ComplaintStatus.REJECTED, officer="sophea")
    assert (await bot.get_public_certificate(certificate_id)).verified_complaints == 1
    await officer.blacklist_shop(shop.telegram, officer="dara", reason="misuse of the mark")
    assert (await bot.get_public_certificate(certificate_id)).blacklisted is True


@pytest.mark.parametrize("number", ["CETS-2031-999999", "CETS-2025", "APP-2025-000001", "x/../y"])
async def test_a_number_never_issued_is_not_found(registry: Registry, number: str) -> None:
    with pytest.raises(NotFound):
        await registry.bot.get_public_certificate(number)


async def test_no_owner_or_complainant_data_on_the_wire(
    registry: Registry, reference_server: ServerProcess
) -> None:
    if registry.kind != "http":
        pytest.skip("checks the HTTP body; the dataclass has no such fields on any backend")
    owner, shop, _, certificate_id = await certified_shop(registry.bot, registry.officer)
    complainant = new_owner("messenger")
    complaint = await registry.bot.file_complaint(
        complainant,
        ComplaintDraft(shop.facebook, ComplaintCategory.FRAUD, "took 40 USD by KHQR"),
    )
    await registry.officer.update_complaint_status(
        complaint.complaint_id, ComplaintStatus.FORWARDED_TO_BUSINESS, officer="sophea"
    )
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{reference_server.url}/v1/certificates/{certificate_id}",
            headers={"Authorization": f"Bearer {BOT_TOKEN}"},
        ) as response,
    ):
        assert response.status == 200
        text = await response.text()
    body = json.loads(text)
    assert body["verified_complaints"] == 1
    for private in (owner.user_id, complainant.user_id, complaint.complaint_id, "took 40 USD"):
        assert private not in text
    assert "owner" not in text
