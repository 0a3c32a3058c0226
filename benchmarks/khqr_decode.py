"""Benchmark: finding and reading KHQR codes in photos and screenshots as shoppers send them.

    PYTHONPATH=. .venv/bin/python benchmarks/khqr_decode.py [--codes 12] [--seed 7]

Makes KHQR codes of every shape (individual and merchant, riel and dollars, bank-issued with a
generic first sub-tag), then images of them degraded like a phone photo (tilted 0-40 degrees,
Gaussian blur 0.6-2.2 px, JPEG quality 35, noise, dim light) at three print sizes, plus chat
screenshots, and images without any code. Reports, per kind of image, the share decoded to
exactly the right payload (CRC checked) and the decode time per image (median and p95, one
thread). Figures go in docs/shop-check.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict

from PIL import Image, ImageDraw

from bot.khqr import parse_khqr, read_qr_codes
from tests.khqr.codes import Khqr, jpeg, phone_photo, qr_image, screenshot


def codes(count: int, rng: random.Random) -> list[str]:
    """Payloads of ``count`` codes, cycling through the shapes KHQR codes come in."""
    made: list[str] = []
    for n in range(count):
        shape = n % 3
        currency, amount = rng.choice([("116", None), ("116", "60000"), ("840", "15.50")])
        if shape == 0:
            code = Khqr(f"seller_{n}@aclb", f"SELLER {n}", currency=currency, amount=amount)
        elif shape == 1:
            code = Khqr(
                f"shop_{n}@wing", f"SHOP {n}", merchant=True, account=f"M-{n:04d}", bank="Wing"
            )
        else:
            code = Khqr(
                "abaakhppxxx@abaa",
                f"MERCHANT {n}",
                merchant=True,
                account=f"{rng.randrange(10**8, 10**9)}",
                bank="ABA Bank",
                currency=currency,
                amount=amount,
            )
        made.append(code.payload())
    return made


def no_code_image(rng: random.Random) -> bytes:
    """A product photo: shapes and colours, no code."""
    picture = Image.new("RGB", (1200, 900), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(picture)
    for _ in range(12):
        x, y = rng.randrange(1100), rng.randrange(800)
        draw.ellipse((x, y, x + 150, y + 120), fill=tuple(rng.randrange(256) for _ in range(3)))
    return jpeg(picture, 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    decoded: dict[str, list[bool]] = defaultdict(list)
    timings: dict[str, list[float]] = defaultdict(list)

    def run(kind: str, image: bytes, expected: str | None) -> None:
        started = time.perf_counter()
        found = read_qr_codes(image)
        timings[kind].append(time.perf_counter() - started)
        if expected is None:
            decoded[kind].append(found == ())
        else:
            decoded[kind].append(found == (expected,) and parse_khqr(found[0]) is not None)

    for payload in codes(args.codes, rng):
        for scale in (3, 5, 8):
            for angle, blur in ((2, 0.6), (7, 1.2), (15, 1.6), (-25, 2.2), (40, 1.0)):
                kind = f"photo, {scale}px modules, blur {'<=1.2' if blur <= 1.2 else '>1.2'}"
                run(
                    kind,
                    phone_photo(qr_image(payload, scale=scale), angle=angle, blur=blur),
                    payload,
                )
        run("chat screenshot", screenshot(qr_image(payload)), payload)
        run("no code (must find none)", no_code_image(rng), None)
    print(f"{'image':<40} {'n':>4} {'decoded':>8} {'median ms':>10} {'p95 ms':>8}")
    for kind in sorted(decoded):
        ok, times = decoded[kind], sorted(timings[kind])
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{kind:<40} {len(ok):>4} {sum(ok) / len(ok):>8.0%} "
            f"{statistics.median(times) * 1000:>10.0f} {p95 * 1000:>8.0f}"
        )


if __name__ == "__main__":
    main()
