"""KHQR, Cambodia's payment QR code: find codes in an image and read who they pay.

``read_qr_codes(image_bytes)`` gives the texts of the QR codes in a photo or screenshot;
``parse_khqr(text)`` reads a KHQR payload (payee, name, city, currency, amount) after checking
its CRC, or raises :class:`NotKhqr` with the reason.
"""

from __future__ import annotations

from bot.khqr.payload import Invalid, KhqrPayload, NotKhqr, Payee, PayeeKind, parse_khqr
from bot.khqr.scan import read_qr_codes

__all__ = [
    "Invalid",
    "KhqrPayload",
    "NotKhqr",
    "Payee",
    "PayeeKind",
    "parse_khqr",
    "read_qr_codes",
]
