"""Files the intake refuses, each with one clear sentence in the user's language."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import use_locale
from bot.intake import FileIntake, FileLimits, FileRefused, RefusalReason
from bot.messages import Attachment
from tests.intake.conftest import stored_rows
from tests.intake.samples import (
    encode,
    jpeg_with_gps,
    pdf,
    picture,
    png_bomb,
    png_declaring,
    zip_archive,
)

TOO_MANY_PIXELS = {
    "en": "Sorry, this image has too many pixels for me to open (the limit is 64 megapixels), so "
    "please send a smaller photo or a screenshot.",
    "km": "សូមទោស រូបភាពនេះមានភីកសែលច្រើនពេក ខ្ញុំមិនអាចបើកបានទេ (អតិបរមាគឺ 64 មេកាភីកសែល) "
    "ដូច្នេះសូមផ្ញើរូបថតដែលតូចជាងនេះ ឬរូបថតអេក្រង់។",
}
TOO_LARGE = {
    "en": "Sorry, this file is too large for me to receive (the limit is 20 MB), so please send a "
    "smaller one, such as a screenshot or a PDF with fewer pages.",
    "km": "សូមទោស ឯកសារនេះធំពេក ខ្ញុំមិនអាចទទួលបានទេ (ទំហំអតិបរមាគឺ 20 មេកាបៃ) "
    "ដូច្នេះសូមផ្ញើឯកសារដែលតូចជាងនេះ ដូចជារូបថតអេក្រង់ ឬឯកសារ PDF ដែលមានទំព័រតិចជាង។",
}
NOT_ACCEPTED = {
    "en": "Sorry, I can only accept photos (JPEG, PNG or WebP) and PDF files.",
    "km": "សូមទោស ខ្ញុំអាចទទួលបានតែរូបថត (JPEG, PNG ឬ WebP) និងឯកសារ PDF ប៉ុណ្ណោះ។",
}
DAMAGED = {
    "en": "Sorry, this file seems to be damaged and I cannot open it, so please send it again.",
    "km": "សូមទោស ឯកសារនេះហាក់ដូចជាខូច ហើយខ្ញុំមិនអាចបើកវាបានទេ ដូច្នេះសូមផ្ញើវាម្តងទៀត។",
}
LOCKED = {
    "en": "Sorry, this PDF is protected by a password, so please send a copy without the password.",
    "km": "សូមទោស ឯកសារ PDF នេះត្រូវបានការពារដោយពាក្យសម្ងាត់ ដូច្នេះសូមផ្ញើច្បាប់ចម្លងដែលគ្មានពាក្យសម្ងាត់។",
}
EMPTY = {
    "en": "Sorry, this file is empty, so please send it again.",
    "km": "សូមទោស ឯកសារនេះទទេ ដូច្នេះសូមផ្ញើវាម្តងទៀត។",
}


def file(data: bytes, filename: str = "evidence.jpg", mime_type: str = "image/jpeg") -> Attachment:
    return Attachment(kind="image", filename=filename, mime_type=mime_type, data=data)


async def refusal(intake: FileIntake, attachment: Attachment) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        await intake.take(attachment)
    return caught.value


def said(error: FileRefused) -> dict[str, str]:
    """What the user is told, in each language."""
    sentences = {}
    for locale in ("en", "km"):
        with use_locale(locale):
            sentences[locale] = error.message()
    return sentences


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (100_000, 100_000),  # over twice Pillow's own limit: Pillow refuses while opening
        (10_000, 10_000),  # between Pillow's warning and its error
        (9_000, 8_000),  # 72 megapixels: under Pillow's limits, over ours
    ],
)
async def test_a_small_png_declaring_a_huge_image_is_refused_unopened(
    intake: FileIntake, engine: AsyncEngine, width: int, height: int
) -> None:
    bomb = png_declaring(width, height)
    assert len(bomb) < 100
    error = await refusal(intake, file(bomb, "screenshot.png", "image/png"))
    assert error.reason is RefusalReason.TOO_MANY_PIXELS
    assert said(error) == TOO_MANY_PIXELS
    assert await stored_rows(engine) == 0


async def test_a_real_decompression_bomb_is_refused_before_it_is_decoded(
    intake: FileIntake,
) -> None:
    # 72 million black pixels in 70 kB: decoding it would take 72 MB; it is never decoded.
    bomb = png_bomb(9_000, 8_000)
    assert len(bomb) < 200_000
    error = await refusal(intake, file(bomb, "photo.png", "image/png"))
    assert error.reason is RefusalReason.TOO_MANY_PIXELS
    assert said(error) == TOO_MANY_PIXELS


async def test_the_pixel_limit_is_the_configured_one(engine: AsyncEngine) -> None:
    small = FileIntake(engine, FileLimits(max_image_pixels=250_000))
    await small.take(file(encode(picture(500, 500), "PNG"), "ok.png"))  # exactly at the limit
    error = await refusal(small, file(encode(picture(501, 500), "PNG"), "big.png"))
    with use_locale("en"):
        assert "(the limit is 0.25 megapixels)" in error.message()


async def test_a_file_over_the_limit_is_refused_with_the_limit(
    intake: FileIntake, engine: AsyncEngine
) -> None:
    photo = jpeg_with_gps()
    oversize = photo + b"\x00" * (20 * 1024 * 1024 + 1 - len(photo))
    error = await refusal(intake, file(oversize))
    assert error.reason is RefusalReason.TOO_LARGE
    assert said(error) == TOO_LARGE
    assert await stored_rows(engine) == 0


async def test_the_size_limit_comes_from_the_environment(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CETS_MAX_FILE_BYTES", str(512 * 1024))
    intake = FileIntake(engine, FileLimits.from_env())
    document = pdf(pages=1)
    assert (await intake.take(file(document, "a.pdf", "application/pdf"))).kind == "pdf"
    error = await refusal(intake, file(document + b" " * 512 * 1024, "b.pdf"))
    with use_locale("en"):
        assert "(the limit is 0.5 MB)" in error.message()
    with use_locale("km"):
        assert "(ទំហំអតិបរមាគឺ 0.5 មេកាបៃ)" in error.message()


@pytest.mark.parametrize(
    ("data", "filename", "mime_type"),
    [
        (b"Receipt: 25 USD paid to Sokha Fashion\n", "receipt.jpg", "image/jpeg"),
        (zip_archive(), "evidence.pdf", "application/pdf"),
        (encode(picture(64, 64), "GIF"), "funny.gif", "image/gif"),
        (encode(picture(64, 64), "BMP"), "scan.bmp", "image/bmp"),
        (encode(picture(64, 64), "TIFF"), "scan.tiff", "image/tiff"),
        (b"\x1aE\xdf\xa3" + b"\x00" * 500, "video.webm", "video/webm"),
    ],
    ids=["text named .jpg", "zip named .pdf", "gif", "bmp", "tiff", "webm"],
)
async def test_anything_but_a_photo_or_a_pdf_is_refused(
    intake: FileIntake, engine: AsyncEngine, data: bytes, filename: str, mime_type: str
) -> None:
    error = await refusal(intake, file(data, filename, mime_type))
    assert error.reason is RefusalReason.NOT_ACCEPTED
    assert said(error) == NOT_ACCEPTED
    assert await stored_rows(engine) == 0


@pytest.mark.parametrize(
    "data",
    [
        jpeg_with_gps()[:3000],  # a photo cut short in transfer
        encode(picture(), "PNG")[:-2000],
        pdf()[:-400],  # a PDF cut short: no %%EOF
        b"%PDF-1.7\n" + b"garbage " * 100 + b"\n%%EOF\n",  # the header and nothing readable
    ],
    ids=["truncated jpeg", "truncated png", "truncated pdf", "pdf without objects"],
)
async def test_a_damaged_file_is_refused(intake: FileIntake, data: bytes) -> None:
    error = await refusal(intake, file(data))
    assert error.reason is RefusalReason.DAMAGED
    assert said(error) == DAMAGED


async def test_a_pdf_that_needs_a_password_is_refused(intake: FileIntake) -> None:
    error = await refusal(intake, file(pdf(password="sokha2026"), "statement.pdf"))
    assert error.reason is RefusalReason.LOCKED
    assert said(error) == LOCKED


async def test_an_empty_file_is_refused(intake: FileIntake) -> None:
    error = await refusal(intake, file(b""))
    assert said(error) == EMPTY


def test_the_log_text_of_a_refusal_is_english_and_has_no_file_name() -> None:
    error = FileRefused(RefusalReason.TOO_LARGE, limit=20 * 1024 * 1024, detail="25000000 bytes")
    assert str(error) == "too_large: 25000000 bytes"
