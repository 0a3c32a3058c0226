"""m.me links open a certificate's verification or an application; the reply language is the
script of the first message, Khmer by default, the profile locale only when allowed."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.messenger.conftest import StartBot, seed_registry
from tests.messenger.harness import MessengerBot, load_payload
from tests.messenger.seen import Json, assert_one_language, choices, message_texts

NEW_USER = "7012345678905555"  # the sender of postback_get_started_referral.json


def generic_elements(messages: list[Json]) -> list[Json]:
    return [
        element
        for message in messages
        for element in message.get("attachment", {}).get("payload", {}).get("elements", [])
    ]


@pytest.mark.parametrize(
    ("profile_locale", "locale", "name", "certified"),
    [
        (None, "km", "សុខា ហ្វេសិន", "មានវិញ្ញាបនបត្រ (CETS)"),
        ("en_US", "en", "Sokha Fashion", "Certified (CETS) until"),
    ],
)
async def test_a_certificate_link_opens_its_verification(
    start_bot: StartBot,
    settings: Settings,
    profile_locale: str | None,
    locale: str,
    name: str,
    certified: str,
) -> None:
    env = {"MESSENGER_USE_PROFILE_LOCALE": "on"} if profile_locale else {}
    bot = await start_bot(**env)
    await seed_registry(settings)
    if profile_locale:
        bot.graph.profile_locales[NEW_USER] = profile_locale
    # m.me/<page>?ref=cert_CETS-2025-000001, then Get Started in a new thread.
    assert await bot.deliver(load_payload("postback_get_started_referral")) == 200
    await bot.settle()
    messages = bot.graph.messages(NEW_USER)
    [card] = generic_elements(messages)
    assert "CETS-2025-000001" in card["title"] and name in card["title"]
    assert certified in "\n".join(message_texts(messages))
    payloads = [payload for _title, payload in choices(messages)]
    assert "cmp:shop:CETS-2025-000001" in payloads  # the complaint starts about this shop
    assert not any(p.startswith("share:") for p in payloads)  # no inline sharing in Messenger
    assert bot.graph.sender_actions(NEW_USER) == ["typing_on"]  # the registry is a slow step
    assert_one_language(messages, locale)
    assert not bot.graph.rejected()


async def test_the_apply_link_starts_an_application(bot: MessengerBot) -> None:
    psid = "7012345678906666"
    assert await bot.deliver(load_payload("referral")) == 200
    await bot.settle()
    messages = bot.graph.messages(psid)
    payloads = {payload for _title, payload in choices(messages)}
    assert {"app:cat:individual", "app:cat:sole_proprietorship"} <= payloads  # the wizard's
    assert_one_language(messages, "km")  # first question, in Khmer


async def test_get_started_without_a_profile_lookup_answers_in_khmer(bot: MessengerBot) -> None:
    messages = await bot.postback("7300000000000001", "nav:menu", "Get Started")
    assert_one_language(messages, "km")
    assert bot.graph.user_profile_calls() == []


async def test_the_profile_locale_is_used_only_when_allowed_and_only_once(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(MESSENGER_USE_PROFILE_LOCALE="1")
    psid = "7300000000000002"
    bot.graph.profile_locales[psid] = "en_GB"
    assert_one_language(await bot.postback(psid, "nav:menu", "Get Started"), "en")
    assert_one_language(await bot.postback(psid, "fee:all"), "en")
    assert len(bot.graph.user_profile_calls()) == 1  # the language is decided after that


async def test_without_the_permission_the_bot_falls_back_to_khmer(start_bot: StartBot) -> None:
    bot = await start_bot(MESSENGER_USE_PROFILE_LOCALE="1")
    messages = await bot.postback("7300000000000003", "nav:menu", "Get Started")
    assert_one_language(messages, "km")  # the fake refuses the lookup (no advanced access)


@pytest.mark.parametrize(("text", "locale"), [("hello", "en"), ("សួស្តី", "km")])
async def test_the_first_messages_script_decides(bot: MessengerBot, text: str, locale: str) -> None:
    assert_one_language(await bot.say("7300000000000004", text), locale)


async def test_khmer_script_wins_over_the_profile_locale(start_bot: StartBot) -> None:
    bot = await start_bot(MESSENGER_USE_PROFILE_LOCALE="1")
    psid = "7300000000000005"
    bot.graph.profile_locales[psid] = "en_US"
    assert_one_language(await bot.say(psid, "ថ្លៃសេវាទាំងអស់ប៉ុន្មាន"), "km")
