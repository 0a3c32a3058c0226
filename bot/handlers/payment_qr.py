"""A shopper sends the seller's payment QR (photo or screenshot): whom does it really pay?

The code is found in the image and read as a KHQR (its CRC checked first); its payee is looked
up among the payment accounts of registered shops. The answer names the payee and says whether
the account belongs to a certified shop, to no certified shop, or that the code is not a valid
KHQR. A trustmark badge's own QR code opens that certificate's verification. An image without
any QR code gets the usual "I do not need a file" answer.
"""

from __future__ import annotations

import asyncio
import logging
import re

from backend_client import ShopMatch, Verdict
from bot import keyboards
from bot.handlers import menu, verification
from bot.i18n import _, format_long_date, format_riel, format_usd, pgettext
from bot.khqr import Invalid, KhqrPayload, NotKhqr, parse_khqr, read_qr_codes
from bot.messages import Attachment, Button
from bot.turn import Turn

log = logging.getLogger(__name__)

MAX_IMAGES = 3
MAX_CODES = 2
_BADGE_LINK = re.compile(r"(?:cert_|/v/)(CETS-\d{4}-\d{6})\b", re.IGNORECASE)


def _images(attachments: tuple[Attachment, ...]) -> list[Attachment]:
    return [
        a for a in attachments if a.kind == "image" or a.mime_type.lower().startswith("image/")
    ][:MAX_IMAGES]


async def _codes_in(attachments: list[Attachment]) -> list[str]:
    texts: list[str] = []
    for attachment in attachments:
        texts.extend(await asyncio.to_thread(read_qr_codes, attachment.data))
    return list(dict.fromkeys(texts))


async def check_attachment(turn: Turn) -> None:
    """Files sent when no question expects one: check a payment QR in them, if any."""
    texts = await _codes_in(_images(turn.message.attachments))
    if not texts:
        await menu.attachment_not_expected(turn)
        return
    for text in texts:
        badge = _BADGE_LINK.search(text)
        if badge is not None:
            await verification.on_certificate_payload(turn, badge.group(1).upper())
            return
    for text in texts[:MAX_CODES]:
        await _answer_code(turn, text)


def _amount(code: KhqrPayload) -> str | None:
    if code.amount is None:
        return None
    if code.currency == "USD":
        money = format_usd(code.amount)
    elif code.currency == "KHR":
        money = format_riel(code.amount)
    else:
        money = f"{code.amount} ({code.currency})"
    return _("Amount: {amount}").format(amount=money)


def _payee_line(code: KhqrPayload) -> str:
    payee = code.payee
    details = [payee.bakong_account_id]
    if payee.account:
        details.append(payee.account)
    details.append(payee.bank or payee.bank_domain.upper())
    return _("This QR code pays {name} ({details}).").format(
        name=code.merchant_name, details=", ".join(details)
    )


def _invalid_line(reason: Invalid) -> str:
    if reason is Invalid.BAD_CRC:
        return _(
            "\u26a0\ufe0f This is not a valid KHQR: its check digits are wrong, so it was "
            "altered or damaged. Do not pay with it."
        )
    if reason is Invalid.NO_PAYEE:
        return _(
            "This is not a valid KHQR: it names no Bakong account (it may be another "
            "country's payment code)."
        )
    return _(
        "This QR code is not a KHQR payment code. If the seller says it is, ask them for their "
        "KHQR."
    )


async def _owner(turn: Turn, code: KhqrPayload) -> ShopMatch | None:
    """The shop whose payment account this code pays, by the most specific account first.

    An account declared by several shops names none of them (e.g. a bank's generic id).
    """
    for account in code.payee.payment_accounts:
        matches = await verification.lookup(turn.backend, account, limit=2)
        if len(matches) == 1:
            return matches[0]
    return None


def _owner_lines(match: ShopMatch) -> list[str]:
    shop = match.shop
    name = verification.shop_display_name(shop)
    certificate = shop.certificate
    if shop.verdict is Verdict.CERTIFIED and certificate is not None:
        return [
            _(
                "\u2705 This is a payment account of the certified shop {shop} (certificate "
                "{number}, valid until {date})."
            ).format(
                shop=name,
                number=certificate.certificate_id,
                date=format_long_date(certificate.valid_until),
            )
        ]
    if shop.verdict is Verdict.BLACKLISTED:
        return [
            _(
                "\u26d4 This account belongs to {shop}, which the Ministry of Commerce has "
                "blacklisted. Do not pay."
            ).format(shop=name)
        ]
    return [
        _("This account belongs to {shop}, which is not a certified shop now:").format(shop=name),
        verification.verdict_line(shop),
    ]


async def _answer_code(turn: Turn, text: str) -> None:
    try:
        code = parse_khqr(text)
    except NotKhqr as refused:
        log.info("a QR code was refused as KHQR (%s)", refused.reason.value)
        turn.outbox.say(
            verification.with_safety(_invalid_line(refused.reason)),
            (keyboards.check_shop_button(), keyboards.menu_button()),
        )
        return
    lines = [_payee_line(code)]
    amount = _amount(code)
    if amount:
        lines.append(amount)
    try:
        owner = await _owner(turn, code)
    except verification.RegistryDown:
        lines.append(
            _(
                "I cannot reach the registry right now to tell whose account it is. Please try "
                "again in a few minutes."
            )
        )
        turn.outbox.say(verification.with_safety(*lines), (keyboards.menu_button(),))
        return
    buttons: list[Button]
    if owner is None:
        lines += [
            _("This account is not linked to any certified shop."),
            _(
                "That does not prove it is a scam: check the shop's page too, and pay on "
                "delivery if you can."
            ),
        ]
        buttons = [keyboards.check_shop_button(), verification.complain_button()]
    else:
        lines += _owner_lines(owner)
        buttons = [verification.complain_button(owner.shop)]
        if owner.shop.certificate is not None:
            buttons.insert(
                0,
                Button(
                    pgettext("button", "See the certificate"),
                    f"cert:{owner.shop.certificate.certificate_id}",
                ),
            )
    turn.outbox.say(verification.with_safety(*lines), (*buttons, keyboards.menu_button()))
