"""Step-answer parsers in Khmer script, English, mixed and romanized Khmer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.answers import (
    Option,
    extract_shop_query,
    match_choice,
    match_single,
    parse_amount,
    parse_date,
    parse_phone,
    parse_yes_no,
)
from bot.answers.eligibility_options import (
    parse_activity,
    parse_category,
    parse_channel,
    parse_registration,
)

COLOURS = (Option.of("red", "ក្រហម", "krahorm"), Option.of("blue", "ខៀវ", "khiev"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("red", "red"),
        ("Red!", "red"),
        ("ក្រហម", "red"),
        ("krahorm", "red"),
        ("I like blue", "blue"),
        ("not red, blue", "blue"),
        ("green", None),
        ("", None),
        ("what is red?", None),
    ],
)
def test_match_choice(text: str, expected: str | None) -> None:
    assert match_choice(text, COLOURS) == expected


def test_match_single_refuses_two_options() -> None:
    assert match_choice("red and blue", COLOURS) == "red"
    assert match_single("red and blue", COLOURS) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("just me", "individual"),
        ("myself", "individual"),
        ("Just me, I sell alone", "individual"),
        ("ម្នាក់ឯង", "individual"),
        ("ខ្ញុំលក់ម្នាក់ឯង", "individual"),
        ("បុគ្គល", "individual"),
        ("រូបវន្តបុគល", "individual"),  # typo: a missing subscript
        ("mneak eng", "individual"),
        ("sahakreas ek bokkol", "sole_proprietorship"),
        ("sole propietor", "sole_proprietorship"),
        ("សហគ្រាសឯកបុគ្គល", "sole_proprietorship"),
        ("we are a company", "legal_person"),
        ("ក្រុមហ៊ុន", "legal_person"),
        ("krumhun", "legal_person"),
        ("ក្រុមហ៊ុនបរទេស", "foreign_branch"),
        ("branch of a foreign company", "foreign_branch"),
        ("I don't know", "not_sure"),
        ("មិនដឹង", "not_sure"),
        ("បុគ្គលិក", None),  # staff, not a person doing business
        ("tell me more", None),
    ],
)
def test_business_category(text: str, expected: str | None) -> None:
    assert parse_category(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clothes", "goods"),
        ("ខោអាវ", "goods"),
        ("ខ្ញុំលក់ខោអាវ", "goods"),
        ("kho av", "goods"),
        ("i sell handmade bags", "goods"),
        ("services", "services"),
        ("servises", "services"),
        ("ខ្ញុំលក់សេវា", "services"),
        ("sevakam", "services"),
        ("goods and services", "goods"),
        ("an online marketplace", "intermediary"),
        ("insurance", "insurance"),
        ("ធានារ៉ាប់រង", "insurance"),
        ("something else", "other"),
        ("ថ្លៃសេវាប៉ុន្មាន", None),  # how much is the fee: not "services"
        ("ទូទាត់ថ្លៃប៉ុន្មាន", None),
        ("how much for goods?", None),
        ("tlai seva ponman", None),
    ],
)
def test_activity(text: str, expected: str | None) -> None:
    assert parse_activity(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TikTok", "social"),
        ("tik tok", "social"),
        ("Instagram", "social"),
        ("I sell on instagram", "social"),
        ("ទិកតុក", "social"),
        ("facebok", "facebook"),
        ("ផេក", "facebook"),
        ("ហ្វេសប៊ុក", "facebook"),
        ("telegram", "telegram"),
        ("my own website", "website"),
        ("shopee", "marketplace"),
        ("ផ្សារអនឡាញ", "marketplace"),
        ("not online yet", "offline"),
        ("នៅផ្សារ", "offline"),
        ("somewhere else", None),
        ("other", "other"),
        ("fb and telegram", "facebook"),
    ],
)
def test_channel(text: str, expected: str | None) -> None:
    assert parse_channel(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("មាន", "yes"),
        ("មានហើយ", "yes"),
        ("yes", "yes"),
        ("bat", "yes"),
        ("ban", "yes"),
        ("ban hz", "yes"),
        ("Yes, I have it", "yes"),
        ("no", "no"),
        ("អត់ទេ", "no"),
        ("មិនទាន់មាន", "no"),
        ("ot tan mean", "no"),
        ("not yet", "no"),
        ("I don't know", "unsure"),
        ("មិនដឹង", "unsure"),
        ("ot deng", "unsure"),
        ("not sure", "unsure"),
        ("មានទេ?", None),  # a question
        ("ban te", None),
        ("hello", None),
    ],
)
def test_yes_no(text: str, expected: str | None) -> None:
    assert parse_yes_no(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("មាន", "yes"),
        ("yes i have applied", "pending"),
        ("កំពុងដាក់ពាក្យ", "pending"),
        ("បានដាក់ពាក្យហើយ", "pending"),
        ("kompung dak peak", "pending"),
        ("no", "no"),
        ("I don't know", "not_sure"),
        ("ban", "yes"),
    ],
)
def test_registration(text: str, expected: str | None) -> None:
    assert parse_registration(text) == expected


TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/05/2028", date(2028, 5, 15)),
        ("2028-05-15", date(2028, 5, 15)),
        ("15 May 2028", date(2028, 5, 15)),
        ("May 15", date(2026, 5, 15)),
        ("ថ្ងៃទី15 ខែឧសភា ឆ្នាំ2028", date(2028, 5, 15)),
        ("១៥ ឧសភា ២០២៨", date(2028, 5, 15)),
        ("ថ្ងៃទី៣ ខែ៥", date(2026, 5, 3)),
        ("yesterday", date(2026, 11, 21)),
        ("ម្សិលមិញ", date(2026, 11, 21)),
        ("msel minh", date(2026, 11, 21)),
        ("3 days ago", date(2026, 11, 19)),
        ("២ថ្ងៃមុន", date(2026, 11, 20)),
        ("31/02/2027", None),
        ("hello", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50$", (Decimal(50), "USD")),
        ("USD 12.50", (Decimal("12.50"), "USD")),
        ("៥០០០០៛", (Decimal(50000), "KHR")),
        ("2 លានរៀល", (Decimal(2000000), "KHR")),
        ("50", (Decimal(50), "USD")),
        ("50000", (Decimal(50000), "KHR")),
        ("12 and 13", None),
        ("abc", None),
    ],
)
def test_parse_amount(text: str, expected: tuple[Decimal, str] | None) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("012 345 678", "+85512345678"),
        ("០៩៧ ៨៨៨ ១២៣៤", "+855978881234"),
        ("my number is +855 (0)12-345-678", "+85512345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("hello", None),
    ],
)
def test_parse_phone(text: str, expected: str | None) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is Trustmark Deals KH legit?", "Trustmark Deals KH"),
        ("Is Best Price KH a scam", "Best Price KH"),
        ("can I trust Khmer Shop", "Khmer Shop"),
        ("does Angkor Mart have the trustmark?", "Angkor Mart"),
        ("hi, is the page Lucky Phone real?", "Lucky Phone"),
        ("check Thank You Shop", "Thank You Shop"),
        ("តើហាងសុខាទុកចិត្តបានទេ?", "ហាងសុខា"),
        ("តើ Khmer Shop ទុកចិត្តបានទេ", "Khmer Shop"),
        ("Lucky Phone បោកទេ", "Lucky Phone"),
        ("ពិនិត្យហាងឈ្មោះ Angkor", "Angkor"),
        ("Angkor Mart tuk chet ban te", "Angkor Mart"),
        ("Sokha Shop bok te", "Sokha Shop"),
        ("is this shop legit?", None),
        ("ហាងនេះទុកចិត្តបានទេ", None),
        ("hang nis tuk chet ban te", None),
        ("is the trustmark legit", None),
        ("check my application status", None),
        ("how much is the fee", None),
    ],
)
def test_extract_shop_query(text: str, expected: str | None) -> None:
    assert extract_shop_query(text) == expected
