"""What the complaint wizard records, on every backend: date, provider, links, contact consent,
the name shown to the seller only when agreed, and no complainant data in any shop verdict."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from backend_client import (
    ComplaintCategory,
    ComplaintDraft,
    EvidenceItem,
    NotFound,
    PaymentMethod,
    ValidationError,
)
from backend_client.wire import encode
from registry.clock import today
from tests.backend.conftest import Registry
from tests.backend.support import PNG, certified_shop, new_owner


async def test_the_wizards_details_are_kept_and_read_back(registry: Registry) -> None:
    bot, officer = registry.bot, registry.officer
    _, shop, _, _ = await certified_shop(bot, officer)
    consumer = new_owner("messenger")
    happened = today() - timedelta(days=2)
    complaint = await bot.file_complaint(
        consumer,
        ComplaintDraft(
            shop_reference=shop.facebook,
            category=ComplaintCategory.PERSONAL_DATA,
            description="They posted my phone number and address in their page's comments",
            amount=Decimal("12.5"),
            currency="USD",
            payment_method=PaymentMethod.BANK_TRANSFER,
            payment_provider="ABA",
            links=("https://www.facebook.com/post/123",),
            contact_allowed=True,
            complainant_name="Chan Dara",
            incident_date=happened,
            evidence=(EvidenceItem("chat.png", "image/png", PNG),),
        ),
    )
    for seen in (
        complaint,
        await bot.get_complaint(consumer, complaint.complaint_id),
        await officer.get_complaint(complaint.complaint_id),
    ):
        assert seen.category is ComplaintCategory.PERSONAL_DATA
        assert (seen.incident_date, seen.payment_provider) == (happened, "ABA")
        assert seen.links == ("https://www.facebook.com/post/123",)
        assert (seen.contact_allowed, seen.anonymous, seen.complainant_name) == (
            True,
            False,
            "Chan Dara",
        )


async def test_an_anonymous_complaint_never_carries_a_name(registry: Registry) -> None:
    draft = ComplaintDraft(
        shop_reference="@some_shop_anon",
        category=ComplaintCategory.FRAUD,
        description="Took the money and blocked me",
        anonymous=True,
        complainant_name="Sok Lina",
    )
    with pytest.raises(ValidationError) as refused:
        await registry.bot.file_complaint(new_owner(), draft)
    assert "complainant_name" in refused.value.fields


async def test_a_date_in_the_future_is_refused(registry: Registry) -> None:
    draft = ComplaintDraft(
        shop_reference="@some_shop_future",
        category=ComplaintCategory.NON_DELIVERY,
        description="Never came",
        incident_date=today() + timedelta(days=3),
    )
    with pytest.raises(ValidationError) as refused:
        await registry.bot.file_complaint(new_owner(), draft)
    assert refused.value.fields == ("incident_date",)


async def test_no_complainant_data_reaches_a_shop_verdict(registry: Registry) -> None:
    bot, officer = registry.bot, registry.officer
    _, shop, _, _ = await certified_shop(bot, officer)
    consumer = new_owner("telegram")
    complaint = await bot.file_complaint(
        consumer,
        ComplaintDraft(
            shop_reference=shop.telegram,
            category=ComplaintCategory.DEFECTIVE,
            description="The phone arrived broken; my number is 012 999 888",
            complainant_name="Keo Sophea",
            contact_allowed=True,
        ),
    )
    (match,) = await bot.find_shops(shop.telegram)
    assert match.shop.open_complaints == 1
    shown = json.dumps(encode(match), ensure_ascii=False)
    for private in ("Keo Sophea", consumer.user_id, "012 999 888", complaint.complaint_id):
        assert private not in shown
    with pytest.raises(NotFound):
        await bot.get_complaint(new_owner("telegram"), complaint.complaint_id)
