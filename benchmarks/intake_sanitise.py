"""Benchmark: how long the file intake takes to check, clean and store typical files.

    PYTHONPATH=. .venv/bin/python benchmarks/intake_sanitise.py [--runs 5] [--megabytes 10]

Makes a photo-like JPEG of about ``--megabytes`` MB (24 megapixels, GPS EXIF, quality chosen
to land on the size), a 12 megapixel PNG screenshot, a PDF of 200 blank pages, one of
12 scanned pages and a PNG bomb, then
times ``sanitise`` (the CPU part, run in a worker thread by the intake) and ``FileIntake.take``
(that plus the SQLite insert) for each. Prints the median and the worst of ``--runs`` runs and
how much a fresh process's peak memory grows while it cleans the photo and the screenshot.
Figures go in docs/intake.md.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import ExifTags, Image
from pypdf import PdfWriter

from bot.database import open_engine, prepare_database
from bot.intake import FileIntake, FileLimits, FileRefused
from bot.intake.sanitise import sanitise
from bot.messages import Attachment


def photo(width: int, height: int, seed: int = 1) -> Image.Image:
    """Smooth colours, fine grain and some edges: compresses like a camera photo."""
    rng = random.Random(seed)
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    gradient = Image.linear_gradient("L")
    red = gradient.resize((width, height))
    blue = gradient.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    green = Image.blend(grain, red, 0.55)
    image = Image.merge("RGB", (red, green, blue))
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        image.paste((rng.randrange(256),) * 3, (x, y, x + width // 20, y + height // 30))
    return image


def jpeg_near(image: Image.Image, target_bytes: int) -> bytes:
    """The image as a JPEG with GPS EXIF, at the quality whose size is nearest the target."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitude] = (11.0, 34.0, 35.0)
    low, high, best = 40, 98, b""
    while low <= high:
        quality = (low + high) // 2
        output = io.BytesIO()
        image.save(output, "JPEG", quality=quality, exif=exif)
        data = output.getvalue()
        if not best or abs(len(data) - target_bytes) < abs(len(best) - target_bytes):
            best = data
        if len(data) < target_bytes:
            low = quality + 1
        else:
            high = quality - 1
    return best


def screenshot_png(width: int, height: int) -> bytes:
    """A flat-coloured, text-like screenshot."""
    image = Image.new("RGB", (width, height), (250, 250, 250))
    rng = random.Random(2)
    for row in range(0, height, 40):
        for column in range(0, width, 12):
            if rng.random() < 0.6:
                image.paste((30, 30, 30), (column, row + 10, column + 8, row + 26))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def long_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def scanned_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` scanned A4 pages (JPEG images at 200 dpi), as Pillow writes one."""
    first, *rest = [photo(1654, 2339, seed=10 + page) for page in range(pages)]
    output = io.BytesIO()
    first.save(output, "PDF", save_all=True, append_images=rest, quality=80, resolution=200)
    return output.getvalue()


def png_bomb_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


_MEMORY_PROBE = """
import sys
from bot.intake import FileLimits
from bot.intake.sanitise import sanitise

def high_water_kb():  # VmHWM, unlike ru_maxrss, starts afresh at exec (Linux)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

data = open(sys.argv[1], "rb").read()
before = high_water_kb()
sanitise(data, FileLimits())
print((high_water_kb() - before) // 1024)
"""


def memory_of_sanitise(data: bytes) -> int:
    """Megabytes the process's peak memory grows by while one file is sanitised (fresh process)."""
    with tempfile.NamedTemporaryFile() as sample:
        sample.write(data)
        sample.flush()
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, sample.name],
            capture_output=True,
            text=True,
            check=True,
        )
    return int(result.stdout)


def timed(function: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def refused(data: bytes, limits: FileLimits) -> Callable[[], None]:
    def run() -> None:
        try:
            sanitise(data, limits)
        except FileRefused:
            return
        raise AssertionError("the bomb was not refused")

    return run


async def time_takes(samples: dict[str, bytes], runs: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        await prepare_database(url)
        engine = open_engine(url)
        intake = FileIntake(engine, FileLimits())
        results: dict[str, list[float]] = {}
        try:
            for name, data in samples.items():
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    await intake.take(Attachment("image", name, "", data))
                    times.append(time.perf_counter() - start)
                results[name] = times
        finally:
            await engine.dispose()
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--megabytes", type=float, default=10.0)
    args = parser.parse_args()
    limits = FileLimits()
    print("# making the samples", file=sys.stderr)
    big_photo = jpeg_near(photo(6000, 4000), int(args.megabytes * 1_000_000))
    samples = {
        "photo.jpg": big_photo,
        "phone-photo-12mp.jpg": jpeg_near(photo(4000, 3000, seed=3), 3_500_000),
        "screenshot.png": screenshot_png(3000, 4000),
        "blank-200-pages.pdf": long_pdf(200),
        "scan-12-pages.pdf": scanned_pdf(12),
    }
    width, height = Image.open(io.BytesIO(big_photo)).size
    print(
        f"photo.jpg: {len(big_photo) / 1e6:.1f} MB, {width}x{height}"
        f" ({width * height / 1e6:.0f} MP)"
    )
    for name, data in samples.items():
        times = timed(lambda data=data: sanitise(data, limits), args.runs)
        cleaned = sanitise(data, limits)
        print(
            f"sanitise {name:<22} {len(data) / 1e6:6.2f} MB -> {len(cleaned.data) / 1e6:6.2f} MB"
            f"  median {statistics.median(times) * 1000:7.0f} ms  worst {max(times) * 1000:7.0f} ms"
        )
    bomb = png_bomb_header(100_000, 100_000)
    times = timed(refused(bomb, limits), args.runs)
    print(
        f"refuse   PNG bomb 100000x100000 ({len(bomb)} bytes)"
        f"  median {statistics.median(times) * 1000:.2f} ms"
    )
    takes = asyncio.run(time_takes(samples, args.runs))
    for name, times in takes.items():
        print(
            f"take     {name:<22} (first stores, then duplicates)  first {times[0] * 1000:7.0f} ms"
            f"  median {statistics.median(times) * 1000:7.0f} ms"
        )
    for name in ("photo.jpg", "screenshot.png"):
        print(f"memory   {name:<22} peak grows by {memory_of_sanitise(samples[name])} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
