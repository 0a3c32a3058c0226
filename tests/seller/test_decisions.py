"""Decisions reach the applicant from the one consumer of the registry's status feed, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backend_client import ApplicationStatus, OfficerBackend, RegistryBackend
from bot.applications import decisions  # noqa: F401  (registers the feed handlers)
from bot.applications.feed import StatusFeedConsumer
from bot.applications.schedule import NoticeSchedule
from bot.clock import ManualClock
from bot.database import open_engine
from bot.i18n import format_long_date, use_locale
from bot.settings import Settings
from kb import KnowledgeBase
from tests.intake.samples import pdf
from tests.seller.conftest import OpenCore
from tests.seller.drivers import CoreDriver
from tests.seller.journeys import said
from tests.seller.recording import RecordingDeliver
from tests.seller.registry_data import certified, submitted


@pytest.fixture
async def engine(settings: Settings, backend: RegistryBackend) -> AsyncEngine:
    found = open_engine(settings.database_url)
    yield found  # type: ignore[misc]
    await found.dispose()


def _consumer(
    engine: AsyncEngine, backend: RegistryBackend, deliver: RecordingDeliver, clock: ManualClock
) -> StatusFeedConsumer:
    return StatusFeedConsumer(NoticeSchedule(engine), backend, deliver, clock=clock)


async def test_an_approval_is_told_once_with_the_certificate(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
    knowledge_base: KnowledgeBase,
    open_core: OpenCore,
) -> None:
    owner = ("telegram", "5001")
    core = await open_core()
    await core.set_language(*owner, "en")
    application_id, certificate_id = await certified(backend, officer, owner, "lotus")
    deliver = RecordingDeliver(engine)
    consumer = _consumer(engine, backend, deliver, clock)
    assert await consumer.run_once() >= 3  # created, submitted, approved (+ the certificate)
    (approval,) = deliver.to("5001")
    certificate = await officer.get_certificate(certificate_id)
    text = approval.text
    with use_locale("en"):
        until = format_long_date(certificate.valid_until)
        since = format_long_date(certificate.valid_from)
    assert application_id in text and certificate_id in text
    assert since in text and until in text
    assert "facebook.com/lotusshopdemo" in text and "t.me/lotusshop_demo" in text
    assert knowledge_base.obligations[1].en in text  # where the mark may and may not be shown
    assert approval.dedupe_key is not None and approval.dedupe_key.startswith("status:")
    # Nothing is told twice: not on the next round, nor by a new process.
    assert await consumer.run_once() == 0
    assert await _consumer(engine, backend, deliver, clock).run_once() == 0
    assert len(deliver.to("5001")) == 1


async def test_two_processes_never_handle_the_same_change(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
) -> None:
    for number in range(3):
        await certified(backend, officer, ("telegram", f"61{number}"), f"twin{number}")
    deliver = RecordingDeliver(engine)
    first = _consumer(engine, backend, deliver, clock)
    second = _consumer(engine, backend, deliver, clock)
    await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
    keys = [c.dedupe_key for c in deliver.calls]
    assert len(keys) == 3 and len(set(keys)) == 3
    # When the holder dies, the lease runs out and the other process goes on.
    await certified(backend, officer, ("telegram", "619"), "later")
    clock.advance(timedelta(minutes=2))
    assert await second.run_once() > 0
    assert len(deliver.to("619")) == 1


async def test_a_rejection_gives_the_reason_and_how_to_apply_again(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
    open_core: OpenCore,
) -> None:
    owner = ("telegram", "5002")
    core = await open_core()
    await core.set_language(*owner, "km")
    application_id = await submitted(backend, owner, "jasmine")
    await officer.reject_application(application_id, officer="dara", reason="ទំព័រហ្វេសប៊ុកមិនមែនរបស់អ្នក")
    deliver = RecordingDeliver(engine)
    await _consumer(engine, backend, deliver, clock).run_once()
    (rejection,) = deliver.to("5002")
    assert application_id in rejection.text and "ទំព័រហ្វេសប៊ុកមិនមែនរបស់អ្នក" in rejection.text
    again = (
        "You can apply again once this is fixed: tap “Apply”, and I will start a new application."
    )
    assert said("km", again) in rejection.text
    assert "i:apply" in rejection.payloads


async def test_old_changes_are_not_announced_but_renewals_are_still_scheduled(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
) -> None:
    _application, certificate_id = await certified(backend, officer, ("telegram", "5003"), "old")
    clock.advance(timedelta(days=10))
    deliver = RecordingDeliver(engine)
    schedule = NoticeSchedule(engine)
    await StatusFeedConsumer(schedule, backend, deliver, clock=clock).run_once()
    assert deliver.to("5003") == []
    outcomes = await schedule.outcomes()
    assert sum(1 for key in outcomes if certificate_id in key) == 4


async def test_more_information_reopens_exactly_the_items_and_resubmits_the_same_application(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
    open_core: OpenCore,
) -> None:
    owner = ("test", "5004")
    driver = await CoreDriver(open_core, owner[1], owner[0]).start()
    assert driver.chat is not None
    await driver.chat.core.set_language(*owner, "en")
    application_id = await submitted(backend, owner, "orchid")
    await officer.start_review(application_id, officer="dara")
    await officer.request_more_information(
        application_id,
        officer="dara",
        note="Your payment page does not load.\nItems: criterion 4, document (b)",
    )
    deliver = RecordingDeliver(engine)
    await _consumer(engine, backend, deliver, clock).run_once()
    review_notice, request = deliver.to("5004")
    assert application_id in review_notice.text
    assert "criterion 4 (Offers secure payment methods)" in request.text
    assert "document (b) Business registration certificate" in request.text
    reopen = f"apl:info:{application_id}"
    assert reopen in request.payloads

    await driver.chat.press_payload(reopen)
    assert "Your payment page does not load." in driver.text()
    assert said("en", "Step {step} of {total}", step=1, total=2) in driver.text()
    assert "Criterion 4 of 9" in driver.text()
    assert "Already sent: 1 link." in driver.text()
    await driver.say("https://orchid.example.com/payment-new")
    await driver.press("apr:!done:c4")
    assert said("en", "Step {step} of {total}", step=2, total=2) in driver.text()
    await driver.send_file(pdf(1), "licence.pdf", "application/pdf", "file")
    await driver.press("apr:!done:db")
    review = driver.text()
    assert "1. Criterion 4" in review and "2. Document (b)" in review and "3." not in review
    await driver.press("apr:!declare")
    await driver.press("apr:!submit")
    assert application_id in driver.text()

    (application,) = await officer.list_applications()
    assert application.application_id == application_id
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.answers["criterion_4"].splitlines() == [
        "https://orchid.example.com/4",
        "https://orchid.example.com/payment-new",
    ]
    assert application.answers["criterion_5"] == "https://orchid.example.com/5"
    assert {(e.criterion, e.document) for e in application.evidence} == {(1, None), (None, "b")}
    assert application.business_name == "Orchid Shop"  # untouched
