"""Finding the QR code in a phone photo or a screenshot, as shoppers send them."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from bot.khqr import parse_khqr, read_qr_codes
from tests.khqr.codes import Khqr, jpeg, phone_photo, png, qr_image, screenshot

CODE = Khqr(
    "abaakhppxxx@abaa",
    "Mekong Fashion",
    merchant=True,
    account="000123456",
    bank="ABA Bank",
    currency="840",
    amount="15.50",
    bill="INV-12",
)


@pytest.mark.parametrize(("angle", "blur"), [(4, 0.8), (-7, 1.2), (12, 1.6), (-25, 1.0)])
def test_a_tilted_blurred_jpeg_photo_of_a_printed_code(angle: float, blur: float) -> None:
    payload = CODE.payload()
    photo = phone_photo(qr_image(payload), angle=angle, blur=blur, seed=int(angle))
    assert read_qr_codes(photo) == (payload,)


def test_a_small_low_contrast_code_is_found_after_upscaling() -> None:
    payload = Khqr("sokha@aclb", "Sokha Fashion").payload()
    faint = qr_image(payload, scale=3).point(lambda v: 90 + v * 100 // 255)
    assert read_qr_codes(phone_photo(faint, angle=9, blur=0.6)) == (payload,)


def test_a_code_inside_a_chat_screenshot() -> None:
    payload = CODE.payload()
    found = read_qr_codes(screenshot(qr_image(payload)))
    assert found == (payload,)
    assert parse_khqr(found[0]).payee.payment_accounts == ("000123456@abaa",)


def test_a_clean_png_from_a_payment_app() -> None:
    payload = Khqr("dara@wing", "Dara", currency="116", amount="60000").payload()
    assert read_qr_codes(png(qr_image(payload))) == (payload,)


def test_a_photo_without_a_code_and_bytes_that_are_no_image() -> None:
    picture = Image.new("RGB", (640, 480), (200, 180, 160))
    ImageDraw.Draw(picture).ellipse((100, 100, 400, 400), fill=(30, 90, 160))
    assert read_qr_codes(jpeg(picture, 60)) == ()
    assert read_qr_codes(b"%PDF-1.7 not an image") == ()
    assert read_qr_codes(b"") == ()
