"""A shorter application over the Messenger webhook (fake Graph API), and a decision told to a
user 25 hours after their last message: held for their next message, or a utility template,
never a retired message tag."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend_client import ApplicationStatus, OfficerBackend
from bot.app_keys import RUNTIME_KEY
from tests.messenger.conftest import StartBot, graph, messenger_env, start_bot
from tests.messenger.fake_graph_api import RETIRED_TAGS
from tests.messenger.harness import MessengerBot
from tests.messenger.seen import assert_one_language, message_texts
from tests.messenger.test_notifications import last_wrote
from tests.seller.journeys import REFERENCE, Applicant, Files, said, short_application
from tests.seller.messenger_driver import MessengerDriver

__all__ = ["graph", "messenger_env", "start_bot"]


async def _decisions_told(bot: MessengerBot) -> None:
    runtime = bot.app[RUNTIME_KEY]
    await runtime.seller.feed.run_once()
    await runtime.deliveries.wait_idle()


def _no_retired_tag(bot: MessengerBot) -> None:
    assert not [c for c in bot.graph.calls if c.body.get("tag") in RETIRED_TAGS]


@pytest.mark.parametrize("locale", ["km", "en"])
async def test_a_shorter_application_over_messenger(
    start_bot: StartBot, officer: OfficerBackend, locale: str
) -> None:
    driver = await MessengerDriver(start_bot, f"72000000000000{locale == 'en':02d}").start()
    await driver.say({"km": "សួស្តី", "en": "hello"}[locale])
    answer = await short_application(driver, locale, Applicant(tag=f"fb{locale}"), Files())
    found = REFERENCE.search(answer)
    assert found is not None, answer
    assert said(locale, "Fee ({category}): {amount} {validity}.").split("{")[0] in answer
    (application,) = await officer.list_applications()
    assert application.application_id == found.group(0)
    assert application.owner == ("messenger", driver.psid)
    assert application.status is ApplicationStatus.SUBMITTED
    assert [e.criterion for e in application.evidence] == [1]
    assert driver.bot is not None
    _no_retired_tag(driver.bot)
    if locale == "km":
        assert_one_language(driver.last, "km")


async def _approved_25_hours_later(
    start_bot: StartBot, officer: OfficerBackend, psid: str, **env: str
) -> tuple[MessengerBot, str]:
    bot = await start_bot(
        TELEGRAM_BOT_USERNAME="cets_test_bot", MESSENGER_PAGE_USERNAME="cetspage", **env
    )
    driver = MessengerDriver(start_bot, psid)
    driver.bot = bot
    await driver.say("hello")
    answer = await short_application(driver, "en", Applicant(tag=f"late{psid[-2:]}"), Files())
    found = REFERENCE.search(answer)
    assert found is not None
    application_id = found.group(0)
    await officer.start_review(application_id, officer="dara")
    approved = await officer.approve_application(application_id, officer="dara")
    assert approved.certificate_id is not None
    await last_wrote(bot, psid, timedelta(hours=25))
    return bot, approved.certificate_id


async def test_a_decision_25_hours_later_waits_for_the_users_next_message(
    start_bot: StartBot, officer: OfficerBackend
) -> None:
    psid = "7200000000000011"
    bot, certificate_id = await _approved_25_hours_later(start_bot, officer, psid)
    before = len(bot.graph.calls)
    await _decisions_told(bot)
    assert bot.graph.send_calls(psid)[len(bot.graph.send_calls(psid)) :] == []
    assert [c for c in bot.graph.calls[before:] if c.path == "me/messages"] == []
    # The seller writes again: the answer, then what was held, told once.
    shown = message_texts(await bot.say(psid, "how much is the fee for a sole proprietorship?"))
    told = "\n".join(shown)
    assert "$100" in shown[0]
    assert "is now being reviewed" in told
    assert f"Certificate: {certificate_id}" in told
    assert f"https://m.me/cetspage?ref=cert_{certificate_id}" in told
    uploads = [c for c in bot.graph.send_calls(psid)[-6:] if c.message == {} or c.upload]
    assert uploads, "the badge is uploaded"
    assert all("tag" not in c.body for c in bot.graph.send_calls(psid))
    _no_retired_tag(bot)
    assert f"Certificate: {certificate_id}" not in "\n".join(
        message_texts(await bot.say(psid, "thanks"))
    )


async def test_a_decision_25_hours_later_goes_as_a_utility_template_when_configured(
    start_bot: StartBot, officer: OfficerBackend
) -> None:
    psid = "7200000000000012"
    bot, certificate_id = await _approved_25_hours_later(
        start_bot,
        officer,
        psid,
        MESSENGER_UTILITY_TEMPLATE="cets_status_update",
        MESSENGER_UTILITY_TEMPLATE_LANGUAGES="km=km,en=en_US",
    )
    before = len(bot.graph.send_calls(psid))
    await _decisions_told(bot)
    sent = bot.graph.send_calls(psid)[before:]
    assert sent and all(c.body["messaging_type"] == "UTILITY" for c in sent)
    assert all("tag" not in c.body for c in sent)
    bodies = [str(c.message) for c in sent]
    assert any(certificate_id in body for body in bodies)
    _no_retired_tag(bot)
