"""Applications made straight through the registry, for tests about what happens after submit."""

from __future__ import annotations

from decimal import Decimal

from backend_client import (
    CRITERIA,
    ApplicationDraft,
    BusinessCategory,
    EvidenceItem,
    OfficerBackend,
    RegistryBackend,
)
from tests.intake.samples import encode, picture

PHOTO = encode(picture(120, 90, seed=11), "PNG")


def draft(tag: str) -> ApplicationDraft:
    """A complete application of shop ``tag`` (links for criteria 2-9)."""
    return ApplicationDraft(
        business_name=f"{tag.title()} Shop",
        business_name_km="ហាងសុខា",
        category=BusinessCategory.SOLE_PROPRIETORSHIP,
        registration_no=f"EC-2024-{abs(hash(tag)) % 1000000:06d}",
        address="#12, St. 271, Phnom Penh",
        phone="012 345 678",
        email="owner@example.com",
        activity_type="online_retail",
        identifiers=(f"facebook.com/{tag}shop.demo", f"t.me/{tag}shop_demo"),
        code_of_conduct_declared=True,
        answers={f"criterion_{n}": f"https://{tag}.example.com/{n}" for n in CRITERIA[1:]},
    )


async def submitted(backend: RegistryBackend, owner: tuple[str, str], tag: str) -> str:
    """A submitted application of ``owner``: its id."""
    application = await backend.create_application(owner, draft(tag), fee_quoted=Decimal("100"))
    await backend.attach_evidence(
        owner,
        application.application_id,
        EvidenceItem("storefront.png", "image/png", PHOTO, criterion=1),
    )
    await backend.submit_application(owner, application.application_id)
    return application.application_id


async def certified(
    backend: RegistryBackend, officer: OfficerBackend, owner: tuple[str, str], tag: str
) -> tuple[str, str]:
    """An approved application of ``owner``: (application id, certificate id)."""
    application_id = await submitted(backend, owner, tag)
    approved = await officer.approve_application(application_id, officer="dara")
    assert approved.certificate_id is not None
    return application_id, approved.certificate_id
