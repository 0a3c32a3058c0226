"""The load benchmark's messages: what real users write, in all four writing styles.

Phrases come from the NLU's held-out split (``nlu/eval``, never trained on), so they read like
users and not like training data: Khmer script, English, mixed Khmer-English and romanized
Khmer. Intents are weighted roughly as a front-door bot sees them (greetings, fees, documents
and shop checks most; flows and goodbyes less), with shop checks also naming the registry's
demo shops by page, phone and certificate number.

Users follow *scripts*: a few fixed message sequences, each mostly in one writing style. Every
user of a script sends the same sequence, so a script's replies, measured once on its own
(the calibration), tell exactly which replies each message of every user must get.

Each user's copy of a message carries a marker of invisible characters of its own
(:func:`personal`), which the bot's normalisation removes: no two users send byte-identical
text, so no cache in the bot can pass one user's work on to another (real users seldom send
the same text at the same moment), and the replies stay those of the calibration.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

EVAL_DIR: Final = Path(__file__).resolve().parent.parent / "nlu" / "eval"
STYLES: Final = ("khmer", "english", "mixed", "romanized")

# Relative frequency of each intent in the mix.
INTENT_WEIGHTS: Final = {
    "greet": 14,
    "ask_fee": 14,
    "ask_documents": 10,
    "check_shop": 12,
    "about_trustmark": 9,
    "ask_criteria": 7,
    "thanks": 8,
    "help": 5,
    "goodbye": 4,
    "ask_eligibility": 4,
    "apply": 3,
    "application_status": 2,
    "complain": 2,
    "out_of_scope": 4,
    "affirm": 1,
    "deny": 1,
}

# Shop checks that hit the demo registry (cets-bot registry seed-demo).
DEMO_SHOP_CHECKS: Final = {
    "khmer": ("ហាងនេះមានត្រាទេ facebook.com/sokhafashion.demo", "លេខ 012 345 602 ជាហាងពិតទេ"),
    "english": ("is facebook.com/sokhafashion.demo certified?", "check CETS-2025-000002"),
    "mixed": ("check page facebook.com/angkorcrafts.demo មាន trustmark ទេ", "012 345 603 ពិតទេ"),
    "romanized": (
        "hang nis mean trustmark te t.me/sokhafashion_demo",
        "pinit 012 345 601 oy phong",
    ),
}


def load_phrases(eval_dir: Path = EVAL_DIR) -> dict[str, dict[str, list[str]]]:
    """Style -> intent -> example phrases, from the held-out split."""
    phrases: dict[str, dict[str, list[str]]] = {}
    for style in STYLES:
        document = yaml.safe_load((eval_dir / f"test_{style}.yml").read_text(encoding="utf-8"))
        by_intent: dict[str, list[str]] = {}
        for block in document["nlu"]:
            examples = [
                line[2:].strip()
                for line in str(block["examples"]).splitlines()
                if line.strip().startswith("- ")
            ]
            by_intent.setdefault(str(block["intent"]), []).extend(examples)
        phrases[style] = by_intent
    return phrases


@dataclass(frozen=True, slots=True)
class Script:
    """One fixed sequence of messages, mostly in one writing style."""

    number: int
    style: str
    messages: tuple[str, ...]


_INVISIBLE: Final = ("\u200b", "\u200c")  # zero-width space, zero-width non-joiner


def personal(text: str, user: int) -> str:
    """The text as ``user`` sends it: with the user's number in invisible characters."""
    return text + "".join(_INVISIBLE[int(bit)] for bit in f"1{user:b}")


def without_markers(text: str) -> str:
    """The text with every user's marker taken out (a reply that quotes the message)."""
    return text.translate(_UNMARK)


_UNMARK: Final = {ord(ch): None for ch in _INVISIBLE}


def make_scripts(count: int, length: int, *, seed: int = 13) -> list[Script]:
    """``count`` scripts of ``length`` messages; 80% in the script's style, 20% in others."""
    phrases = load_phrases()
    rng = random.Random(seed)
    intents = list(INTENT_WEIGHTS)
    weights = [INTENT_WEIGHTS[i] for i in intents]
    scripts: list[Script] = []
    for number in range(count):
        home = STYLES[number % len(STYLES)]
        messages: list[str] = []
        for _ in range(length):
            style = home if rng.random() < 0.8 else rng.choice(STYLES)
            intent = rng.choices(intents, weights)[0]
            if intent == "check_shop" and rng.random() < 0.5:
                messages.append(rng.choice(DEMO_SHOP_CHECKS[style]))
                continue
            pool = phrases[style].get(intent) or phrases["english"][intent]
            messages.append(rng.choice(pool))
        scripts.append(Script(number, home, tuple(messages)))
    return scripts


def style_counts(scripts: list[Script]) -> dict[str, int]:
    """How many messages each writing style contributes (for the report)."""
    phrases = load_phrases()
    owner: dict[str, str] = {}
    for style, by_intent in phrases.items():
        for examples in by_intent.values():
            for example in examples:
                owner.setdefault(example, style)
    for style, checks in DEMO_SHOP_CHECKS.items():
        for check in checks:
            owner[check] = style
    counts = dict.fromkeys(STYLES, 0)
    for script in scripts:
        for message in script.messages:
            counts[owner.get(message, "english")] += 1
    return counts
