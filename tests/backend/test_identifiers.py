"""Identifier normalisation: every way people write a page, handle or phone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend_client import Identifier, IdentifierKind
from registry.identifiers import candidate_identifiers, normalise_phone, parse_identifier

FB, FB_ID, TG, WEB, PHONE, PAY = (
    IdentifierKind.FACEBOOK,
    IdentifierKind.FACEBOOK_ID,
    IdentifierKind.TELEGRAM,
    IdentifierKind.WEBSITE,
    IdentifierKind.PHONE,
    IdentifierKind.PAYMENT,
)


def keys(query: str) -> list[tuple[IdentifierKind, str]]:
    return [(i.kind, i.value) for i in candidate_identifiers(query)]


@pytest.mark.parametrize(
    "query",
    [
        "facebook.com/x",
        "https://m.facebook.com/x/",
        "fb.com/x/",
        "https://www.facebook.com/x?ref=bookmarks",
        "http://web.facebook.com/X",
        "mbasic.facebook.com/x#posts",
        "m.me/x",
        "https://www.facebook.com/x/about/",
    ],
)
def test_facebook_page_urls(query: str) -> None:
    assert keys(query) == [(FB, "x")]


@pytest.mark.parametrize(
    ("query", "page_id"),
    [
        ("https://www.facebook.com/profile.php?id=100064123456789", "100064123456789"),
        ("facebook.com/pages/Sokha-Fashion/123456789012", "123456789012"),
        ("https://www.facebook.com/p/Sokha-Fashion-100064123456789/", "100064123456789"),
        ("https://facebook.com/people/Sokha/100064123456789/", "100064123456789"),
        ("facebook.com/Sokha-Fashion-123456789012", "123456789012"),
        ("facebook.com/123456789012", "123456789012"),
    ],
)
def test_numeric_page_ids(query: str, page_id: str) -> None:
    assert keys(query) == [(FB_ID, page_id)]


def test_a_bare_long_number_may_be_a_page_id() -> None:
    assert keys("100064123456789") == [(FB_ID, "100064123456789")]


def test_facebook_names_ignore_case_and_dots() -> None:
    assert parse_identifier("Sokha.Fashion", FB) == Identifier(FB, "sokhafashion", "Sokha.Fashion")
    assert keys("facebook.com/Sokha.Fashion") == [(FB, "sokhafashion")]


@pytest.mark.parametrize(
    "query",
    [
        "@sokha_shop",
        "t.me/sokha_shop",
        "https://t.me/Sokha_Shop",
        "telegram.me/sokha_shop",
        "https://t.me/s/sokha_shop",
        "tg://resolve?domain=sokha_shop",
    ],
)
def test_telegram_handles(query: str) -> None:
    assert keys(query) == [(TG, "sokha_shop")]


def test_telegram_invite_links_are_not_handles() -> None:
    assert keys("https://t.me/+AbCdEf123") == []
    assert keys("t.me/joinchat/AbCdEf") == []


@pytest.mark.parametrize(
    ("query", "site"),
    [
        ("https://www.sokha.com.kh/", "sokha.com.kh"),
        ("sokha.com.kh", "sokha.com.kh"),
        ("HTTP://Sokha.com.kh/Shop/?utm_source=fb#top", "sokha.com.kh/shop"),
        ("shopee.com.kh/sokha", "shopee.com.kh/sokha"),
    ],
)
def test_websites(query: str, site: str) -> None:
    assert keys(query)[0] == (WEB, site)


@pytest.mark.parametrize(
    "written",
    [
        "012 345 678",
        "012345678",
        "0 12 345 678",
        "+855 12 345 678",
        "+855 012 345 678",
        "855-12-345-678",
        "855 12 345 678",
        "00855 12 345 678",
        "(012) 345-678",
        "012.345.678",
        "០១២ ៣៤៥ ៦៧៨",
        "+៨៥៥ ១២ ៣៤៥ ៦៧៨",
        "12 345 678",
    ],
)
def test_cambodian_phones_in_any_writing(written: str) -> None:
    assert normalise_phone(written) == "+85512345678"
    assert (PHONE, "+85512345678") in keys(written)


def test_nine_digit_mobile_numbers() -> None:
    assert normalise_phone("097 7777 777") == "+855977777777"
    assert normalise_phone("+855 97 777 7777") == "+855977777777"


@pytest.mark.parametrize("written", ["12345", "0000000000000000000", "012 345", "phone me"])
def test_not_phones(written: str) -> None:
    assert normalise_phone(written) is None


def test_foreign_numbers_keep_their_country_code() -> None:
    assert normalise_phone("+66 81 234 5678") == "+66812345678"


def test_bakong_accounts() -> None:
    assert keys("Sokha@ACLB") == [(PAY, "sokha@aclb")]
    assert parse_identifier("sokha_shop@wing", PAY) == Identifier(
        PAY, "sokha_shop@wing", "sokha_shop@wing"
    )


def test_emails_are_not_identifiers() -> None:
    assert keys("owner@example.com") == []


def test_a_bare_word_could_be_a_page_or_a_handle() -> None:
    assert keys("sokhafashion") == [(FB, "sokhafashion"), (TG, "sokhafashion")]
    assert keys("sokha_shop") == [(TG, "sokha_shop")]  # Facebook names have no underscores


def test_names_with_spaces_are_not_identifiers() -> None:
    assert keys("Sokha Fashion") == []


def test_declared_identifiers_need_one_reading() -> None:
    assert parse_identifier("sokhafashion") is None  # page or handle? ask for a link
    assert parse_identifier("https://m.facebook.com/sokhafashion") == Identifier(
        FB, "sokhafashion", "https://m.facebook.com/sokhafashion"
    )


national = st.from_regex(r"1[0-9]{7}|[6-9][0-9]{7,8}", fullmatch=True)
separators = st.sampled_from(["", " ", "-", ".", "  "])
KHMER = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


@given(
    national, separators, st.sampled_from(["0", "+855 ", "855", "+855 0", "00855"]), st.booleans()
)
def test_any_writing_of_a_phone_gives_one_number(
    number: str, separator: str, prefix: str, khmer: bool
) -> None:
    grouped = separator.join([number[:2], number[2:5], number[5:]])
    written = prefix + grouped
    if khmer:
        written = written.translate(KHMER)
    assert normalise_phone(written) == f"+855{number}"


@given(
    st.from_regex(r"[a-z][a-z0-9]{4,20}", fullmatch=True),
    st.sampled_from(["https://", "http://", ""]),
    st.sampled_from(["www.", "m.", "web.", "mbasic.", ""]),
    st.sampled_from(["facebook.com", "fb.com"]),
    st.sampled_from(["", "/", "?ref=share", "/?mibextid=abc"]),
)
def test_any_facebook_url_of_a_page_gives_its_name(
    page: str, scheme: str, subdomain: str, host: str, tail: str
) -> None:
    assert keys(f"{scheme}{subdomain}{host}/{page}{tail}") == [(FB, page)]
