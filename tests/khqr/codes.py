"""KHQR codes made in the test, as images a shopper would send: printed, photographed, captured.

Payloads are built field by field as the EMVCo merchant-presented layout says (tags 00, 01,
29 or 30, 52, 53, 54, 58, 59, 60, 62, 99, 63), so the decoder is tested on codes of every
shape: an individual's Bakong account, a merchant's, a bank-issued code whose first sub-tag is
the bank's generic id, in riel and in dollars, static and with an amount.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import segno
from PIL import Image, ImageDraw, ImageFilter

from bot.khqr.emv import encode_field, with_crc


@dataclass(frozen=True)
class Khqr:
    """What to put in a KHQR code."""

    bakong_id: str
    name: str
    merchant: bool = False
    account: str | None = None  # 29/01 account information, or 30/01 merchant id
    bank: str | None = None  # 02 acquiring bank
    currency: str = "116"
    amount: str | None = None
    city: str = "Phnom Penh"
    bill: str | None = None

    def payload(self) -> str:
        """The payload text with its CRC."""
        account = encode_field("00", self.bakong_id)
        if self.account:
            account += encode_field("01", self.account)
        if self.bank:
            account += encode_field("02", self.bank)
        fields = [
            encode_field("00", "01"),
            encode_field("01", "12" if self.amount else "11"),
            encode_field("30" if self.merchant else "29", account),
            encode_field("52", "5999"),
            encode_field("53", self.currency),
        ]
        if self.amount:
            fields.append(encode_field("54", self.amount))
        fields += [
            encode_field("58", "KH"),
            encode_field("59", self.name),
            encode_field("60", self.city),
        ]
        if self.bill:
            fields.append(encode_field("62", encode_field("01", self.bill)))
        if self.amount:
            fields.append(
                encode_field(
                    "99", encode_field("00", "1765184380078") + encode_field("01", "1765184680078")
                )
            )
        return with_crc("".join(fields))


def qr_image(text: str, *, scale: int = 8) -> Image.Image:
    """A clean QR code of ``text``, as a payment app shows it."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def jpeg(image: Image.Image, quality: int) -> bytes:
    """The image as a JPEG file of this quality."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    """The image as a PNG file."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def phone_photo(code: Image.Image, *, angle: float = 7, blur: float = 1.2, seed: int = 1) -> bytes:
    """A phone photo of a printed code: on a grey table, tilted, blurred, noisy, JPEG at 35."""
    rng = random.Random(seed)
    paper = Image.new("RGB", (code.width + 120, code.height + 160), (246, 244, 236))
    paper.paste(code, (60, 60))
    ImageDraw.Draw(paper).text((60, code.height + 80), "Scan to pay", fill=(40, 40, 40))
    tilted = paper.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(120, 110, 100)
    )
    scene = Image.new("RGB", (tilted.width + 200, tilted.height + 200), (120, 110, 100))
    scene.paste(tilted, (100, 100))
    dim = Image.new("RGB", scene.size, (30, 30, 60))
    scene = Image.blend(scene, dim, 0.25)  # indoor light
    noisy = scene.load()
    assert noisy is not None
    for _ in range(scene.width * scene.height // 40):
        x, y = rng.randrange(scene.width), rng.randrange(scene.height)
        r, g, b = noisy[x, y]  # type: ignore[misc]
        shift = rng.randint(-40, 40)
        noisy[x, y] = (
            max(0, min(255, r + shift)),
            max(0, min(255, g + shift)),
            max(0, min(255, b + shift)),
        )
    return jpeg(scene.filter(ImageFilter.GaussianBlur(blur)), 35)


def screenshot(code: Image.Image, *, width: int = 1080, height: int = 2340) -> bytes:
    """A chat screenshot with the seller's code small among bubbles, text and a photo."""
    screen = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, width, 160), fill=(0, 132, 255))
    draw.text((40, 60), "Mekong Fashion Shop  - online", fill=(255, 255, 255))
    y = 220
    for line in (
        "Hello, is the dress available?",
        "Yes sister, 15$ with delivery",
        "OK how to pay?",
    ):
        draw.rounded_rectangle((40, y, 700, y + 110), radius=30, fill=(235, 235, 240))
        draw.text((70, y + 40), line, fill=(20, 20, 20))
        y += 150
    draw.rectangle((420, y, 1000, y + 380), fill=(200, 120, 90))  # a product photo
    y += 420
    small = code.resize((520, 520 * code.height // code.width), Image.Resampling.BILINEAR)
    draw.rounded_rectangle(
        (380, y - 20, 1040, y + small.height + 100), radius=30, fill=(0, 132, 255)
    )
    screen.paste(small, (450, y + 20))
    draw.text((450, y + small.height + 40), "Pay here please", fill=(255, 255, 255))
    return jpeg(screen, 70)
