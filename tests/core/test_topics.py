"""Greeting, the trustmark, documents and criteria, in both languages."""

from __future__ import annotations

import pytest

from bot.core import ConversationCore
from kb import KnowledgeBase
from tests.conftest import open_chat
from tests.language_check import assert_single_language


@pytest.mark.parametrize(
    ("locale", "question"),
    [("en", "which documents do I need?"), ("km", "ត្រូវការឯកសារអ្វីខ្លះ?")],
)
async def test_documents_lists_a_to_g(
    core: ConversationCore, knowledge_base: KnowledgeBase, locale: str, question: str
) -> None:
    chat = await open_chat(core, locale)
    replies = await chat.say(question)
    text = chat.text()
    marks = "abcdefg" if locale == "en" else "កខគឃងចឆ"
    for document, mark in zip(knowledge_base.documents, marks, strict=True):
        assert f"({mark}) {document.title.get(locale)}" in text
    assert_single_language(replies, locale)


@pytest.mark.parametrize(
    ("locale", "question"),
    [("en", "what are the criteria?"), ("km", "លក្ខខណ្ឌទាំង៩មានអ្វីខ្លះ")],
)
async def test_criteria_lists_all_nine_with_evidence_buttons(
    core: ConversationCore, knowledge_base: KnowledgeBase, locale: str, question: str
) -> None:
    chat = await open_chat(core, locale)
    replies = await chat.say(question)
    text = chat.text()
    for criterion in knowledge_base.criteria:
        assert f"{criterion.number}. {criterion.title.get(locale)}" in text
    assert [b.label for b in chat.buttons()][:9] == [str(n) for n in range(1, 10)]
    assert_single_language(replies, locale)

    replies = await chat.press("4")
    criterion = knowledge_base.criteria[3]
    assert criterion.title.get(locale) in chat.text()
    for evidence in criterion.evidence:
        assert evidence.get(locale) in chat.text()
    assert "4" in chat.text() and "9" in chat.text()  # "criterion 4 of 9"
    assert_single_language(replies, locale)


@pytest.mark.parametrize(("locale", "greeting"), [("en", "hello"), ("km", "សួស្តី")])
async def test_greeting_offers_the_main_menu(
    core: ConversationCore, locale: str, greeting: str
) -> None:
    chat = await open_chat(core, locale)
    replies = await chat.say(greeting)
    payloads = [b.payload for b in chat.buttons()]
    assert {"i:about_trustmark", "i:ask_eligibility", "fee:all", "i:ask_documents"} <= set(payloads)
    assert "CETS" in chat.text()
    assert_single_language(replies, locale)


@pytest.mark.parametrize(
    ("locale", "question"),
    [("en", "what is the trustmark?"), ("km", "ស្លាកសញ្ញាទុកចិត្តជាអ្វី?")],
)
async def test_about_the_trustmark(
    core: ConversationCore, knowledge_base: KnowledgeBase, locale: str, question: str
) -> None:
    chat = await open_chat(core, locale)
    replies = await chat.say(question)
    assert knowledge_base.trustmark.issuer.get(locale) in chat.text()
    assert knowledge_base.trustmark.validity.get(locale) in chat.text()
    assert_single_language(replies, locale)


@pytest.mark.parametrize(
    ("locale", "text"),
    [("en", "what's the weather tomorrow in Siem Reap?"), ("km", "ថ្ងៃស្អែកភ្លៀងទេ?")],
)
async def test_unrelated_question_gets_polite_fallback_with_menu(
    core: ConversationCore, locale: str, text: str
) -> None:
    chat = await open_chat(core, locale)
    replies = await chat.say(text)
    payloads = [b.payload for b in chat.buttons()]
    assert "nav:menu" in payloads or "i:ask_eligibility" in payloads
    assert_single_language(replies, locale)


@pytest.mark.parametrize("locale", ["en", "km"])
async def test_help_explains_navigation(core: ConversationCore, locale: str) -> None:
    chat = await open_chat(core, locale)
    replies = await chat.press_payload("i:help")
    words = {"en": ("menu", "back", "cancel"), "km": ("ម៉ឺនុយ", "ថយក្រោយ", "បោះបង់")}[locale]
    for word in words:
        assert word in chat.text()
    assert_single_language(replies, locale)
