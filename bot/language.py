"""Decide which language to answer in, before and after the user has chosen one.

The rules (issue 10):

* A language the user chose (a button, "/language", "switch to English") always wins.
* Before that, the first message with real words decides: Khmer script or romanized Khmer
  gives Khmer, English words give English. A message without words (a link, a phone number,
  a certificate number, digits, emoji) leaves the decision to the platform's language code,
  then to Khmer, and the next message with words still decides.
* Once the language is known, links, handles, phones, certificate numbers, shop names,
  numbers, emoji and one- or two-word fragments never switch it. Only a full sentence clearly
  in the other language does.

Romanized Khmer is told from English by :mod:`nlu.style`, a classifier trained on the NLU's
own English and romanized training data, not by a word list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.i18n import DEFAULT_LOCALE, normalise_locale
from nlu.entities import default_extractor
from nlu.normalise import is_khmer_base, normalise
from nlu.style import default_style_model

_KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
_KHMER_RUN = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]+")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_EMAIL = re.compile(r"\S+@\S+\.\S+")

# Tokens every Cambodian chat uses whatever its language: they decide nothing.
NEUTRAL_WORDS: Final = frozenset(
    {
        "ok",
        "okay",
        "oke",
        "okey",
        "k",
        "kk",
        "lol",
        "haha",
        "hehe",
        "hihi",
        "hmm",
        "cets",
        "khqr",
        "aba",
        "acleda",
        "wing",
        "bakong",
        "facebook",
        "fb",
        "telegram",
        "tiktok",
        "instagram",
        "ig",
        "shopee",
        "lazada",
        "messenger",
        "pdf",
        "sms",
        "id",
        "qr",
        "app",
        "link",
    }
)
# English grammatical words: a sentence has some, a shop name ("Best Price KH") has none.
_ENGLISH_FUNCTION_WORDS: Final = frozenset(
    [
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "it",
        "they",
        "is",
        "are",
        "am",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "have",
        "has",
        "had",
        "the",
        "a",
        "an",
        "to",
        "of",
        "for",
        "in",
        "on",
        "at",
        "with",
        "about",
        "from",
        "how",
        "what",
        "why",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "please",
        "want",
        "need",
        "not",
        "no",
        "and",
        "or",
        "if",
        "there",
        "much",
        "many",
        "any",
        "get",
        "know",
        "tell",
        "give",
    ]
)
# Khmer grammatical words (pronouns, question words, particles, modal verbs): a Khmer
# sentence has one, a shop's Khmer name rarely does.
_KHMER_SENTENCE_MARKERS: Final = (
    "តើ",
    "ទេ",
    "ខ្ញុំ",
    "អ្នក",
    "យើង",
    "បាទ",
    "ចាស",
    "សូម",
    "ចង់",
    "ជួយ",
    "អាច",
    "ត្រូវ",
    "ប៉ុន្មាន",
    "អ្វី",
    "ម៉េច",
    "ដូចម្តេច",
    "ហើយ",
    "នេះ",
    "នោះ",
    "គឺ",
    "ដែល",
    "របស់",
    "ឱ្យ",
    "មិន",
    "អត់",
    "ឬ",
)
# A full sentence: at least this many Khmer syllables, or this many Latin words.
SENTENCE_KHMER_SYLLABLES: Final = 4
SENTENCE_LATIN_WORDS: Final = 3
# How sure the style model must be for a sentence to switch the language.
ROMANIZED_SWITCH: Final = 0.75
ENGLISH_SWITCH: Final = 0.25


class LocaleSource(StrEnum):
    """Where the conversation's language came from; a user's choice always wins."""

    NONE = "none"
    DETECTED = "detected"
    PLATFORM = "platform"
    CHOSEN = "chosen"


@dataclass(frozen=True, slots=True)
class LocaleDecision:
    """The language to answer in and why."""

    locale: str
    source: LocaleSource


@dataclass(frozen=True, slots=True)
class LanguageEvidence:
    """What a message says about its language, once identifiers and noise are left out."""

    khmer_syllables: int
    khmer_sentence: bool
    latin_words: tuple[str, ...]
    capitalised_words: int
    romanized: float  # probability that the Latin words are romanized Khmer

    @property
    def has_words(self) -> bool:
        """True when the message holds any real word in Khmer script or Latin letters."""
        return self.khmer_syllables > 0 or bool(self.latin_words)

    @property
    def looks_like_a_name(self) -> bool:
        """Most words Capitalised, as in "Best Price KH" or "Thank You Shop"."""
        return len(self.latin_words) > 0 and 2 * self.capitalised_words > len(self.latin_words)


def contains_khmer(text: str) -> bool:
    """True when the text has any Khmer script."""
    return _KHMER.search(text) is not None


def _without_identifiers(text: str) -> str:
    """The text with links, handles, phones, ids, amounts and e-mail addresses blanked out."""
    norm = normalise(_EMAIL.sub(" ", text))
    chars = list(norm.text)
    for span in default_extractor().spans(norm):
        if span.entity != "business_category":
            for i in range(span.start, span.end):
                chars[i] = " "
    # Lower case from here on: capitals are read from the original words in analyse().
    return "".join(chars)


def _khmer_syllables(text: str) -> int:
    count = 0
    previous = ""
    for ch in text:
        if is_khmer_base(ch) and previous != "\u17d2":
            count += 1
        previous = ch
    return count


def analyse(text: str) -> LanguageEvidence:
    """The language evidence of one message."""
    cleaned = _without_identifiers(text)
    khmer = "".join(_KHMER_RUN.findall(cleaned))
    syllables = _khmer_syllables(khmer)
    sentence = syllables >= SENTENCE_KHMER_SYLLABLES and any(
        marker in khmer for marker in _KHMER_SENTENCE_MARKERS
    )
    kept = {w.lower() for w in _LATIN_WORD.findall(cleaned)}
    original = [w for w in _LATIN_WORD.findall(_EMAIL.sub(" ", text)) if w.lower() in kept]
    words = [w.lower().replace("'", "") for w in original]
    real = [(w, o) for w, o in zip(words, original, strict=True) if w not in NEUTRAL_WORDS]
    latin = tuple(w for w, _ in real if len(w) > 1 or w == "i")
    capitalised = sum(1 for w, o in real if o[:1].isupper() and len(w) > 1 and w != "i")
    romanized = default_style_model().romanized_probability(latin) if latin else 0.5
    return LanguageEvidence(syllables, sentence, latin, capitalised, romanized)


def looks_romanized_khmer(text: str) -> bool:
    """True when Latin-letter text reads like Khmer typed in Latin letters ("tlai ponman")."""
    evidence = analyse(text)
    return bool(evidence.latin_words) and evidence.romanized >= 0.5


def detect_locale(text: str) -> str | None:
    """The locale of the first message with real words (``km`` or ``en``), else None."""
    evidence = analyse(text)
    if evidence.khmer_syllables > 0:
        return "km"
    if not evidence.latin_words:
        return None
    return "km" if evidence.romanized >= 0.5 else "en"


def sentence_locale(text: str) -> str | None:
    """The locale of a full sentence clearly in one language; None for anything less.

    Fragments (one or two words), names ("Best Price KH"), identifiers, numbers and emoji
    give None, so they never switch an established language.
    """
    evidence = analyse(text)
    if evidence.khmer_sentence:
        return "km"
    words = evidence.latin_words
    if len(words) < SENTENCE_LATIN_WORDS or evidence.looks_like_a_name:
        return None
    if evidence.romanized >= ROMANIZED_SWITCH:
        return "km"
    if evidence.romanized <= ENGLISH_SWITCH and evidence.khmer_syllables == 0:
        function_words = sum(1 for w in words if w in _ENGLISH_FUNCTION_WORDS)
        if function_words >= 2 or (len(words) >= 5 and function_words >= 1):
            return "en"
    return None


def decide_locale(
    current: str | None, source: LocaleSource, text: str, platform_code: str | None
) -> LocaleDecision:
    """Pick the reply language for this message (see the module docstring for the rules)."""
    if current is not None and source is LocaleSource.CHOSEN:
        return LocaleDecision(current, source)
    if current is None or source in (LocaleSource.NONE, LocaleSource.PLATFORM):
        detected = detect_locale(text)
        if detected is not None:
            return LocaleDecision(detected, LocaleSource.DETECTED)
        if current is not None:
            return LocaleDecision(current, source)
        platform = normalise_locale(platform_code)
        if platform is not None:
            return LocaleDecision(platform, LocaleSource.PLATFORM)
        return LocaleDecision(DEFAULT_LOCALE, LocaleSource.NONE)
    switched = sentence_locale(text)
    if switched is not None and switched != current:
        return LocaleDecision(switched, LocaleSource.DETECTED)
    return LocaleDecision(current, source)


def warm_up() -> None:
    """Build the language models now (at start), not in a user's first turn.

    The style model is trained and the entity extractor built on first use; both take about
    two seconds, which would otherwise stall the event loop during the first message.
    """
    analyse("hello tlai ponman")
