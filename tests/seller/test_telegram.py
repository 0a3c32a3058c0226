"""The seller's journey over the Telegram webhook (fake Bot API), in Khmer and English."""

from __future__ import annotations

import pytest

from backend_client import ApplicationStatus, OfficerBackend
from tests.seller.journeys import Applicant, Files, full_application, said
from tests.seller.telegram_driver import TelegramDriver
from tests.telegram.conftest import (  # the bot started for real, as the Telegram tests do
    StartBot,
    fake_api,
    nlu_cache_root,
    start_bot,
    telegram_env,
)
from tests.telegram.fake_bot_api import FakeBotApi

__all__ = ["fake_api", "nlu_cache_root", "start_bot", "telegram_env"]


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_a_complete_application_over_telegram(
    start_bot: StartBot, fake_api: FakeBotApi, officer: OfficerBackend, locale: str
) -> None:
    driver = await TelegramDriver(start_bot, fake_api, "en" if locale == "en" else None).start()
    # The seller picks the language once: links and Latin names typed later must not switch it
    # (main's language detection still counts the words of a link; see the report).
    await driver.say("/language")
    await driver.press(f"lang:{locale}")
    applicant = Applicant(tag=f"tg{locale}")
    reference = await full_application(driver, locale, applicant, Files())
    assert (
        said(
            locale,
            "Thank you, your application is sent. Your reference: {reference}.",
            reference=reference,
        )
        in driver.text()
    )
    (application,) = await officer.list_applications()
    assert application.application_id == reference
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.owner.channel == "telegram"
    assert application.address == applicant.new_address
    assert len(application.evidence) == 5
    assert {e.criterion for e in application.evidence} == {1, 2, 3, 6, None}
    assert sorted(application.answers) == [f"criterion_{n}" for n in (1, 2, 4, 5, 7, 8, 9)]


async def test_the_phone_can_be_shared_with_one_tap(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    driver = await TelegramDriver(start_bot, fake_api, "en").start()
    await driver.say("apply")
    await driver.press("app:cat:individual")
    await driver.press("app:!skip:reg")
    await driver.say("ហាងសុខា")
    await driver.say("Sokha Shop")
    await driver.say("#23, Street 271, Phnom Penh")
    sent = driver.last
    share = [c for c in sent if (c.params.get("reply_markup") or {}).get("keyboard")]
    assert len(share) == 1
    (row,) = share[0].params["reply_markup"]["keyboard"]
    assert row[0]["request_contact"] is True and "Share my phone number" in row[0]["text"]
    assert share[0].params["reply_markup"]["one_time_keyboard"] is True
    assert "Which phone number can the Ministry call you on?" in driver.text()
    await driver.share_phone("+855 12 345 678")
    assert "Your e-mail address?" in driver.text()
