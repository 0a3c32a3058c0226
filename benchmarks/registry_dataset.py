"""A deterministic synthetic register of e-commerce businesses for the registry benchmarks."""

from __future__ import annotations

import csv
import random
from pathlib import Path

LATIN = [
    "Sokha",
    "Bopha",
    "Dara",
    "Srey",
    "Mekong",
    "Angkor",
    "Tonle",
    "Kampot",
    "Lucky",
    "Golden",
    "Royal",
    "Lotus",
    "Apsara",
    "Naga",
    "Sunrise",
    "Phnom",
    "Siem",
    "Koh",
]
KIND = [
    "Fashion",
    "Mobile",
    "Cosmetics",
    "Crafts",
    "Pepper",
    "Silk",
    "Jewelry",
    "Books",
    "Electronics",
    "Coffee",
    "Shoes",
    "Toys",
    "Bags",
    "Furniture",
    "Spa",
    "Bakery",
]
KHMER = [
    "សុខា",
    "បុប្ផា",
    "តារា",
    "ស្រី",
    "មេគង្គ",
    "អង្គរ",
    "ទន្លេ",
    "កំពត",
    "សំណាង",
    "មាស",
    "រាជ",
    "ឈូក",
    "អប្សរា",
    "នាគ",
]
KHMER_KIND = [
    "ហ្វេសិន",
    "ទូរស័ព្ទ",
    "គ្រឿងសម្អាង",
    "ហស្តកម្ម",
    "ម្រេច",
    "សូត្រ",
    "គ្រឿងអលង្ការ",
    "សៀវភៅ",
    "កាហ្វេ",
    "ស្បែកជើង",
]
CATEGORIES = ["individual", "sole_proprietorship", "legal_person", "foreign_branch"]
HEADER = [
    "registration_no",
    "name",
    "name_km",
    "category",
    "registered_on",
    "facebook",
    "telegram",
    "website",
    "phone",
]


def business_row(index: int, rng: random.Random) -> dict[str, str]:
    """One business with a page, a handle, often a website, and one or two phones."""
    slug = f"{rng.choice(LATIN).lower()}{rng.choice(KIND).lower()}{index}"
    phones = [f"0{rng.choice('1789')}{index:07d}"[:10]]
    if index % 3 == 0:
        phones.append(f"09{index:07d}")
    return {
        "registration_no": f"EC-{2020 + index % 5}-{index:06d}",
        "name": f"{rng.choice(LATIN)} {rng.choice(KIND)} {index}",
        "name_km": f"{rng.choice(KHMER)} {rng.choice(KHMER_KIND)} {index}",
        "category": CATEGORIES[index % 4],
        "registered_on": f"{2020 + index % 5}-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "facebook": f"https://www.facebook.com/{slug}",
        "telegram": f"@{slug}_shop",
        "website": f"https://www.{slug}.com.kh/" if index % 2 == 0 else "",
        "phone": "; ".join(f"{p[:3]} {p[3:6]} {p[6:]}" for p in phones),
    }


def write_csv(path: Path, count: int, seed: int = 2025) -> list[dict[str, str]]:
    """Write ``count`` businesses to ``path``; the rows, for picking lookup queries."""
    rng = random.Random(seed)
    rows = [business_row(i, rng) for i in range(1, count + 1)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return rows
