"""Renewal: reminders 60, 30 and 7 days before the end, each once (a restart or a second
process sends none twice), the end itself, and the short renewal form at 75% of the fee."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backend_client import ApplicationKind, ApplicationStatus, OfficerBackend, RegistryBackend
from bot.applications import decisions  # noqa: F401  (registers the feed handlers)
from bot.applications.feed import StatusFeedConsumer
from bot.applications.schedule import SERVICE, NoticeSchedule, NoticeSweeper, morning_of
from bot.clock import ManualClock
from bot.core import ConversationCore
from bot.database import open_engine
from bot.settings import Settings
from tests.seller.conftest import OpenCore
from tests.seller.drivers import CoreDriver
from tests.seller.journeys import Applicant, Files, said, short_application
from tests.seller.recording import RecordingDeliver
from tests.seller.registry_data import certified


@pytest.fixture
async def engine(settings: Settings, backend: RegistryBackend) -> AsyncIterator[AsyncEngine]:
    found = open_engine(settings.database_url)
    yield found
    await found.dispose()


def _at(moment: datetime, clock: ManualClock) -> None:
    clock.advance(moment - clock.now())


async def test_reminders_at_60_30_and_7_days_once_each_across_a_restart(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
    open_core: OpenCore,
) -> None:
    owner = ("telegram", "7001")
    core = await open_core()
    await core.set_language(*owner, "en")
    _application, certificate_id = await certified(backend, officer, owner, "kapok")
    valid_until = (await officer.get_certificate(certificate_id)).valid_until
    deliver = RecordingDeliver(engine)
    schedule = NoticeSchedule(engine)
    await StatusFeedConsumer(schedule, backend, deliver, clock=clock).run_once()
    assert len(deliver.to("7001")) == 1  # the approval

    sweeper = NoticeSweeper(schedule, backend, deliver, clock=clock)
    assert await sweeper.run_once() == 0  # nothing due yet
    seen = 1
    for days in (60, 30, 7):
        _at(morning_of(valid_until - timedelta(days=days)) + timedelta(minutes=1), clock)
        assert await sweeper.run_once() == 1
        assert await sweeper.run_once() == 0
        # A restarted process (or a second one) finds nothing more to send.
        assert await NoticeSweeper(schedule, backend, deliver, clock=clock).run_once() == 0
        calls = deliver.to("7001")
        assert len(calls) == seen + 1
        seen += 1
        reminder = calls[-1]
        assert f"ends in {days} days" in reminder.text and certificate_id in reminder.text
        assert f"rnw:{certificate_id}" in reminder.payloads
        assert reminder.dedupe_key == f"renewal:{certificate_id}:{valid_until}:{days}"
    _at(morning_of(valid_until + timedelta(days=1)) + timedelta(minutes=1), clock)
    assert await sweeper.run_once() == 1
    ended = deliver.to("7001")[-1]
    assert f"Your certificate {certificate_id} ended on" in ended.text
    assert f"rnw:{certificate_id}" in ended.payloads


async def test_after_a_long_downtime_only_the_most_urgent_reminder_is_sent(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
    open_core: OpenCore,
) -> None:
    owner = ("telegram", "7002")
    core = await open_core()
    await core.set_language(*owner, "en")
    _application, certificate_id = await certified(backend, officer, owner, "mango")
    valid_until = (await officer.get_certificate(certificate_id)).valid_until
    deliver = RecordingDeliver(engine)
    schedule = NoticeSchedule(engine)
    await StatusFeedConsumer(schedule, backend, deliver, clock=clock).run_once()
    _at(morning_of(valid_until - timedelta(days=20)), clock)
    assert await NoticeSweeper(schedule, backend, deliver, clock=clock).run_once() == 1
    assert "ends in 20 days" in deliver.to("7002")[-1].text
    outcomes = await schedule.outcomes()
    assert outcomes[f"renewal:{certificate_id}:{valid_until}:60"] == "obsolete"
    assert outcomes[f"renewal:{certificate_id}:{valid_until}:30"] == "sent"


async def test_the_renewal_form_asks_only_what_changed_and_quotes_75_percent(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
    open_core: OpenCore,
) -> None:
    owner = ("test", "7003")
    driver = await CoreDriver(open_core, owner[1], owner[0]).start()
    assert driver.chat is not None
    await driver.chat.core.set_language(*owner, "en")
    _application, certificate_id = await certified(backend, officer, owner, "durian")

    await driver.say("renew")
    assert certificate_id in driver.text()
    await driver.press(f"rnw:{certificate_id}")
    assert certificate_id in driver.text()
    await driver.press("ren:chg:yes")
    await driver.press("ren:what:contact")
    await driver.press("ren:!done:what")
    await driver.say("#99, Street 63, Boeung Keng Kang, Phnom Penh")
    await driver.say("012 999 888")
    await driver.press("ren:!skip:mail")
    review = driver.text()
    assert said("en", "Please check your answers:") in review
    assert "#99, Street 63" in review
    await driver.press("ren:!declare")
    await driver.press("ren:!submit")
    answer = driver.text()
    assert "Renewal fee (Sole proprietorship): $75" in answer and "75%" in answer

    renewal = next(
        a for a in await officer.list_applications() if a.kind is ApplicationKind.RENEWAL
    )
    assert renewal.application_id in answer
    assert renewal.status is ApplicationStatus.SUBMITTED
    assert renewal.renewal_of == certificate_id
    assert renewal.fee_quoted == 75
    assert renewal.address == "#99, Street 63, Boeung Keng Kang, Phnom Penh"
    assert renewal.phone == "+85512999888"
    assert renewal.business_name == "Durian Shop"  # unchanged, from the certificate's application
    assert renewal.email == "owner@example.com"

    # Approved: the renewal is told, and the new period gets its own reminders.
    before = (await officer.get_certificate(certificate_id)).valid_until
    await officer.approve_application(renewal.application_id, officer="dara")
    after = (await officer.get_certificate(certificate_id)).valid_until
    assert after > before
    deliver = RecordingDeliver(engine)
    schedule = NoticeSchedule(engine)
    await StatusFeedConsumer(schedule, backend, deliver, clock=clock).run_once()
    told = deliver.to("7003")[-1].text
    assert f"Your renewal {renewal.application_id} is approved." in told
    outcomes = await schedule.outcomes()
    assert f"renewal:{certificate_id}:{after}:60" in outcomes
    # The old period's reminders are found obsolete when their day comes.
    _at(morning_of(before - timedelta(days=30)) + timedelta(minutes=1), clock)
    assert await NoticeSweeper(schedule, backend, deliver, clock=clock).run_once() == 0


async def test_renewal_is_for_certificate_holders(open_core: OpenCore) -> None:
    driver = await CoreDriver(open_core, "7004", "test").start()
    assert driver.chat is not None
    await driver.chat.core.set_language("test", "7004", "en")
    await driver.say("renew")
    assert "75%" in driver.text() and "rnw:" not in " ".join(driver.payloads())
    await driver.chat.press_payload("rnw:CETS-2025-000001")
    assert "Only the holder of a certificate can renew it here." in driver.text()


def test_reminders_go_out_in_the_morning_in_phnom_penh() -> None:
    assert morning_of(date(2028, 5, 15)) == datetime(2028, 5, 15, 2, 0, tzinfo=UTC)


async def _missing_reminder_chat(
    open_core: OpenCore, engine: AsyncEngine, user: str
) -> tuple[CoreDriver, NoticeSchedule]:
    schedule = NoticeSchedule(engine)

    async def open_with_schedule() -> ConversationCore:
        core = await open_core()
        core.services[SERVICE] = schedule
        return core

    driver = await CoreDriver(open_with_schedule, user, "test").start()
    assert driver.chat is not None
    await driver.chat.core.set_language("test", user, "en")
    answer = await short_application(
        driver, "en", Applicant(tag=f"miss{user[-1]}"), Files(), not_yet=(6,)
    )
    assert "Your application is saved, but every criterion needs evidence first." in answer
    assert "Still missing: criterion 6." in answer and "app:!edit:c6" in driver.payloads()
    return driver, schedule


async def test_evidence_still_missing_is_reminded_once_after_a_few_days(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
    open_core: OpenCore,
) -> None:
    _driver, schedule = await _missing_reminder_chat(open_core, engine, "7101")
    deliver = RecordingDeliver(engine)
    sweeper = NoticeSweeper(schedule, backend, deliver, clock=clock)
    assert await sweeper.run_once() == 0
    clock.advance(timedelta(days=3, minutes=1))
    assert await sweeper.run_once() == 1
    assert await NoticeSweeper(schedule, backend, deliver, clock=clock).run_once() == 0
    (reminder,) = deliver.to("7101")
    assert "Your trustmark application is waiting for: criterion 6" in reminder.text
    assert "app:!resume" in reminder.payloads
    assert await officer.list_applications() == ()


async def test_no_reminder_once_the_evidence_was_added(
    engine: AsyncEngine,
    backend: RegistryBackend,
    officer: OfficerBackend,
    clock: ManualClock,
    open_core: OpenCore,
) -> None:
    driver, schedule = await _missing_reminder_chat(open_core, engine, "7102")
    await driver.press("app:!edit:c6")
    await driver.say("https://miss2.example.com/reviews")
    await driver.press("app:!done:c6")
    await driver.press("app:!declare")
    await driver.press("app:!submit")
    assert "Your reference: APP-" in driver.text()
    deliver = RecordingDeliver(engine)
    clock.advance(timedelta(days=3, minutes=1))
    assert await NoticeSweeper(schedule, backend, deliver, clock=clock).run_once() == 0
    assert deliver.calls == []
    assert list((await schedule.outcomes()).values()) == ["obsolete"]
