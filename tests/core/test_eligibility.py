"""The guided eligibility check reaches a clear verdict for every case, in both languages."""

from __future__ import annotations

import pytest

from bot.core import ConversationCore
from kb import KnowledgeBase
from tests.conftest import open_chat
from tests.language_check import assert_single_language

CATEGORIES = ["individual", "sole_proprietorship", "legal_person", "foreign_branch"]


@pytest.mark.parametrize("locale", ["en", "km"])
@pytest.mark.parametrize("category", CATEGORIES)
async def test_registered_seller_of_each_category_is_eligible(
    core: ConversationCore, knowledge_base: KnowledgeBase, locale: str, category: str
) -> None:
    chat = await open_chat(core, locale)
    replies = await chat.press_payload("i:ask_eligibility")
    assert "1" in chat.text() and "4" in chat.text()  # "Step 1 of 4"
    await chat.press_payload(f"elig:cat:{category}")
    await chat.press_payload("elig:act:goods")
    await chat.press_payload("elig:ch:facebook")
    replies += await chat.press_payload("elig:reg:yes")
    name = knowledge_base.category(category).name.get(locale)
    verdict = {"en": "Yes, you are eligible", "km": "អ្នកមានសិទ្ធិដាក់ពាក្យ"}[locale]
    assert verdict in chat.text()
    assert name in chat.text()
    payloads = [b.payload for b in chat.buttons()]
    assert "i:ask_documents" in payloads and f"fee:{category}" in payloads
    assert_single_language(chat.transcript, locale)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_unregistered_seller_is_told_to_register_first(
    core: ConversationCore, knowledge_base: KnowledgeBase, locale: str
) -> None:
    chat = await open_chat(core, locale)
    await chat.press_payload("i:ask_eligibility")
    await chat.press_payload("elig:cat:individual")
    await chat.press_payload("elig:act:services")
    await chat.press_payload("elig:ch:telegram")
    await chat.press_payload("elig:reg:no")
    assert knowledge_base.eligibility.licence_advice.get(locale) in chat.text()
    assert_single_language(chat.transcript, locale)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_insurance_is_not_an_ecommerce_service_provider(
    core: ConversationCore, knowledge_base: KnowledgeBase, locale: str
) -> None:
    chat = await open_chat(core, locale)
    await chat.press_payload("i:ask_eligibility")
    await chat.press_payload("elig:cat:legal_person")
    await chat.press_payload("elig:act:insurance")
    exclusion = next(e for e in knowledge_base.eligibility.exclusions if e.key == "insurance")
    assert exclusion.text.get(locale) in chat.text()
    assert {"en": "Not eligible", "km": "មិនមានសិទ្ធិ"}[locale] in chat.text()
    assert_single_language(chat.transcript, locale)


async def test_eligibility_by_typing_answers(core: ConversationCore) -> None:
    chat = await open_chat(core, "en")
    await chat.say("am I eligible for the trustmark?")
    await chat.say("I am a sole proprietorship")
    assert "2" in chat.text()  # step 2 of 4
    await chat.say("clothes and shoes")
    await chat.say("on my facebook page")
    await chat.say("yes")
    assert "Yes, you are eligible" in chat.text()


async def test_back_and_cancel_at_every_step(core: ConversationCore) -> None:
    chat = await open_chat(core, "en")
    await chat.press_payload("i:ask_eligibility")
    await chat.press_payload("elig:cat:individual")
    await chat.press_payload("elig:act:goods")
    assert "Step 3 of 4" in chat.text()
    assert {"nav:back", "nav:cancel"} <= {b.payload for b in chat.buttons()}
    await chat.press("Back")
    assert "Step 2 of 4" in chat.text()
    await chat.say("back")
    assert "Step 1 of 4" in chat.text()
    await chat.say("cancel")
    assert "Stopped" in chat.text()
    await chat.say("yes")  # no flow any more: a plain "yes" must not resume anything
    assert "Step" not in chat.text()


async def test_unclear_answer_in_a_flow_asks_again(core: ConversationCore) -> None:
    chat = await open_chat(core, "km")
    await chat.press_payload("i:ask_eligibility")
    await chat.press_payload("elig:cat:individual")
    replies = await chat.say("អាប់ប៊ីស៊ីឌី")
    assert "2" in chat.text()  # still at step 2
    assert {"elig:act:goods", "nav:back", "nav:cancel"} <= {b.payload for b in chat.buttons()}
    assert_single_language(replies, "km")


async def test_question_in_the_middle_of_a_flow_keeps_the_answers(core: ConversationCore) -> None:
    chat = await open_chat(core, "en")
    await chat.press_payload("i:ask_eligibility")
    await chat.press_payload("elig:cat:foreign_branch")
    await chat.say("how much does it cost for a legal person?")
    assert "$200" in chat.text()
    await chat.press("Continue")
    assert "Step 2 of 4" in chat.text()
    await chat.press_payload("elig:act:goods")
    await chat.press_payload("elig:ch:website")
    await chat.press_payload("elig:reg:yes")
    assert "branch" in chat.text().lower()


async def test_typed_khmer_answers_with_zero_width_spaces(core: ConversationCore) -> None:
    chat = await open_chat(core, "km")
    await chat.press_payload("i:ask_eligibility")
    await chat.press_payload("elig:cat:legal_person")
    await chat.say("ថយ\u200bក្រោយ")  # "back", as a Khmer keyboard types it
    assert "ជំហានទី1/4" in chat.text()
    await chat.press_payload("elig:cat:legal_person")
    replies = await chat.say("ក្រុមហ៊ុន\u200bធានា\u200bរ៉ាប់រង")  # an insurance company
    assert "មិនមានសិទ្ធិ" in chat.text()
    assert_single_language(replies, "km")
