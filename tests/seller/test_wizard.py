"""The application wizard through the conversation core, in Khmer and English."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

import pytest

from backend_client import (
    ApplicationStatus,
    BusinessCategory,
    BusinessRecord,
    Identifier,
    IdentifierKind,
    OfficerBackend,
    RegistryBackend,
)
from backend_client.http_client import HttpRegistryBackend
from backend_client.transport import RetryPolicy
from bot.backend_outbox import BackendOutbox
from bot.clock import ManualClock
from bot.core import ConversationCore
from bot.database import open_engine
from bot.dialogue.store import ConversationStore
from bot.intake import FileIntake, FileLimits
from bot.settings import Settings
from kb import KnowledgeBase
from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu
from tests.backend.support import BOT_TOKEN, start_reference_server
from tests.intake.samples import encode, picture
from tests.khqr.codes import Khqr, png, qr_image
from tests.seller.conftest import OpenCore
from tests.seller.drivers import CoreDriver
from tests.seller.journeys import (
    WRITTEN,
    Applicant,
    Files,
    full_application,
    short_application,
)
from tests.seller.language import bot_words_not_khmer
from tests.seller.recording import RecordingDeliver
from tests.seller.registry_data import certified, submitted


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
    assert answers["criterion_2"] == WRITTEN[locale]
    for number, page in ((4, "payment"), (5, "privacy"), (7, "disputes"), (8, "returns")):
        assert answers[f"criterion_{number}"] == applicant.link(page)
    assert answers["criterion_9"] == applicant.link("code-of-conduct")
    # Each stored file is the cleaned one: the photo's GPS is gone, so its bytes differ.
    photo = await officer.get_evidence(
        next(e.evidence_id for e in application.evidence if e.criterion == 1)
    )
    assert photo.data != files.photo and photo.data[:2] == b"\xff\xd8"

    if locale == "km":
        typed = [
            applicant.name,
            applicant.address,
            applicant.new_address,
            applicant.email,
            WRITTEN[locale],
            WRITTEN[locale][:57] + "...",
            *(f"{name}" for name in ("contact-page.jpg", "orders.png", "warranty.pdf")),
            *("registration.pdf", "reviews.jpg"),
        ]
        assert bot_words_not_khmer(driver.chat.transcript, typed) == []  # type: ignore[union-attr]

    # A second tap on submit (or a retried turn) creates nothing more.
    await driver.chat.press_payload("app:!submit")  # type: ignore[union-attr]
    assert reference in driver.text()
    assert len(await officer.list_applications()) == 1


async def test_a_registered_business_is_recognised_and_its_data_offered(
    open_core: OpenCore, officer: OfficerBackend
) -> None:
    await officer.import_businesses(
        [
            BusinessRecord(
                registration_no="EC-2024-000106",
                name="Kampot Pepper Online",
                name_km="ម្រេចកំពត អនឡាញ",
                category=BusinessCategory.SOLE_PROPRIETORSHIP,
                identifiers=(Identifier(IdentifierKind.FACEBOOK, "kampotpepper.demo"),),
            )
        ],
        officer="dara",
    )
    driver = await _driver(open_core, "en", "registered")
    await driver.say("apply")
    await driver.press("app:cat:sole_proprietorship")
    await driver.say("ec-2024-000106")
    assert "I found your business in the register: ម្រេចកំពត អនឡាញ / Kampot Pepper Online" in (
        driver.text()
    )
    await driver.say("10/01/2024")
    assert "The register has: ម្រេចកំពត អនឡាញ." in driver.text()
    await driver.press("app:nkm:=")
    assert "The register has: Kampot Pepper Online." in driver.text()
    await driver.press("app:nen:=")
    await driver.say("Kampot Market, Kampot")
    await driver.say("012 345 606")
    await driver.press("app:!skip:mail")
    assert "facebook.com/kampotpepperdemo" in driver.text()  # the register's page, listed
    await driver.press("app:!done:ids")
    assert "app:act:online_retail" in driver.payloads()
    await driver.press("app:!save")
    await driver.say("my application")
    assert "Application in this chat: 9 of 25 questions answered, not sent yet." in driver.text()


async def test_without_a_registration_number_the_draft_is_kept_and_the_next_step_said(
    open_core: OpenCore, officer: OfficerBackend
) -> None:
    driver = await _driver(open_core, "en", "unregistered")
    await driver.say("apply")
    await driver.press("app:cat:individual")
    await driver.press("app:!skip:reg")
    prompt = driver.text()
    assert "Next step: get the e-commerce licence or permission letter" in prompt
    assert "What is the business name in Khmer script?" in prompt
    await driver.say("menu")
    await driver.say("my application")
    assert "Still missing: registration number." in driver.text()
    assert "app:!resume" in driver.payloads()
    assert await officer.list_applications() == ()


async def test_apply_now_after_the_eligibility_check_carries_its_answers(
    open_core: OpenCore,
) -> None:
    driver = await _driver(open_core, "en", "eligible")
    await driver.say("am I eligible?")
    await driver.press("elig:cat:legal_person")
    await driver.press("elig:act:intermediary")
    await driver.press("elig:ch:website")
    await driver.press("elig:reg:yes")
    assert "Yes, you are eligible." in driver.text()
    await driver.press("apl:e:legal_person:intermediary")
    assert "Your answer so far: Legal person (company)." in driver.text()
    await driver.press("app:cat:legal_person")
    assert driver.chat is not None
    flow = (await driver.chat.core._store.load("test", "eligible")).flows["app"]
    assert flow.answers["act"] == "marketplace"


async def test_status_lists_applications_and_certificates_with_the_next_button(
    open_core: OpenCore, officer: OfficerBackend, backend: RegistryBackend
) -> None:
    driver = await _driver(open_core, "en", "status-user")
    await driver.say("my application")
    assert "You have no application yet." in driver.text() and "i:apply" in driver.payloads()
    application_id, certificate_id = await certified(
        backend, officer, ("test", "status-user"), "pomelo"
    )
    second = await submitted(backend, ("test", "status-user"), "pomelo2")
    await officer.start_review(second, officer="dara")
    await officer.request_more_information(second, officer="dara", note="Items: criterion 8")
    await driver.say("status")
    text = driver.text()
    assert f"{application_id} (application): approved" in text
    assert f"Certificate {certificate_id}: valid until" in text
    assert f"{second} (application): more information needed" in text
    assert f"apl:info:{second}" in driver.payloads()
    assert f"apl:badge:{certificate_id}" in driver.payloads()


async def test_an_application_sent_while_the_registry_is_down_is_delivered_later(
    settings: Settings,
    nlu_engine: EmbeddedNlu,
    knowledge_base: KnowledgeBase,
    clock: ManualClock,
    officer: OfficerBackend,
) -> None:
    port = _free_port()
    backend = HttpRegistryBackend(
        f"http://127.0.0.1:{port}", BOT_TOKEN, retry=RetryPolicy(2, 0.05, 0.1)
    )
    engine = open_engine(settings.database_url)
    deliver = RecordingDeliver(engine)
    outbox = BackendOutbox(
        engine, backend, FileIntake(engine, FileLimits.from_env()), deliver=deliver, clock=clock
    )

    async def open_one() -> ConversationCore:
        core = ConversationCore(
            store=ConversationStore(engine),
            nlu=nlu_engine,
            kb=knowledge_base,
            settings=settings,
            backend=backend,
            clarify_threshold=CLARIFY_THRESHOLD,
            clock=clock,
        )
        core.services["backend_outbox"] = outbox
        return core

    server = None
    try:
        driver = await CoreDriver(open_one, "outage", "test").start()
        assert driver.chat is not None
        await driver.chat.core.set_language("test", "outage", "en")
        answer = await short_application(driver, "en", Applicant(tag="outage"), Files())
        assert (
            "Your application is saved and will be sent as soon as the registry answers." in answer
        )
        assert "Fee (Individual (natural person)): $50" in answer
        server = await asyncio.to_thread(start_reference_server, settings.database_url, port)
        clock.advance(timedelta(minutes=1))
        assert await outbox.run_due() == 1
        (application,) = await officer.list_applications()
        assert application.status is ApplicationStatus.SUBMITTED
        assert {e.criterion for e in application.evidence} == {1}
        (told,) = deliver.to("outage")
        assert application.application_id in told.text and "$50" in told.text
    finally:
        await backend.close()
        if server is not None:
            server.stop()
        await engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_payment_account_can_be_given_as_a_photo_of_its_khqr(
    open_core: OpenCore,
) -> None:
    driver = await _driver(open_core, "en", "khqr-seller")
    await driver.say("apply")
    await driver.press("app:cat:individual")
    await driver.press("app:!skip:reg")
    await driver.press("app:!skip:nkm")
    await driver.say("Dara Cakes")
    await driver.say("#8, Street 19, Phnom Penh")
    await driver.say("012 345 111")
    await driver.press("app:!skip:mail")
    code = Khqr(bakong_id="dara_cakes@aclb", name="DARA CAKES")
    await driver.send_file(png(qr_image(code.payload())), "khqr.png", "image/png", "image")
    assert "dara_cakes@aclb (KHQR: DARA CAKES)" in driver.text()
    await driver.send_file(encode(picture(seed=5), "PNG"), "cat.png", "image/png", "image")
    assert "I could not read a KHQR payment code in this picture." in driver.text()
    assert driver.chat is not None
    flow = (await driver.chat.core._store.load("test", "khqr-seller")).flows["app"]
    assert flow.answers["ids"] == [
        {
            "kind": "payment",
            "value": "dara_cakes@aclb",
            "display": "dara_cakes@aclb (KHQR: DARA CAKES)",
        }
    ]
