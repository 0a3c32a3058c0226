"""The application wizard through the conversation core, in Khmer and English."""

from __future__ import annotations

import pytest

from backend_client import ApplicationStatus, OfficerBackend
from bot.core import ConversationCore
from tests.seller.conftest import OpenCore
from tests.seller.drivers import CoreDriver
from tests.seller.journeys import Applicant, Files, full_application


async def _driver(open_core: OpenCore, locale: str, user: str) -> CoreDriver:
    driver = await CoreDriver(open_core, user, "test").start()
    assert driver.chat is not None
    core: ConversationCore = driver.chat.core
    await core.set_language("test", user, locale)
    return driver


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_a_complete_application_reaches_the_registry_once(
    open_core: OpenCore, officer: OfficerBackend, locale: str
) -> None:
    applicant = Applicant(tag=f"core{locale}")
    files = Files()
    driver = await _driver(open_core, locale, f"seller-{locale}")
    reference = await full_application(driver, locale, applicant, files)

    (application,) = await officer.list_applications()
    assert application.application_id == reference
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.owner == ("test", f"seller-{locale}")
    assert application.business_name == applicant.name
    assert application.business_name_km == applicant.name_km
    assert application.address == applicant.new_address
    assert application.phone == "+85512345678"
    assert application.email == applicant.email
    assert application.registration_no == applicant.registration
    assert str(application.registered_on) == "2024-03-15"
    assert application.activity_type == "online_retail"
    assert application.code_of_conduct_declared
    assert application.fee_quoted == 100
    assert {f"{i.kind.value}:{i.value}" for i in application.identifiers} == {
        f"facebook:{applicant.tag}shopdemo",
        f"telegram:{applicant.tag}shop_demo",
        f"payment:{applicant.wallet}",
    }
    evidence = {(e.criterion, e.document, e.mime_type) for e in application.evidence}
    assert evidence == {
        (1, None, "image/jpeg"),
        (2, None, "image/png"),
        (3, None, "application/pdf"),
        (6, None, "image/jpeg"),
        (None, "b", "application/pdf"),
    }
    answers = application.answers
    assert answers["criterion_1"] == applicant.link("contact")
    assert "notebook" in answers["criterion_2"]
    for number, page in ((4, "payment"), (5, "privacy"), (7, "disputes"), (8, "returns")):
        assert answers[f"criterion_{number}"] == applicant.link(page)
    assert answers["criterion_9"] == applicant.link("code-of-conduct")
    # Each stored file is the cleaned one: the photo's GPS is gone, so its bytes differ.
    photo = await officer.get_evidence(
        next(e.evidence_id for e in application.evidence if e.criterion == 1)
    )
    assert photo.data != files.photo and photo.data[:2] == b"\xff\xd8"

    # A second tap on submit (or a retried turn) creates nothing more.
    await driver.chat.press_payload("app:!submit")  # type: ignore[union-attr]
    assert reference in driver.text()
    assert len(await officer.list_applications()) == 1
