"""The shop a message asks about: "is Best Price KH legit?", "ហាងសុខាទុកចិត្តបានទេ", "X bok te".

Templates of trust questions in English, Khmer script and romanized Khmer, matched on the
normalised text; the name is cut out of the original text, so it keeps the user's spelling
and capitals. Pronouns and generic words ("this shop", "ហាងនេះ", "hang nis") are not names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from nlu.normalise import NormalisedText, normalise

_FILL = r"(?:(?:hi|hello|hey|bong|sorry|excuse me|please|pls|plz|admin|sir|madam)[ ,!]+)*"
_EN_ADJ = (
    r"(?:legit|legitimate|real|genuine|safe|trustworthy|trusted|reliable|certified|"
    r"a scam|scam|scammers?|a scammer|fake|official|registered|verified|honest|"
    r"safe to buy from|ok to buy from|a real shop|a fake shop|a fake page)"
)
_EN_PREFIX = (
    r"(?:the |a )?(?:(?:shop|store|page|seller|fb page|facebook page|online shop) )?"
    r"(?:called |named )?"
)
_KM_TRUST = r"(?:អាច ?)?(?:ជឿទុកចិត្ត|គួរឱ្យទុកចិត្ត|គួរទុកចិត្ត|ទុកចិត្ត|ជឿជាក់|ជឿ)"
_KM_ADJ = (
    r"(?:ពិតប្រាកដ|ពិតមែន|ពិត|ស្របច្បាប់|បោកប្រាស់|បោក|ឆបោក|ក្លែងក្លាយ|មានវិញ្ញាបនបត្រ|"
    r"មានស្លាកសញ្ញាទុកចិត្ត|មានស្លាកសញ្ញា|មានត្រាសញ្ញា|សុវត្ថិភាព)"
)
_KM_TAIL = r"(?: ?បាន)?(?: ?ដែរ)? ?(?:ទេ|អត់|ឬទេ|ឬអត់|មែនទេ|រឺទេ|អត់ទេ)"
_RO_TRUST = (
    r"(?:ach |os )?(?:tuk chet|tukchet|tuk jit|tukjit|tuk chit|tuk chet ban|jeu|jer|cheu|chheu)"
)
_RO_ADJ = (
    r"(?:bok pras|bok|chhabok|chabok|kleng klay|pit men|pit|mean trustmark|mean certificate|"
    r"mean tra)"
)
_RO_QUESTION = r" ?(?:te|ot|tei|ort|men te|rir te)$"
_RO_TAIL = r"(?: ban)?(?: dae| der)? ?(?:te|ot|tei|ort|rir te|ot te|men te)"
_TAIL_PUNCT = " ?!.,;:។៕…\"'“”‘’»«()"

_TEMPLATES: Final = tuple(
    re.compile(p)
    for p in (
        # English
        r"^"
        + _FILL
        + r"(?:is|are|iz|r) "
        + _EN_PREFIX
        + r"(?P<shop>.+?) (?:a )?"
        + _EN_ADJ
        + r"(?: or not| or a scam| or scam| or fake| shop| page)?$",
        r"^" + _FILL + r"(?:can|could|should|may|shall) (?:i|we|u|you|one) (?:really )?"
        r"(?:trust|believe|rely on|buy from|order from) "
        + _EN_PREFIX
        + r"(?P<shop>.+?)(?: or not)?$",
        r"^"
        + _FILL
        + r"(?:do|does) (?:you|u|anyone|any one) (?:know|trust) "
        + _EN_PREFIX
        + r"(?P<shop>.+?)$",
        r"^" + _FILL + r"(?:is|does) " + _EN_PREFIX + r"(?P<shop>.+?) (?:have|has|hold|holds|got) "
        r"(?:a |the |any )?(?:trustmark|trust mark|cets|certificate|certification|badge)",
        r"^" + _FILL + r"(?:please )?(?:check|verify|look up|lookup|search|search for|chek|chhek|"
        r"pinit|pinit merl) (?:for )?" + _EN_PREFIX + r"(?P<shop>.+?)"
        r"(?: for me| please| pls| oy knhom| phong| pong)?$",
        r"^" + _FILL + r"(?:have you heard (?:of|about)|any (?:reviews?|complaints?) "
        r"(?:of|about|for|on)|reviews? (?:of|for)) " + _EN_PREFIX + r"(?P<shop>.+?)$",
        r"^" + _FILL + r"(?P<shop>.+?) (?:is )?(?:it )?(?:a )?(?:legit|scam|fake|real|safe|"
        r"trustworthy|certified|genuine)(?: or not| or scam| or fake)?$",
        # Khmer script (and Latin names inside Khmer sentences)
        r"^(?:តើ ?|is |are )?(?P<shop>.+?) ?(?:នេះ ?)?(?:"
        + _KM_TRUST
        + "|"
        + _KM_ADJ
        + ")"
        + _KM_TAIL,
        r"^(?:សូម ?)?(?:ជួយ ?)?(?:ពិនិត្យ|ឆែក|ផ្ទៀងផ្ទាត់)(?: ?មើល)?(?: ?ហាងឈ្មោះ| ?ឈ្មោះ)? ?"
        r"(?P<shop>.+?)(?: ?ឱ្យខ្ញុំ| ?បន្តិច| ?ផង| ?មើល| ?ទៅ)*$",
        # romanized Khmer
        r"^(?:tae |ter |tear )?(?P<shop>.+?) (?:nis |nih |nas )?(?:" + _RO_TRUST + ")" + _RO_TAIL,
        r"^(?:tae |ter )?(?P<shop>.+?) (?:jea |chea )?" + _RO_ADJ + _RO_QUESTION,
    )
)

_GENERIC: Final = frozenset(
    {
        "it",
        "how",
        "what",
        "why",
        "who",
        "which",
        "where",
        "when",
        "this",
        "that",
        "these",
        "those",
        "they",
        "them",
        "he",
        "she",
        "him",
        "her",
        "you",
        "u",
        "i",
        "me",
        "shop",
        "shops",
        "store",
        "stores",
        "page",
        "pages",
        "seller",
        "sellers",
        "site",
        "website",
        "a shop",
        "the shop",
        "this shop",
        "that shop",
        "the store",
        "this store",
        "this page",
        "that page",
        "the page",
        "the seller",
        "this seller",
        "that seller",
        "this website",
        "this site",
        "online shop",
        "online shops",
        "online shopping",
        "online",
        "a page",
        "facebook page",
        "this facebook page",
        "this fb page",
        "fb page",
        "the trustmark",
        "trustmark",
        "this trustmark",
        "the trust mark",
        "the badge",
        "this badge",
        "this logo",
        "the logo",
        "cets",
        "the cets",
        "the certificate",
        "this certificate",
        "it safe",
        "buying online",
        "ហាង",
        "ហាងនេះ",
        "ហាងនោះ",
        "ហាងមួយនេះ",
        "នេះ",
        "នោះ",
        "វា",
        "គេ",
        "ទំព័រ",
        "ទំព័រនេះ",
        "ផេក",
        "ផេកនេះ",
        "អ្នកលក់",
        "អ្នកលក់នេះ",
        "ហាងអនឡាញ",
        "អនឡាញ",
        "ស្លាកសញ្ញា",
        "ស្លាកសញ្ញាទុកចិត្ត",
        "ស្លាកសញ្ញានេះ",
        "វិញ្ញាបនបត្រ",
        "វិញ្ញាបនបត្រនេះ",
        "ការទិញអនឡាញ",
        "hang",
        "hang nis",
        "hang nih",
        "hang nas",
        "page nis",
        "pek",
        "pek nis",
        "nis",
        "nih",
        "vea",
        "ke",
        "neak luk",
        "neak luk nis",
        "tinh online",
        "hang online",
    }
)
# A "name" holding one of these words is a question about something else.
_NOT_NAMES: Final = re.compile(
    r"(?<![a-z])(?:my|application|applications|status|complaint|complaints|eligib\w*|fees?|"
    r"documents?|criteria|criterion|renew\w*|language|officer|apply|"
    r"the rules|penalt\w*|dak peak|peak smer som|sit|tlai|eksar?|leak ?khan\w*|bondeng|"
    r"pdeng|pheasa)(?![a-z])"
    r"|ពាក្យស្នើសុំ|ស្ថានភាព|បណ្តឹង|ថ្លៃ|តម្លៃ|ឯកសារ|លក្ខណៈវិនិច្ឆ័យ|សិទ្ធិ|ភាសា|ខ្ញុំ"
)
_DEMONSTRATIVES: Final = (
    "this ",
    "that ",
    "these ",
    "those ",
    "the same ",
    "your ",
    "is ",
    "are ",
    "can ",
    "do ",
    "does ",
    "should ",
    "how ",
    "what ",
)
MAX_NAME_WORDS: Final = 6
MAX_NAME_CHARS: Final = 60


@dataclass(frozen=True, slots=True)
class ShopMention:
    """A shop named in a message: the name as typed, and its span in the normalised text."""

    name: str
    start: int
    end: int


def _strip_end(text: str) -> int:
    end = len(text)
    while end and text[end - 1] in _TAIL_PUNCT:
        end -= 1
    return end


def find_shop_mention(norm: NormalisedText) -> ShopMention | None:
    """The shop a trust question names, or None (no template, or only a pronoun)."""
    text = norm.text[: _strip_end(norm.text)]
    if not text:
        return None
    for template in _TEMPLATES:
        match = template.match(text)
        if match is None:
            continue
        start, end = match.span("shop")
        # Leading/trailing spaces and punctuation are not part of the name.
        while start < end and text[start] in _TAIL_PUNCT:
            start += 1
        while end > start and text[end - 1] in _TAIL_PUNCT:
            end -= 1
        candidate = text[start:end]
        if not candidate or candidate in _GENERIC or _NOT_NAMES.search(candidate):
            continue
        # "this phone shop", "ហាងលក់ទូរស័ព្ទនេះ": a description pointing at a shop, not a name.
        if candidate.startswith(_DEMONSTRATIVES) or text[end:].lstrip().startswith(("នេះ", "នោះ")):
            continue
        if len(candidate.split()) > MAX_NAME_WORDS or len(candidate) > MAX_NAME_CHARS:
            continue
        original_start, original_end = norm.to_original(start, end)
        name = norm.original[original_start:original_end].strip(_TAIL_PUNCT)
        return ShopMention(name, start, end) if name else None
    return None


def extract_shop_query(text: str) -> str | None:
    """The shop named inside a question such as "is X legit?" or "can I trust X", as typed."""
    mention = find_shop_mention(normalise(text))
    return mention.name if mention else None
