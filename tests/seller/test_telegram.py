"""The seller's journey over the Telegram webhook (fake Bot API), in Khmer and English."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from backend_client import ApplicationStatus, OfficerBackend, RegistryBackend
from bot.app_keys import RUNTIME_KEY
from kb import KnowledgeBase
from tests.seller.journeys import Applicant, Files, full_application, said
from tests.seller.registry_data import submitted
from tests.seller.telegram_driver import TelegramDriver
from tests.telegram.conftest import (  # the bot started for real, as the Telegram tests do
    RunningBot,
    StartBot,
    fake_api,
    new_user,
    nlu_cache_root,
    start_bot,
    telegram_env,
    texts,
)
from tests.telegram.fake_bot_api import FakeBotApi

__all__ = ["fake_api", "nlu_cache_root", "start_bot", "telegram_env"]


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_a_complete_application_over_telegram(
    start_bot: StartBot, fake_api: FakeBotApi, officer: OfficerBackend, locale: str
) -> None:
    driver = await TelegramDriver(start_bot, fake_api, "en" if locale == "en" else None).start()
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


def _qr_texts(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


async def _decisions_told(bot: RunningBot) -> None:
    runtime = bot.app[RUNTIME_KEY]
    await runtime.seller.feed.run_once()
    await runtime.deliveries.wait_idle()


async def test_an_approval_brings_the_certificate_and_a_badge_whose_qr_opens_the_check(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    backend: RegistryBackend,
    officer: OfficerBackend,
    knowledge_base: KnowledgeBase,
) -> None:
    bot = await start_bot(TELEGRAM_BOT_USERNAME="cets_test_bot")
    user = new_user(bot, "en")
    await user.say(user.text("hello"))
    owner = ("telegram", str(user.user_id))
    application_id = await submitted(backend, owner, "lotus")
    await officer.start_review(application_id, officer="dara")
    approved = await officer.approve_application(application_id, officer="dara")
    certificate_id = approved.certificate_id
    assert certificate_id is not None
    await _decisions_told(bot)

    sent = user.new_messages()
    told = "\n".join(texts(sent))
    assert f"Your application {application_id} is now being reviewed" in told
    assert f"Congratulations! Your application {application_id} is approved." in told
    assert f"Certificate: {certificate_id}" in told
    assert knowledge_base.obligations[1].en in told  # on pages and marketing, not on goods
    link = f"https://t.me/cets_test_bot?start=cert_{certificate_id}"
    assert link in told
    (badge,) = [call for call in sent if call.method == "sendDocument"]
    png = badge.params["document"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert _qr_texts(png) == [link]
    assert "Its QR code opens the live check." in str(badge.params.get("caption"))

    # The deep link in the QR code opens that certificate's live verification.
    shown = await user.say(user.text(f"/start cert_{certificate_id}"))
    assert "Certified (CETS) until" in "\n".join(texts(shown))
    # Restarted, the bot tells nothing twice.
    await bot.stop()
    again = await start_bot(TELEGRAM_BOT_USERNAME="cets_test_bot")
    user.bot = again
    await _decisions_told(again)
    assert user.new_messages() == []


async def test_a_rejection_and_a_request_for_information_over_telegram(
    start_bot: StartBot,
    fake_api: FakeBotApi,
    backend: RegistryBackend,
    officer: OfficerBackend,
) -> None:
    bot = await start_bot()
    driver = TelegramDriver(start_bot, fake_api, "en")
    driver.bot = bot
    driver.user = new_user(bot, "en")
    await driver.say("hello")
    owner = ("telegram", str(driver.user.user_id))
    rejected = await submitted(backend, owner, "basil")
    await officer.reject_application(rejected, officer="dara", reason="The page is not yours.")
    asked = await submitted(backend, owner, "thyme")
    await officer.start_review(asked, officer="dara")
    await officer.request_more_information(
        asked, officer="dara", note="The refund policy link is broken.\nItems: criterion 8"
    )
    await _decisions_told(bot)
    told = "\n".join(texts(driver.user.new_messages()))
    assert f"Your application {rejected} was not approved." in told
    assert "The officer's reason: The page is not yours." in told
    assert f"The Ministry needs more information for your application {asked}." in told
    assert "What to add: criterion 8 (Has a clear, fair returns and refund policy)." in told

    await driver.press_anywhere(f"apl:info:{asked}")
    assert "Step 1 of 1" in driver.text() and "Criterion 8 of 9" in driver.text()
    await driver.say("https://thyme.example.com/refunds")
    await driver.press("apr:!done:c8")
    await driver.press("apr:!declare")
    await driver.press("apr:!submit")
    assert f"{asked} is back with the officers" in driver.text()
    resubmitted = await officer.get_application(asked)
    assert resubmitted.status is ApplicationStatus.SUBMITTED
    assert resubmitted.answers["criterion_8"].splitlines() == [
        "https://thyme.example.com/8",
        "https://thyme.example.com/refunds",
    ]
    assert len(await officer.list_applications()) == 2
