"""Photos and screenshots: typed from their bytes, stored without EXIF or GPS, stored once."""

from __future__ import annotations

import asyncio

import pytest
from PIL import ExifTags, Image, ImageChops, ImageStat, JpegImagePlugin, PngImagePlugin
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.intake import FileIntake, StoredFile
from bot.messages import Attachment
from tests.intake.conftest import stored_rows
from tests.intake.samples import encode, gps_exif, jpeg_with_gps, open_image, picture


def attachment(data: bytes, filename: str, mime_type: str = "image/jpeg") -> Attachment:
    return Attachment(kind="image", filename=filename, mime_type=mime_type, data=data)


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    """The average difference per channel value (0-255) between two images of one size."""
    assert first.size == second.size
    difference = ImageChops.difference(first.convert("RGB"), second.convert("RGB"))
    return sum(ImageStat.Stat(difference).mean) / 3


async def test_a_jpeg_with_gps_exif_is_stored_without_any_metadata(intake: FileIntake) -> None:
    original = jpeg_with_gps()
    sent = open_image(original)
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the photo says where it was taken
    assert b"taken at the shop" in original and b"GPSLatitude" in original

    stored = await intake.take(attachment(original, "IMG_2041.JPG"))

    assert (stored.kind, stored.mime_type, stored.filename) == (
        "image",
        "image/jpeg",
        "IMG_2041.JPG",
    )
    data = await intake.read(stored.sha256)
    assert stored.size == len(data)
    kept = open_image(data)
    assert kept.format == "JPEG"
    assert len(kept.getexif()) == 0
    assert not kept.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in kept.info and "xmp" not in kept.info and "comment" not in kept.info
    for trace in (b"Exif", b"GPS", b"Phone", b"taken at the shop", b"xmpmeta", b"2026:11:20"):
        assert trace not in data
    # Same picture, same quality: the photo's own quantisation tables and subsampling are kept.
    assert isinstance(sent, JpegImagePlugin.JpegImageFile)
    assert isinstance(kept, JpegImagePlugin.JpegImageFile)
    assert kept.quantization == sent.quantization
    assert JpegImagePlugin.get_sampling(kept) == JpegImagePlugin.get_sampling(sent)
    assert mean_difference(kept, sent) < 1.0
    assert 0.8 < len(data) / len(original) < 1.2


@pytest.mark.parametrize(
    ("orientation", "upright_size"), [(1, (640, 480)), (3, (640, 480)), (6, (480, 640))]
)
async def test_a_photo_is_turned_upright_before_its_exif_goes(
    intake: FileIntake, orientation: int, upright_size: tuple[int, int]
) -> None:
    image = picture()  # 640 x 480, dark square top left
    stored = await intake.take(attachment(jpeg_with_gps(image, orientation), "photo.jpg"))
    kept = open_image(await intake.read(stored.sha256))
    assert kept.size == upright_size
    assert "Orientation" not in str(kept.getexif())
    # The dark corner is where a viewer applying the orientation would have shown it.
    expected = {1: (0, 0), 3: (639, 479), 6: (479, 0)}[orientation]
    assert max(kept.convert("RGB").getpixel(expected)) < 40


async def test_a_png_named_pdf_is_typed_png_from_its_content(intake: FileIntake) -> None:
    screenshot = encode(picture(320, 200), "PNG")
    stored = await intake.take(
        Attachment(
            kind="file", filename="receipt.pdf", mime_type="application/pdf", data=screenshot
        )
    )
    assert (stored.kind, stored.mime_type, stored.filename) == ("image", "image/png", "receipt.png")
    kept = open_image(await intake.read(stored.sha256))
    assert kept.format == "PNG"
    assert ImageChops.difference(kept.convert("RGB"), picture(320, 200)).getbbox() is None


async def test_a_png_loses_its_exif_and_text_but_keeps_transparency(intake: FileIntake) -> None:
    image = picture(200, 100).convert("RGBA")
    image.putpixel((5, 5), (1, 2, 3, 0))
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Sokha, +855 12 345 678")
    data = encode(image, "PNG", pnginfo=text, exif=gps_exif())
    assert b"Sokha" in data

    kept_data = await intake.read((await intake.take(attachment(data, "a.png"))).sha256)

    kept = open_image(kept_data)
    assert b"Sokha" not in kept_data and b"eXIf" not in kept_data
    assert kept.mode == "RGBA" and kept.getpixel((5, 5)) == (1, 2, 3, 0)
    assert len(kept.getexif()) == 0


@pytest.mark.parametrize("lossless", [False, True])
async def test_webp_is_accepted_without_its_exif(intake: FileIntake, lossless: bool) -> None:
    image = picture(300, 200)
    options: dict[str, object] = {"lossless": True} if lossless else {"quality": 90}
    data = encode(image, "WEBP", exif=gps_exif().tobytes(), **options)
    assert b"GPS" in data or b"Exif" in data or b"EXIF" in data

    stored = await intake.take(attachment(data, "chat.webp", "application/octet-stream"))

    assert (stored.kind, stored.mime_type, stored.filename) == ("image", "image/webp", "chat.webp")
    kept_data = await intake.read(stored.sha256)
    kept = open_image(kept_data)
    assert kept.format == "WEBP" and kept.size == (300, 200)
    assert b"EXIF" not in kept_data and len(kept.getexif()) == 0
    if lossless:
        assert ImageChops.difference(kept.convert("RGB"), image).getbbox() is None
    else:  # encoded again at quality 95: little is lost beyond what the sender's encoding lost
        assert mean_difference(kept, open_image(data)) < 2.5


async def test_the_same_photo_twice_is_stored_once(intake: FileIntake, engine: AsyncEngine) -> None:
    photo = jpeg_with_gps()
    first = await intake.take(attachment(photo, "photo-1.jpg"))
    again = await intake.take(attachment(photo, "receipt (copy).jpg"))
    assert again.sha256 == first.sha256
    assert again.filename == "receipt (copy).jpg"  # each answer keeps the name it was sent with
    assert await stored_rows(engine) == 1
    # The row keeps the name of the first sending.
    assert await intake.get(first.sha256) == first
    other = await intake.take(attachment(jpeg_with_gps(picture(seed=1)), "other.jpg"))
    assert other.sha256 != first.sha256
    assert await stored_rows(engine) == 2


async def test_the_same_photo_with_or_without_its_exif_is_one_stored_file(
    intake: FileIntake, engine: AsyncEngine
) -> None:
    image = picture(seed=3)
    with_gps = jpeg_with_gps(image)
    without = encode(image, "JPEG", quality=85)
    assert with_gps != without
    first = await intake.take(attachment(with_gps, "a.jpg"))
    second = await intake.take(attachment(without, "b.jpg"))
    assert first.sha256 == second.sha256
    assert await stored_rows(engine) == 1


async def test_a_stored_file_round_trips_through_json(intake: FileIntake) -> None:
    stored = await intake.take(attachment(jpeg_with_gps(), "C:\\Users\\dara\\Desktop\\shop.jpeg"))
    assert stored.filename == "shop.jpeg"
    assert StoredFile.from_json(stored.to_json()) == stored
    with pytest.raises(ValueError, match="sha256"):
        StoredFile.from_json({**stored.to_json(), "sha256": "../etc/passwd"})
    with pytest.raises(ValueError, match="kind"):
        StoredFile.from_json({**stored.to_json(), "kind": "zip"})


async def test_concurrent_takes_of_one_photo_store_one_row(
    intake: FileIntake, engine: AsyncEngine
) -> None:
    photo = jpeg_with_gps(picture(seed=7))
    results = await asyncio.gather(*(intake.take(attachment(photo, f"{i}.jpg")) for i in range(5)))
    assert len({stored.sha256 for stored in results}) == 1
    assert await stored_rows(engine) == 1
    assert len(await intake.read(results[0].sha256)) == results[0].size
