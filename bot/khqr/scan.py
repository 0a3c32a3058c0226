"""Find QR codes in a photo or screenshot (zxing-cpp on Pillow images).

A phone photo of a printed code is tilted, blurred and JPEG-compressed; a screenshot is large
with the code in a corner. zxing-cpp finds codes at any angle and scale in the image as it is;
when it finds none, a few cheap preparations are tried in turn: small images upscaled,
contrast stretched, sharpened, a hard threshold, and the image turned by a few degrees. The
work is CPU-bound: call :func:`read_qr_codes` through ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator

import zxingcpp
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000
"""Larger images are not decoded (a 48 MP photo is 48 million; screenshots are far smaller)."""
SMALL_SIDE = 800
"""Images whose shorter side is below this are also tried upscaled."""
MAX_SIDE = 2400
"""Larger images are tried downscaled first (zxing-cpp also downscales by itself)."""
TILTS = (8, -8, 20, -20)
_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def open_image(data: bytes) -> Image.Image | None:
    """The picture in ``data`` in grayscale, upright, or None when it is not a usable image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                return None
            image.load()
        upright = ImageOps.exif_transpose(image) or image
        return upright.convert("L")
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except (OSError, ValueError, SyntaxError):
        log.info("an image could not be read", exc_info=True)
        return None


def _resized(image: Image.Image, factor: float) -> Image.Image:
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _preparations(image: Image.Image) -> Iterator[Image.Image]:
    """The image, then versions of it that help the decoder with poor photos."""
    longest = max(image.size)
    base = _resized(image, MAX_SIDE / longest) if longest > MAX_SIDE else image
    yield base
    if min(base.size) < SMALL_SIDE:
        base = _resized(base, min(3.0, SMALL_SIDE * 1.5 / max(1, min(base.size))))
        yield base
    stretched = ImageOps.autocontrast(base, cutoff=1)
    yield stretched
    sharpened = stretched.filter(ImageFilter.UnsharpMask(radius=2, percent=160, threshold=2))
    yield sharpened
    yield sharpened.point(lambda value: 255 if value > 128 else 0)
    for angle in TILTS:
        yield sharpened.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def decode_image(image: Image.Image) -> tuple[str, ...]:
    """The texts of the QR codes in a grayscale image, first preparation that finds any."""
    for candidate in _preparations(image):
        codes = zxingcpp.read_barcodes(
            candidate,
            formats=_QR,
            try_rotate=True,
            try_downscale=True,
            try_invert=True,
        )
        texts = [code.text for code in codes if code.valid and code.text]
        if texts:
            return tuple(dict.fromkeys(texts))
    return ()


def read_qr_codes(data: bytes) -> tuple[str, ...]:
    """The texts of the QR codes in an image file's bytes (none for a non-image)."""
    image = open_image(data)
    return decode_image(image) if image is not None else ()
