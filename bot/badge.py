"""The trustmark badge a certified shop displays: a PNG with the mark, its names and a QR code.

The QR code opens the live verification of the certificate: the public register's page
(``CETS_PUBLIC_BASE_URL/v/<id>``) when that is configured, else the bot
(``https://t.me/<bot>?start=cert_<id>``). :func:`verification_links` gives every link of a
certificate (web, ``t.me``, ``m.me``) for messages that go with the badge.

Khmer needs complex text layout: Pillow's Raqm engine (bundled in its wheels, with Debian's
libfribidi0) and a Khmer font (Debian's fonts-khmeros or fonts-noto-core;
``scripts/install-web-deps.sh`` installs them). The font is looked up at run time, with
``CETS_BADGE_FONT_KHMER`` / ``CETS_BADGE_FONT_LATIN`` as overrides and fontconfig as the last
resort.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Final

import segno
from PIL import Image, ImageDraw, ImageFont, features

from bot.i18n import _, format_long_date, use_locale
from bot.public_links import (
    LinksConfigError,
    PublicLinks,
    VerificationLinks,
    verification_links,
)

__all__ = [
    "LinksConfigError",
    "VerificationLinks",
    "khmer_font_path",
    "render_badge",
    "verification_links",
]

log = logging.getLogger(__name__)

KHMER_FONTS: Final = (
    "/usr/share/fonts/truetype/khmeros/KhmerOSbattambang.ttf",
    "/usr/share/fonts/truetype/khmeros/KhmerOS.ttf",
    "/usr/share/fonts/truetype/khmeros/KhmerOSsys.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSerifKhmer-Regular.ttf",
)
LATIN_FONTS: Final = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)

WIDTH: Final = 800
HEIGHT: Final = 1120
MARGIN: Final = 40
QR_SIZE: Final = 480
GREEN: Final = (10, 125, 59)
INK: Final = (20, 28, 24)
GREY: Final = (90, 98, 94)
WHITE: Final = (255, 255, 255)


def _first_file(candidates: Sequence[str]) -> str | None:
    return next((c for c in candidates if Path(c).is_file()), None)


def _fontconfig(pattern: str) -> str | None:
    """The file fontconfig picks for ``pattern`` (None without fontconfig)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run(
            [fc_match, "--format=%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found if found and Path(found).is_file() else None


@cache
def khmer_font_path() -> str | None:
    """A font file with Khmer glyphs: the override, Debian's Khmer OS or Noto, or fontconfig's."""
    override = os.environ.get("CETS_BADGE_FONT_KHMER")
    if override and Path(override).is_file():
        return override
    found = _first_file(KHMER_FONTS) or _fontconfig(":lang=km")
    if found is None:
        log.warning("no Khmer font found: install fonts-khmeros (scripts/install-web-deps.sh)")
    return found


@cache
def latin_font_path() -> str | None:
    """A bold Latin font file: the override, DejaVu/Noto/Liberation, or the Khmer font."""
    override = os.environ.get("CETS_BADGE_FONT_LATIN")
    if override and Path(override).is_file():
        return override
    return _first_file(LATIN_FONTS) or _fontconfig("sans-serif:bold") or khmer_font_path()


@cache
def _font(path: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path is None:
        return ImageFont.load_default(size)
    if features.check("raqm"):
        return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)
    log.warning("Pillow has no Raqm layout: Khmer on the badge will not be shaped correctly")
    return ImageFont.truetype(path, size)


def _fitting_font(
    draw: ImageDraw.ImageDraw, text: str, path: str | None, size: int, width: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The largest font up to ``size`` in which ``text`` fits ``width`` pixels."""
    while size > 14:
        font = _font(path, size)
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= width:
            return font
        size -= 2
    return _font(path, size)


def _centred(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    fill: tuple[int, int, int],
) -> int:
    """Draw ``text`` centred at height ``y``; the y below it."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) // 2 - left, y - top), text, font=font, fill=fill)
    return y + round(bottom - top)


def _qr_image(target: str, size: int) -> Image.Image:
    """A QR code of ``target`` (error correction Q: it survives a smudged print) about
    ``size`` pixels wide, with its quiet zone."""
    code = segno.make(target, error="q", micro=False)
    rows = [bytes(255 * (1 - bit) for bit in row) for row in code.matrix_iter(scale=1, border=4)]
    modules = Image.frombytes("L", (len(rows[0]), len(rows)), b"".join(rows))
    scale = max(1, size // modules.width)
    return modules.resize((modules.width * scale, modules.height * scale), Image.Resampling.NEAREST)


def _draw_mark(draw: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    """The trustmark: a white shield with a green tick (placeholder for the Ministry's artwork)."""

    def point(px: float, py: float) -> tuple[float, float]:
        return x + px * size, y + py * size

    shield = [(0.5, 0.0), (0.94, 0.15), (0.9, 0.55), (0.5, 1.0), (0.1, 0.55), (0.06, 0.15)]
    draw.polygon([point(*p) for p in shield], fill=WHITE)
    tick = [(0.27, 0.5), (0.44, 0.68), (0.75, 0.33)]
    draw.line([point(*p) for p in tick], fill=GREEN, width=max(3, size // 10), joint="curve")


def render_badge(
    certificate_id: str,
    names: tuple[str, str | None],
    valid_until: date,
    locale: str,
    *,
    links: PublicLinks | None = None,
) -> bytes:
    """The badge PNG of a certificate: the mark, ``names`` (Latin, Khmer), the certificate
    number, ``valid_until`` and the QR code of its live verification, labelled in ``locale``.

    CPU-bound (tens of milliseconds): from async code run it with ``asyncio.to_thread``.
    Raises :class:`LinksConfigError` when neither the public register's address nor the
    bot's user name is configured (the QR code would have nowhere to point).
    """
    target = verification_links(certificate_id, links).qr_target
    latin_name, khmer_name = names
    khmer = khmer_font_path()
    latin = latin_font_path()
    label_font_path = khmer if locale == "km" else latin
    with use_locale(locale):
        title = _("E-commerce Trustmark")
        issuer = _("Ministry of Commerce, Kingdom of Cambodia")
        number = _("Certificate {number}").format(number=certificate_id)
        until = _("Valid until {date}").format(date=format_long_date(valid_until))
        scan = _("Scan to see if it is valid today")

    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH - 1, HEIGHT - 1), outline=GREEN, width=10)
    draw.rectangle((0, 0, WIDTH, 190), fill=GREEN)
    _draw_mark(draw, MARGIN, 30, 130)
    text_x = MARGIN + 160
    cets_font = _font(latin, 72)
    draw.text((text_x, 28), "CETS", font=cets_font, fill=WHITE)
    title_font = _fitting_font(draw, title, label_font_path, 34, WIDTH - text_x - MARGIN)
    draw.text((text_x, 118), title, font=title_font, fill=WHITE)

    y = 232
    inner = WIDTH - 2 * MARGIN
    if khmer_name:
        y = _centred(draw, y, khmer_name, _fitting_font(draw, khmer_name, khmer, 56, inner), INK)
        y += 26
    y = _centred(draw, y, latin_name, _fitting_font(draw, latin_name, latin, 44, inner), INK)
    y += 30
    y = _centred(draw, y, number, _fitting_font(draw, number, label_font_path, 32, inner), GREY)
    y += 16
    y = _centred(draw, y, until, _fitting_font(draw, until, label_font_path, 32, inner), GREEN)
    y += 24

    qr = _qr_image(target, QR_SIZE)
    image.paste(qr, ((WIDTH - qr.width) // 2, y))
    y += qr.height + 8
    y = _centred(draw, y, scan, _fitting_font(draw, scan, label_font_path, 30, inner), INK)
    _centred(
        draw,
        HEIGHT - 62,
        issuer,
        _fitting_font(draw, issuer, label_font_path, 24, inner),
        GREY,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
