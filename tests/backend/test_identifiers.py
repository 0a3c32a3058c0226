"""Identifier normalisation: every way people write a page, handle or phone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend_client import Identifier, IdentifierKind
from registry.identifiers import (
    candidate_identifiers,
    normalise_phone,
    parse_identifier,
    payment_account,
    reference_text,
    unreadable_link,
)

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
        ("HTTP://Sokha.com.kh/Shop/?utm_source=fb#top", "sokha.com.kh"),
        ("https://m.sokha.com.kh/products/12?ref=fb", "sokha.com.kh"),
        ("mobile.sokha.com.kh/a/b/c", "sokha.com.kh"),
        ("https://www.m.sokha.com.kh", "sokha.com.kh"),
        ("shopee.com.kh/sokha", "shopee.com.kh/sokha"),
        ("https://shopee.com.kh/Sokha/item-123?x=1", "shopee.com.kh/sokha"),
        ("https://www.instagram.com/sokha.shop/reel/abc", "instagram.com/sokha.shop"),
        ("https://www.tiktok.com/@Sokha.KH/video/1", "tiktok.com/@sokha.kh"),
        ("sites.google.com/view/sokha/home", "sites.google.com/view/sokha"),
    ],
)
def test_websites_match_by_domain_whatever_the_path(query: str, site: str) -> None:
    assert keys(query)[0] == (WEB, site)


def test_a_whatsapp_link_is_its_phone() -> None:
    assert keys("https://wa.me/85512345678?text=hi") == [(PHONE, "+85512345678")]


@pytest.mark.parametrize(
    "link",
    [
        "https://www.facebook.com/share/1AbCdEfGh/",
        "https://www.facebook.com/share/p/1AbCdEfGh/?mibextid=oFDknk",
        "facebook.com/sharer.php?u=x",
        "https://m.facebook.com/story.php?story_fbid=123&id=456",
        "https://www.facebook.com/permalink.php?story_fbid=1",
        "https://www.facebook.com/photo.php?fbid=1",
        "https://www.facebook.com/groups/123456/",
        "https://www.facebook.com/watch/?v=123",
        "https://fb.watch/abcDEF/",
        "https://www.facebook.com/",
        "https://www.facebook.com/profile.php",
        "https://t.me/+AbCdEf123",
        "https://t.me/c/123456/78",
    ],
)
def test_links_that_do_not_name_a_page_are_unreadable(link: str) -> None:
    assert keys(link) == []
    assert unreadable_link(link)


@pytest.mark.parametrize(
    "link",
    [
        "https://www.facebook.com/sokhafashion.demo/posts/123",
        "https://www.facebook.com/profile.php?id=100064123456789",
        "t.me/sokha_shop",
        "https://www.sokha.com.kh/share/1",
        "Sokha Fashion",
        "012 345 678",
    ],
)
def test_readable_links_and_other_text_are_not_unreadable(link: str) -> None:
    assert not unreadable_link(link)


def test_bank_accounts_under_a_bank_id_keep_only_their_digits() -> None:
    assert payment_account("000 123-456", "abaa") == "000123456@abaa"
    assert parse_identifier("000-123-456@ABAA", PAY) == Identifier(
        PAY, "000123456@abaa", "000-123-456@ABAA"
    )
    assert payment_account("", "abaa") is None
    assert payment_account("acc/1", "abaa") is None


@pytest.mark.parametrize(
    "identifier",
    [
        Identifier(FB, "sokhafashion"),
        Identifier(FB_ID, "100064123456789"),
        Identifier(TG, "sokha_shop"),
        Identifier(WEB, "sokha.com.kh"),
        Identifier(WEB, "shopee.com.kh/sokha"),
        Identifier(PHONE, "+85512345678"),
        Identifier(PAY, "sokha@aclb"),
        Identifier(PAY, "000123456@abaa"),
    ],
)
def test_a_reference_text_reads_back_as_its_identifier(identifier: Identifier) -> None:
    assert keys(reference_text(identifier)) == [(identifier.kind, identifier.value)]


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
