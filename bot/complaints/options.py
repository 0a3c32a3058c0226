"""Typed answers of the complaint wizard: what went wrong and how the shopper paid.

Option tables for the shared step-answer matcher (:mod:`bot.answers`): Khmer script, English
and romanized Khmer words, exact phrases first (longest wins: "fake trustmark" is not "fake
goods"), then small typos.
"""

from __future__ import annotations

from typing import Final

from bot.answers import Option, match_choice
from bot.answers.eligibility_options import OTHER_WORDS

CATEGORY_OPTIONS: Final = (
    Option.of(
        "non_delivery",
        "not delivered",
        "never delivered",
        "never arrived",
        "never came",
        "did not arrive",
        "didnt arrive",
        "not received",
        "never received",
        "nothing came",
        "nothing arrived",
        "no delivery",
        "មិនបានទទួល",
        "មិនទាន់ទទួល",
        "មិនទាន់បានទទួល",
        "អត់បានទទួល",
        "អត់ទាន់បានទទួល",
        "មិនបានទទួលទំនិញ",
        "min ban tortuol",
        "ot ban tortuol",
        "ot tan ban",
    ),
    Option.of(
        "defective",
        "broken",
        "damaged",
        "defect",
        "fake",
        "fake goods",
        "counterfeit",
        "not working",
        "does not work",
        "doesnt work",
        "ខូច",
        "ទំនិញខូច",
        "ក្លែងក្លាយ",
        "ទំនិញក្លែងក្លាយ",
        "មិនដំណើរការ",
        "khouch",
        "kouch",
    ),
    Option.of(
        "not_as_described",
        "not as described",
        "not as shown",
        "not like the photo",
        "different from the photo",
        "not the same",
        "wrong item",
        "wrong size",
        "wrong colour",
        "wrong color",
        "មិនដូចការពិពណ៌នា",
        "មិនដូចរូប",
        "ខុសពីរូប",
        "ខុសពីការពិពណ៌នា",
        "khos pi roub",
        "min doch roub",
    ),
    Option.of(
        "refund_refused",
        "refund",
        "no refund",
        "money back",
        "refused to refund",
        "will not refund",
        "wont refund",
        "សងប្រាក់",
        "សងលុយ",
        "មិនព្រមសងប្រាក់",
        "មិនព្រមសងលុយ",
        "song luy",
        "song prak",
    ),
    Option.of(
        "personal_data",
        "personal data",
        "my data",
        "privacy",
        "my photo",
        "my phone number",
        "my address",
        "ទិន្នន័យផ្ទាល់ខ្លួន",
        "ព័ត៌មានផ្ទាល់ខ្លួន",
        "ទិន្នន័យ",
    ),
    Option.of(
        "misuse_of_mark",
        "fake trustmark",
        "trustmark",
        "trust mark",
        "badge",
        "fake badge",
        "fake certificate",
        "copied badge",
        "ស្លាកសញ្ញា",
        "ស្លាកសញ្ញាក្លែងក្លាយ",
        "វិញ្ញាបនបត្រក្លែង",
        "វិញ្ញាបនបត្រក្លែងក្លាយ",
    ),
    Option.of(
        "fraud",
        "scam",
        "scammer",
        "scammed",
        "fraud",
        "cheat",
        "cheated",
        "blocked me",
        "បោកប្រាស់",
        "ការបោកប្រាស់",
        "បោក",
        "bok pras",
        "bok",
    ),
    Option("other", OTHER_WORDS),
)

PAYMENT_OPTIONS: Final = (
    Option.of("aba", "aba bank", "aba pay", "អេប៊ីអេ"),
    Option.of("acleda", "acleda bank", "toanchet", "អេស៊ីលីដា", "អេស៊ីលេដា"),
    Option.of("wing", "wing money", "wing bank", "វីង"),
    Option.of("khqr", "bakong", "qr", "qr code", "scan", "បាគង", "ស្កែន"),
    Option.of(
        "cod",
        "cash",
        "cash on delivery",
        "on delivery",
        "paid the driver",
        "paid the delivery",
        "សាច់ប្រាក់",
        "លុយសុទ្ធ",
        "បង់ពេលទទួល",
        "បង់ពេលទទួលទំនិញ",
        "ទូទាត់ពេលទទួល",
        "luy sot",
    ),
    Option("other", OTHER_WORDS),
)


def parse_category(text: str) -> str | None:
    """The complaint category a typed answer names ("it never arrived", "ខូច"), if any."""
    return match_choice(text, CATEGORY_OPTIONS)


def parse_payment(text: str) -> str | None:
    """The way of paying a typed answer names ("aba", "cash on delivery", "វីង"), if any."""
    return match_choice(text, PAYMENT_OPTIONS)
