"""Entities: normalised values and offsets into the text the user actually sent."""

from __future__ import annotations

import pytest

from nlu.entities import extract_entities
from nlu.interface import Entity


def _values(text: str, name: str) -> list[str]:
    return [e.value for e in extract_entities(text) if e.entity == name]


@pytest.mark.parametrize(
    "text",
    [
        "call 012 345 678",
        "012345678",
        "012-345-678",
        "+855 12 345 678",
        "+85512345678",
        "855 12 345 678",
        "+855 (0)12 345 678",
        "(012) 345 678",
        "លេខ ០១២ ៣៤៥ ៦៧៨",
        "lek 012.345.678 jea hang pit te",
    ],
)
def test_phone_numbers_in_any_common_writing(text: str) -> None:
    assert _values(text, "phone") == ["+85512345678"]


def test_nine_digit_mobile_numbers() -> None:
    assert _values("097 888 1234 ឬ ០៩៧៨៨៨១២៣៤", "phone") == ["+855978881234"] * 2


def test_phone_offsets_point_into_the_original_text() -> None:
    text = "លេខ ០១២ ៣៤៥ ៦៧៨ ពិតទេ"
    (phone,) = extract_entities(text)
    assert text[phone.start : phone.end] == "០១២ ៣៤៥ ៦៧៨"


@pytest.mark.parametrize("text", ["2024", "APP-2024-000123", "50000 riel", "123 456"])
def test_things_that_are_not_phone_numbers(text: str) -> None:
    assert _values(text, "phone") == []


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("status of APP-2024-000123?", "application_id", "APP-2024-000123"),
        ("app 2024 000123", "application_id", "APP-2024-000123"),
        ("APP-២០២៤-០០០១២៣ ដល់ណាហើយ", "application_id", "APP-2024-000123"),
        ("cmp-2025-000310 update", "complaint_id", "CMP-2025-000310"),
        ("verify CETS-2024-000321", "certificate_id", "CETS-2024-000321"),
        ("cets2024000321", "certificate_id", "CETS-2024-000321"),
    ],
)
def test_ids_are_canonical(text: str, entity: str, value: str) -> None:
    assert _values(text, entity) == [value]


def test_id_offsets() -> None:
    text = "ពិនិត្យ APP-២០២៤-០០០១២៣ ផង"
    (entity,) = extract_entities(text)
    assert entity == Entity("application_id", "APP-2024-000123", 8, 23)


@pytest.mark.parametrize(
    ("text", "role", "value"),
    [
        (
            "is facebook.com/BestPhoneShop legit",
            "facebook_page",
            "https://www.facebook.com/bestphoneshop",
        ),
        (
            "https://m.facebook.com/bestphoneshop/",
            "facebook_page",
            "https://www.facebook.com/bestphoneshop",
        ),
        ("fb.com/kh.fashion.shop.", "facebook_page", "https://www.facebook.com/kh.fashion.shop"),
        (
            "www.facebook.com/profile.php?id=1000123",
            "facebook_page",
            "https://www.facebook.com/profile.php?id=1000123",
        ),
        ("check t.me/CheapBags", "telegram_handle", "https://t.me/cheapbags"),
        ("@phoneshopkh legit te", "telegram_handle", "https://t.me/phoneshopkh"),
        ("is www.KhmerShop.com.kh registered", "website", "https://khmershop.com.kh"),
        (
            "https://shop.example.org/Item/42?x=1,",
            "website",
            "https://shop.example.org/Item/42?x=1",
        ),
    ],
)
def test_urls_are_told_apart_and_canonical(text: str, role: str, value: str) -> None:
    urls = [e for e in extract_entities(text) if e.entity == "url"]
    assert [(e.role, e.value) for e in urls] == [(role, value)]


def test_an_email_address_is_not_a_url() -> None:
    assert extract_entities("write to seller@gmail.com") == ()


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("i paid 50$", "50", "USD"),
        ("$20 only", "20", "USD"),
        ("USD 12.50", "12.5", "USD"),
        ("100 dollars", "100", "USD"),
        ("ទំព័រនេះឆបោកខ្ញុំ ២០ដុល្លារ", "20", "USD"),
        ("50,000 riel", "50000", "KHR"),
        ("1 200 000 រៀល", "1200000", "KHR"),
        ("៥០០០០៛", "50000", "KHR"),
        ("2 លានរៀល", "2000000", "KHR"),
        ("50k riel", "50000", "KHR"),
        ("KHR 4000", "4000", "KHR"),
    ],
)
def test_money_amount_and_currency(text: str, value: str, currency: str) -> None:
    money = [e for e in extract_entities(text) if e.entity == "money"]
    assert [(e.value, e.role) for e in money] == [(value, currency)]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("how much for an individual", "individual"),
        ("រូបវន្តបុគ្គលត្រូវបង់ប៉ុន្មាន", "individual"),
        ("rubavon bokol ach dak peak ban te", "individual"),
        ("can a sole proprietorship register", "sole_proprietorship"),
        ("សហគ្រាសឯកបុគ្គលអាចចូលរួមបានទេ", "sole_proprietorship"),
        ("sahakreas ek bokol", "sole_proprietorship"),
        ("fees for a company", "legal_person"),
        ("ខ្ញុំជានីតិបុគ្គល", "legal_person"),
        ("krumhun bong ponman", "legal_person"),
        ("branch of a foreign company", "foreign_branch"),
        ("សាខាក្រុមហ៊ុនបរទេសមានសិទ្ធិទេ", "foreign_branch"),
        ("sakha krumhun bortes", "foreign_branch"),
    ],
)
def test_business_category_in_every_style(text: str, category: str) -> None:
    assert _values(text, "business_category") == [category]


def test_business_category_does_not_match_inside_another_word() -> None:
    # បុគ្គលិក (staff) contains បុគ្គល (person) but is no business category.
    assert _values("ភ្ជាប់ទៅបុគ្គលិកផង", "business_category") == []


def test_khmer_category_offsets_cover_the_phrase() -> None:
    text = "ខ្ញុំជា នីតិបុគ្គល"
    (entity,) = extract_entities(text)
    assert text[entity.start : entity.end] == "នីតិបុគ្គល"
