"""Files made in the tests with Pillow, pypdf and zlib: photos with GPS, bombs, PDFs, others."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

from PIL import ExifTags, Image
from pypdf import PdfWriter

# Phnom Penh, Wat Phnom: where the test photos say they were taken.
LATITUDE = (11.0, 34.0, 35.0)
LONGITUDE = (104.0, 55.0, 22.0)


def picture(width: int = 640, height: int = 480, seed: int = 0) -> Image.Image:
    """A photo-like RGB image: smooth colours with some noise, a dark square top left."""
    noise = random.Random(seed).randbytes(width * height)
    grey = Image.frombytes("L", (width, height), noise)
    gradient = Image.linear_gradient("L")
    red = gradient.resize((width, height))
    blue = gradient.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    image = Image.merge("RGB", (red, Image.blend(grey, red, 0.7), blue))
    image.paste((10, 10, 10), (0, 0, width // 4, height // 4))
    return image


def gps_exif(orientation: int = 1) -> Image.Exif:
    """EXIF with a camera, a date, GPS coordinates and an orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Model] = "Camera 12"
    exif[ExifTags.Base.DateTime] = "2026:11:20 09:15:00"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = LONGITUDE
    return exif


def encode(image: Image.Image, format: str, **options: object) -> bytes:
    """The image encoded by Pillow."""
    output = io.BytesIO()
    image.save(output, format=format, **options)
    return output.getvalue()


def jpeg_with_gps(image: Image.Image | None = None, orientation: int = 1) -> bytes:
    """A JPEG (quality 85) carrying GPS EXIF, XMP and a comment, as phones and editors write."""
    return encode(
        image or picture(),
        "JPEG",
        quality=85,
        exif=gps_exif(orientation),
        comment=b"taken at the shop",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>11,34.58N'
        b"</exif:GPSLatitude></x:xmpmeta>",
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A few dozen bytes of PNG whose header declares a ``width`` x ``height`` RGB image."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def png_bomb(width: int, height: int) -> bytes:
    """A complete, valid grey PNG of ``width`` x ``height`` black pixels, highly compressed."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte, then one byte per pixel
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def pdf(pages: int = 1, password: str | None = None) -> bytes:
    """A PDF of blank A4 pages, optionally needing ``password`` to open."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Business registration"})
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def zip_archive() -> bytes:
    """A zip file holding a JPEG."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("receipt.jpg", jpeg_with_gps())
    return output.getvalue()


def open_image(data: bytes) -> Image.Image:
    """The image in ``data``, loaded."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
