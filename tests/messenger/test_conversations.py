"""The terminal chat's conversations, over Messenger, in Khmer and English.

Each user is new: the language comes from what they first write, as on the real Page.
"""

from __future__ import annotations

import pytest

from kb import KnowledgeBase
from tests.messenger.harness import MessengerBot
from tests.messenger.seen import Json, assert_one_language, choices, message_texts

GREETING = {"en": "hello", "km": "សួស្តី"}


def text_of(messages: list[Json]) -> str:
    return "\n".join(message_texts(messages))


@pytest.mark.parametrize(
    ("locale", "question", "fee", "validity", "category"),
    [
        (
            "en",
            "how much is the fee for a sole proprietorship?",
            "$100",
            "2 years",
            "ole proprietorship",
        ),
        ("km", "ថ្លៃសេវាសម្រាប់សហគ្រាសឯកបុគ្គលប៉ុន្មាន?", "100$", "2 ឆ្នាំ", "សហគ្រាសឯកបុគ្គល"),
    ],
)
async def test_the_fee_for_a_sole_proprietorship(
    bot: MessengerBot, locale: str, question: str, fee: str, validity: str, category: str
) -> None:
    psid = f"71000000000001{locale}"
    seen = await bot.say(psid, GREETING[locale])
    answer = await bot.say(psid, question)
    text = text_of(answer)
    assert fee in text
    assert validity in text
    assert category in text
    seen += answer
    seen += await bot.choose(psid, answer, "fee:all")
    for amount in {"en": ["$50", "$200", "$250"], "km": ["50$", "200$", "250$"]}[locale]:
        assert amount in text_of(seen[-3:])
    assert_one_language(seen, locale)


@pytest.mark.parametrize(
    ("locale", "question", "marks"),
    [("en", "which documents do I need?", "abcdefg"), ("km", "ត្រូវការឯកសារអ្វីខ្លះ?", "កខគឃងចឆ")],
)
async def test_the_documents(
    bot: MessengerBot, knowledge_base: KnowledgeBase, locale: str, question: str, marks: str
) -> None:
    psid = f"71000000000002{locale}"
    answer = await bot.say(psid, question)
    text = text_of(answer)
    for document, mark in zip(knowledge_base.documents, marks, strict=True):
        assert f"({mark}) {document.title.get(locale)}" in text
    assert_one_language(answer, locale)


@pytest.mark.parametrize(
    ("locale", "question"),
    [("en", "what are the criteria?"), ("km", "លក្ខខណ្ឌទាំង៩មានអ្វីខ្លះ")],
)
async def test_the_nine_criteria_and_the_evidence_for_one(
    bot: MessengerBot, knowledge_base: KnowledgeBase, locale: str, question: str
) -> None:
    psid = f"71000000000003{locale}"
    answer = await bot.say(psid, question)
    text = text_of(answer)
    for criterion in knowledge_base.criteria:
        assert f"{criterion.number}. {criterion.title.get(locale)}" in text
    titles = [title for title, _payload in choices(answer)]
    assert titles[:9] == [str(n) for n in range(1, 10)]
    evidence = await bot.press(psid, answer, "4")
    criterion = knowledge_base.criteria[3]
    assert criterion.title.get(locale) in text_of(evidence)
    for item in criterion.evidence:
        assert item.get(locale) in text_of(evidence)
    assert_one_language(answer + evidence, locale)


@pytest.mark.parametrize(
    ("locale", "verdict"), [("en", "Yes, you are eligible"), ("km", "អ្នកមានសិទ្ធិដាក់ពាក្យ")]
)
async def test_the_eligibility_check_by_quick_replies(
    bot: MessengerBot, knowledge_base: KnowledgeBase, locale: str, verdict: str
) -> None:
    psid = f"71000000000004{locale}"
    seen = await bot.say(psid, GREETING[locale])
    for payload in (
        "i:ask_eligibility",
        "elig:cat:sole_proprietorship",
        "elig:act:goods",
        "elig:ch:facebook",
        "elig:reg:yes",
    ):
        seen += await bot.choose(psid, seen, payload)
    final = text_of(seen[-2:])
    assert verdict in final
    assert knowledge_base.category("sole_proprietorship").name.get(locale) in final
    assert {"i:ask_documents", "fee:sole_proprietorship"} <= {p for _t, p in choices(seen[-2:])}
    assert_one_language(seen, locale)


async def test_switching_language_is_remembered(bot: MessengerBot) -> None:
    psid = "7100000000000555"
    seen = await bot.say(psid, "hello")
    assert_one_language(seen, "en")
    chosen = await bot.choose(psid, await bot.choose(psid, seen, "i:change_language"), "lang:km")
    assert_one_language(chosen, "km")
    later = await bot.say(psid, "what are all the fees?")
    assert "50$" in text_of(later)
    assert_one_language(later, "km")
