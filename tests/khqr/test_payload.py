"""Reading KHQR payloads: the payee of every shape of code, currencies, amounts, the CRC."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.khqr import Invalid, NotKhqr, PayeeKind, parse_khqr
from bot.khqr.emv import TlvError, crc16, crc_matches, encode_field, parse_fields, with_crc
from tests.khqr.codes import Khqr


def test_the_crc_is_crc16_ccitt_false() -> None:
    # The check value of CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) in the CRC catalogue.
    assert crc16("123456789") == "29B1"
    assert with_crc("000201").endswith("6304" + crc16("0002016304"))
    assert crc_matches(with_crc("000201"))
    assert not crc_matches("000201")


def test_an_individual_bakong_account_in_riel() -> None:
    payload = parse_khqr(Khqr("sokha_fashion@aclb", "Sokha Fashion", bank="ACLEDA Bank").payload())
    assert payload.payee.kind is PayeeKind.INDIVIDUAL
    assert payload.payee.bakong_account_id == "sokha_fashion@aclb"
    assert payload.payee.bank == "ACLEDA Bank"
    assert payload.payee.payment_accounts == ("sokha_fashion@aclb",)
    assert (payload.merchant_name, payload.merchant_city) == ("Sokha Fashion", "Phnom Penh")
    assert (payload.currency, payload.amount, payload.dynamic) == ("KHR", None, False)


def test_a_merchant_code_in_dollars_with_an_amount() -> None:
    code = Khqr(
        "mekong_fashion@wing",
        "Mekong Fashion",
        merchant=True,
        account="MF-0042",
        bank="Wing Bank",
        currency="840",
        amount="15.50",
        bill="INV-12",
    )
    payload = parse_khqr(code.payload())
    assert payload.payee.kind is PayeeKind.MERCHANT
    assert payload.payee.account == "MF-0042"
    assert payload.payee.payment_accounts == ("mf-0042@wing", "mekong_fashion@wing")
    assert (payload.currency, payload.amount, payload.dynamic) == ("USD", Decimal("15.50"), True)


def test_a_bank_code_pays_the_sellers_own_account_not_the_banks_generic_id() -> None:
    code = Khqr(
        "abaakhppxxx@abaa", "Dara Shop", merchant=True, account="000 123 456", bank="ABA Bank"
    )
    payee = parse_khqr(code.payload()).payee
    assert payee.generic_id
    assert payee.payment_accounts == ("000123456@abaa",)
    individual = Khqr("cadikhppxxx@cadi", "Dara", account="0010007018873", bank="Canadia Bank")
    assert parse_khqr(individual.payload()).payee.payment_accounts == ("0010007018873@cadi",)


def test_a_personal_id_is_not_taken_for_a_bank_code() -> None:
    code = Khqr("sokha@aclb", "Sokha", account="012 345 678", bank="ACLEDA Bank")
    payee = parse_khqr(code.payload()).payee
    assert not payee.generic_id
    assert payee.payment_accounts == ("012345678@aclb", "sokha@aclb")


def test_an_altered_code_fails_its_crc() -> None:
    genuine = Khqr("sokha@aclb", "Sokha Fashion").payload()
    altered = genuine.replace("sokha@aclb", "scam1@aclb")
    with pytest.raises(NotKhqr) as refused:
        parse_khqr(altered)
    assert refused.value.reason is Invalid.BAD_CRC
    with pytest.raises(NotKhqr) as wrong_digits:
        parse_khqr(genuine[:-4] + ("0000" if genuine[-4:] != "0000" else "FFFF"))
    assert wrong_digits.value.reason is Invalid.BAD_CRC


@pytest.mark.parametrize(
    "text",
    ["https://t.me/cets_bot?start=cert_CETS-2025-000001", "hello", "", "WIFI:S:shop;P:1234;;"],
)
def test_other_qr_codes_are_not_emv(text: str) -> None:
    with pytest.raises(NotKhqr) as refused:
        parse_khqr(text)
    assert refused.value.reason is Invalid.NOT_EMV


def test_a_broken_layout_with_a_right_crc_is_not_emv() -> None:
    with pytest.raises(NotKhqr) as refused:
        parse_khqr(with_crc("000201010211299"))
    assert refused.value.reason is Invalid.NOT_EMV


def test_an_emv_code_of_another_scheme_has_no_bakong_payee() -> None:
    foreign = with_crc(
        encode_field("00", "01")
        + encode_field("01", "11")
        + encode_field(
            "29", encode_field("00", "A000000677010111") + encode_field("01", "0066812345678")
        )
        + encode_field("53", "764")
        + encode_field("58", "TH")
        + encode_field("59", "Somchai")
    )
    with pytest.raises(NotKhqr) as refused:
        parse_khqr(foreign)
    assert refused.value.reason is Invalid.NO_PAYEE


def test_tlv_fields_and_their_errors() -> None:
    assert [(f.tag, f.value) for f in parse_fields("000201" + "5902AB")] == [
        ("00", "01"),
        ("59", "AB"),
    ]
    with pytest.raises(TlvError):
        parse_fields("0002015910AB")
    with pytest.raises(ValueError):
        encode_field("59", "x" * 100)


def test_khmer_names_count_characters() -> None:
    code = Khqr("sokha@aclb", "សុខា ហ្វេសិន")
    assert parse_khqr(code.payload()).merchant_name == "សុខា ហ្វេសិន"
