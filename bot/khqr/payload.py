"""Read a KHQR payload: who it pays, in which currency, how much, and whether it is intact.

KHQR is Cambodia's EMVCo merchant-presented QR (National Bank of Cambodia, Bakong). The payee
is in tag 29 (an individual) or tag 30 (a merchant), a template whose sub-tag 00 is a Bakong
account id ``name@bank``, 01 the account information (individual) or merchant id (merchant)
and 02 the acquiring bank. Tag 59 is the merchant name, 60 the city, 53 the currency (116 riel,
840 US dollars), 54 the amount, 58 the country, 62 additional data, 64 the name in another
language, 99 the creation and expiry times of a dynamic code, 63 the CRC.

Banks often issue codes whose sub-tag 00 is the bank's own generic id (``abaakhppxxx@abaa``,
a bank identifier code before the ``@``) and whose sub-tag 01 is the seller's account or
merchant id: the payee is then that account at that bank, written ``000123456@abaa``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bot.khqr.emv import TlvError, crc_matches, field_map, parse_fields

INDIVIDUAL_TAG = "29"
MERCHANT_TAG = "30"
CURRENCIES = {"116": "KHR", "840": "USD"}
# A bank identifier code before the "@": 4 letters of bank, "KH", 2 of location, 3 of branch.
_BANK_CODE = re.compile(r"^[a-z]{4}kh[a-z0-9]{2}([a-z0-9]{3})?$")
_ACCOUNT_NUMBER = re.compile(r"^\+?[\d\s\-.()]+$")
_PAYMENT_LOCAL = re.compile(r"^[a-z0-9_.\-]+$")


class PayeeKind(StrEnum):
    """Whom a KHQR pays: a person's account (tag 29) or a merchant (tag 30)."""

    INDIVIDUAL = "individual"
    MERCHANT = "merchant"


class Invalid(StrEnum):
    """Why a QR code is not a valid KHQR."""

    NOT_EMV = "not_emv"  # not an EMV payment payload at all (a link, text, a broken payload)
    BAD_CRC = "bad_crc"  # an EMV payload whose CRC does not match: altered or damaged
    NO_PAYEE = "no_payee"  # an intact EMV payload without a Bakong payee (another scheme)


class NotKhqr(ValueError):
    """The payload is not a valid KHQR; ``reason`` says why."""

    def __init__(self, reason: Invalid, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Payee:
    """The account a KHQR pays into."""

    kind: PayeeKind
    bakong_account_id: str
    account: str | None = None
    bank: str | None = None

    @property
    def bank_domain(self) -> str:
        """The part after ``@`` of the Bakong account id (``aclb`` of ``sokha@aclb``)."""
        return self.bakong_account_id.rpartition("@")[2].lower()

    @property
    def generic_id(self) -> bool:
        """Whether sub-tag 00 is a bank's own id rather than the seller's."""
        local = self.bakong_account_id.rpartition("@")[0].lower()
        return bool(_BANK_CODE.match(local)) and self.account is not None

    @property
    def payment_accounts(self) -> tuple[str, ...]:
        """The payment identifiers (``name@bank``) naming this payee, most specific first.

        The seller's own account at the bank when the code carries one, then the Bakong id,
        unless that id is the bank's generic one, which names every seller of the bank.
        """
        found: list[str] = []
        if self.account:
            local = self.account.strip().lower()
            if _ACCOUNT_NUMBER.match(local):
                local = re.sub(r"\D", "", local)
            local = re.sub(r"\s", "", local)
            if local and _PAYMENT_LOCAL.match(local) and self.bank_domain:
                found.append(f"{local}@{self.bank_domain}")
        if not self.generic_id:
            found.append(self.bakong_account_id.lower())
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class KhqrPayload:
    """The facts of a valid KHQR a shopper needs before paying."""

    payee: Payee
    merchant_name: str
    merchant_city: str | None
    currency: str | None  # "KHR", "USD", or the numeric code of another currency
    amount: Decimal | None
    dynamic: bool
    country: str | None
    merchant_name_alternate: str | None = None


def _template(value: str) -> dict[str, str]:
    try:
        return field_map(parse_fields(value))
    except TlvError as exc:
        raise NotKhqr(Invalid.NOT_EMV, f"unreadable template: {exc}") from exc


def _amount(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount > 0 else None


def parse_khqr(text: str) -> KhqrPayload:
    """Read a KHQR payload; NotKhqr says why it is not a valid one.

    The CRC is checked before anything is read, so an altered code is refused as such.
    """
    payload = text.strip()
    if not payload.startswith("000201"):
        raise NotKhqr(Invalid.NOT_EMV, "no payload format indicator")
    if not crc_matches(payload):
        raise NotKhqr(Invalid.BAD_CRC)
    try:
        fields = field_map(parse_fields(payload))
    except TlvError as exc:
        raise NotKhqr(Invalid.NOT_EMV, str(exc)) from exc
    payee = _payee(fields)
    name = fields.get("59", "").strip()
    if not name:
        raise NotKhqr(Invalid.NO_PAYEE, "no merchant name")
    language = _template(fields["64"]) if "64" in fields else {}
    currency_code = fields.get("53")
    return KhqrPayload(
        payee=payee,
        merchant_name=name,
        merchant_city=fields.get("60", "").strip() or None,
        currency=CURRENCIES.get(currency_code or "", currency_code),
        amount=_amount(fields.get("54")),
        dynamic=fields.get("01") == "12",
        country=fields.get("58"),
        merchant_name_alternate=language.get("01", "").strip() or None,
    )


def _payee(fields: dict[str, str]) -> Payee:
    for tag, kind in ((INDIVIDUAL_TAG, PayeeKind.INDIVIDUAL), (MERCHANT_TAG, PayeeKind.MERCHANT)):
        if tag not in fields:
            continue
        account = _template(fields[tag])
        bakong_id = account.get("00", "").strip()
        if "@" not in bakong_id:
            continue  # another scheme's account (e.g. an application identifier)
        return Payee(
            kind=kind,
            bakong_account_id=bakong_id,
            account=account.get("01", "").strip() or None,
            bank=account.get("02", "").strip() or None,
        )
    raise NotKhqr(Invalid.NO_PAYEE, "no Bakong account in tag 29 or 30")
