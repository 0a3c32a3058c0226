"""Matching a typed answer against the options of a step, in every writing style.

An answer may be a button's label typed out, a synonym ("just me" for an individual, "ខោអាវ"
for goods, "tiktok" for social media), a typo ("facebok", "servises"), or a short sentence
that names the option ("I sell clothes on Facebook"). Matching is done on the NLU's
normalised text (canonical Khmer order, no zero-width spaces, lower case):

1. exact phrases, longest first, Khmer phrases only on syllable boundaries, so that a longer
   word containing a shorter one wins ("ថ្លៃសេវា", a fee, is never "សេវា", a service);
2. a phrase preceded by a negation ("not", "មិនមែន") does not count;
3. if nothing matched exactly, a fuzzy match (rapidfuzz) on whole words and Khmer syllables,
   with a tolerance that grows with the length of the phrase.

A question around the matched words ("how much for goods?") is not an answer: the step's
parser returns None and the conversation may treat it as a question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz.distance import Levenshtein

from nlu.normalise import is_khmer, normalise_str
from nlu.phrases import khmer_pattern, latin_pattern

_APOSTROPHES = str.maketrans({"\u2019": "", "\u2018": "", "'": "", "`": ""})
# Everything that is neither a letter, a digit nor a Khmer character separates words.
_SEPARATORS = re.compile(r"[^\w\u1780-\u17ff\u19e0-\u19ff]+|_")
_KHMER_PUNCT = re.compile("[\u17d4-\u17da]")
_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
_KHMER_RUN = re.compile("[\u1780-\u17ff\u19e0-\u19ff]+")

# Words that turn the words after them into their opposite ("not facebook", "មិនមែនសេវា").
_NEGATIONS: Final = ("not", "no", "dont", "never", "isnt", "without", "except", "ot", "min")
_KHMER_NEGATIONS: Final = ("មិនមែន", "មិន", "អត់", "គ្មាន", "ពុំ", "កុំ")
# Words that make a message a question rather than an answer.
_QUESTION_WORDS: Final = frozenset(
    {
        "how",
        "what",
        "whats",
        "why",
        "when",
        "where",
        "which",
        "who",
        "much",
        "many",
        "ponman",
        "bonman",
        "avey",
        "ey",
        "mech",
        "dochmdech",
        "na",
    }
)
_KHMER_QUESTION_WORDS: Final = (
    "តើ",
    "ប៉ុន្មាន",
    "អ្វី",
    "ម៉េច",
    "ដូចម្តេច",
    "យ៉ាងណា",
    "ឬទេ",
    "មួយណា",
    "ឯណា",
    "នៅណា",
    "អីគេ",
)

# Compound words that contain an option's word but mean something else; they are consumed
# before any option can match inside them. Shared by every step.
DEFAULT_TRAPS: Final = (
    "ថ្លៃសេវា",  # fee (contains សេវា, service)
    "ថ្លៃសេវាកម្ម",
    "ថ្លៃដាក់ពាក្យ",  # application fee (contains ដាក់ពាក្យ)
    "តម្លៃសេវា",
    "service fee",
    "service charge",
    "fee for services",
    "tlai seva",
    "thlai seva",
    "tlai sevakam",
    "ទូទាត់ថ្លៃ",  # pay the fee (contains ទូទាត់, payment)
    "បង់ថ្លៃ",
)


def clean(text: str) -> str:
    """The text as options are matched: normalised, apostrophes dropped, punctuation as spaces."""
    norm = normalise_str(text).translate(_APOSTROPHES)
    norm = _KHMER_PUNCT.sub(" ", norm)
    return " ".join(_SEPARATORS.sub(" ", norm).split())


@dataclass(frozen=True, slots=True)
class Option:
    """One answer a step accepts: its stored ``key`` and the words people use for it."""

    key: str
    synonyms: tuple[str, ...]

    @classmethod
    def of(cls, key: str, *synonyms: str) -> Option:
        """An option whose key itself is also one of its words."""
        return cls(key, (key.replace("_", " "), *synonyms))


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str  # cleaned
    key: str | None  # None: a trap
    khmer: bool


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    key: str


def _is_khmer_text(text: str) -> bool:
    return any(is_khmer(c) for c in text)


class _Matcher:
    """Compiled phrases of one option table."""

    def __init__(self, options: Sequence[Option], traps: Iterable[str]) -> None:
        phrases: list[_Phrase] = []
        seen: set[str] = set()
        for trap in traps:
            norm = clean(trap)
            if norm and norm not in seen:
                seen.add(norm)
                phrases.append(_Phrase(norm, None, _is_khmer_text(norm)))
        for option in options:
            for synonym in option.synonyms:
                norm = clean(synonym)
                if norm and norm not in seen:
                    seen.add(norm)
                    phrases.append(_Phrase(norm, option.key, _is_khmer_text(norm)))
        self.phrases = phrases
        self._key_of = {p.text.replace(" ", ""): p.key for p in phrases}
        ordered = sorted(phrases, key=lambda p: -len(p.text))
        alternation = "|".join(
            # A Khmer phrase starts where a syllable starts (never on a subscript consonant).
            "(?<!\u17d2)" + khmer_pattern(p.text) if p.khmer else latin_pattern(p.text)
            for p in ordered
        )
        self._pattern = re.compile(alternation or r"(?!)")
        # Phrases typos are tolerated in, prepared once: (key, khmer, unspaced, words, edits).
        self._fuzzy = [
            (p.key, p.khmer, unspaced, len(p.text.split()), allowed)
            for p in phrases
            if p.key is not None
            for unspaced in (p.text.replace(" ", ""),)
            if (allowed := _allowed_edits(len(unspaced)))
        ]

    def exact(self, text: str) -> tuple[list[_Hit], list[tuple[int, int]]]:
        """Option hits (negated ones dropped) and every matched span, traps included."""
        hits: list[_Hit] = []
        spans: list[tuple[int, int]] = []
        for match in self._pattern.finditer(text):
            spans.append((match.start(), match.end()))
            key = self._key_of.get(re.sub(r"[\s\-]", "", match.group()))
            if key is None or _negated(text, match.start()):
                continue
            hits.append(_Hit(match.start(), match.end(), key))
        return hits, spans

    def fuzzy(self, text: str) -> list[_Hit]:
        """Options whose words appear in ``text`` with a typo or two."""
        hits: list[_Hit] = []
        latin = _Windows([(m.start(), m.end(), m.group()) for m in _LATIN_TOKEN.finditer(text)])
        khmer = [(m.start(), m.end(), m.group()) for m in _KHMER_RUN.finditer(text)]
        for key, is_khmer_phrase, target, words, allowed in self._fuzzy:
            if is_khmer_phrase:
                hit = _fuzzy_khmer(target, khmer, allowed)
            else:
                hit = latin.near(target, words, allowed)
            if hit is not None and not _negated(text, hit[0]):
                hits.append(_Hit(hit[0], hit[1], key))
        return hits


class _Windows:
    """Runs of consecutive Latin words of a text, joined without spaces, by first letter."""

    def __init__(self, tokens: list[tuple[int, int, str]]) -> None:
        self._tokens = tokens
        self._by_start: dict[tuple[int, str], list[tuple[int, int, str]]] = {}
        self._widths: set[int] = set()

    def _index(self, width: int) -> None:
        self._widths.add(width)
        tokens = self._tokens
        for i in range(len(tokens) - width + 1):
            joined = "".join(t[2] for t in tokens[i : i + width])
            self._by_start.setdefault((width, joined[:1]), []).append(
                (tokens[i][0], tokens[i + width - 1][1], joined)
            )

    def near(self, target: str, words: int, allowed: int) -> tuple[int, int] | None:
        """The first run of words within ``allowed`` edits of ``target`` (a phrase of
        ``words`` words): runs of as many words, one more or one fewer."""
        for width in {words, words + 1, max(1, words - 1)}:
            if width not in self._widths:
                self._index(width)
            for start, end, joined in self._by_start.get((width, target[:1]), ()):
                if abs(len(joined) - len(target)) > allowed:
                    continue
                if Levenshtein.distance(joined, target, score_cutoff=allowed) <= allowed:
                    return start, end
        return None


def _allowed_edits(length: int) -> int:
    """Typos tolerated in a phrase of this many characters."""
    if length < 5:
        return 0
    if length < 9:
        return 1
    return 2


def _fuzzy_khmer(
    phrase: str, runs: list[tuple[int, int, str]], allowed: int
) -> tuple[int, int] | None:
    """A Khmer word typed alone (a whole run of Khmer) within ``allowed`` edits of the phrase.

    Only whole runs: inside a longer Khmer run one edit too easily turns a phrase into a
    different word (បុគ្គល, a person, and បុគ្គលិក, staff, are one vowel apart).
    """
    for run_start, run_end, run in runs:
        if abs(len(run) - len(phrase)) > allowed:
            continue
        if Levenshtein.distance(run, phrase, score_cutoff=allowed) <= allowed:
            return run_start, run_end
    return None


def _negated(text: str, start: int) -> bool:
    """True when the words just before ``start`` negate what follows."""
    before = text[:start].rstrip()
    if not before:
        return False
    if _is_khmer_text(before[-1]):
        return before.endswith(_KHMER_NEGATIONS)
    words = before.split()
    return bool(words) and words[-1] in _NEGATIONS


def _has_question(text: str) -> bool:
    """True when the text asks something (a question word or particle outside the answer)."""
    if any(w in _QUESTION_WORDS for w in _LATIN_TOKEN.findall(text)):
        return True
    unspaced = text.replace(" ", "")
    return any(word in unspaced for word in _KHMER_QUESTION_WORDS)


@functools.lru_cache(maxsize=256)
def _matcher(options: tuple[Option, ...], traps: tuple[str, ...]) -> _Matcher:
    return _Matcher(options, traps)


def _leftover(text: str, spans: Iterable[tuple[int, int]]) -> str:
    pieces: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        pieces.append(text[pos:start])
        pos = max(pos, end)
    pieces.append(text[pos:])
    return " ".join("".join(pieces).split())


def match_all(
    text: str, options: Sequence[Option], *, traps: Sequence[str] = DEFAULT_TRAPS
) -> list[str]:
    """Every option the text names, in order of appearance (no duplicates); [] for none.

    Returns [] for a question ("how much for goods?"), for text that only holds a trap word
    ("ថ្លៃសេវាប៉ុន្មាន") and for negated words ("not facebook").
    """
    cleaned = clean(text)
    if not cleaned:
        return []
    matcher = _matcher(tuple(options), tuple(traps))
    hits, spans = matcher.exact(cleaned)
    if not hits:
        # Fuzzy matching only on what no exact phrase (trap or option) already took.
        rest = _mask(cleaned, spans)
        hits = matcher.fuzzy(rest)
        spans = [*spans, *((h.start, h.end) for h in hits)]
    if not hits:
        return []
    if _has_question(_leftover(cleaned, spans)) or ("?" in text and len(hits) > 1):
        return []
    keys: list[str] = []
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.key not in keys:
            keys.append(hit.key)
    return keys


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with the given spans blanked out (same length, so offsets stay valid)."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def match_choice(
    text: str, options: Sequence[Option], *, traps: Sequence[str] = DEFAULT_TRAPS
) -> str | None:
    """The key of the option the text names, or None when it names none.

    When several options are named ("Facebook and Telegram"), the first one wins.
    """
    keys = match_all(text, options, traps=traps)
    return keys[0] if keys else None


def match_single(
    text: str, options: Sequence[Option], *, traps: Sequence[str] = DEFAULT_TRAPS
) -> str | None:
    """Like :func:`match_choice`, but None when the text names two different options."""
    keys = match_all(text, options, traps=traps)
    return keys[0] if len(keys) == 1 else None
