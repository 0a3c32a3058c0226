"""When a message typed at a free-text question is clearly another request, not an answer.

A shop name, an address or a description can be any text, so a question only escapes such a
field when it reads as a question *and* the NLU is confident what it asks. "Best Price KH" or
"Trustmark Deals" stay answers; "how much is the fee?" does not.
"""

from __future__ import annotations

import re
from typing import Final

from bot.turn import Turn
from nlu import Intent
from nlu.normalise import normalise

CONFIDENT: Final = 0.85
_IDENTIFIERS: Final = ("certificate_id", "url", "phone")
_NEVER_ESCAPING: Final = frozenset({Intent.OUT_OF_SCOPE, Intent.AFFIRM, Intent.DENY})
# Intents a name or a description can look like; never a reason to leave a free-text answer.
_NOT_ESCAPING_FREE_TEXT: Final = frozenset(
    {
        Intent.CHECK_SHOP,
        Intent.GREET,
        Intent.THANKS,
        Intent.GOODBYE,
        Intent.CHANGE_LANGUAGE,
    }
)
_QUESTION: Final = re.compile(
    r"[?\u061f\uff1f]|"
    r"\b(what|how|when|where|why|who|which|can|could|do|does|is|are|should|may|tell me)\b|"
    r"តើ|ប៉ុន្មាន|អ្វី|ដូចម្តេច|ដូចម្ដេច|យ៉ាងម៉េច|យ៉ាងដូចម្តេច|ឬទេ|ដែរទេ|ទេ\s*$|"
    r"\b(ponman|pon man|avey|yang mech|yangmech|dach mdech|te|dae te|ort te)\s*$",
    re.IGNORECASE,
)


def reads_as_question(text: str) -> bool:
    """Whether the text is phrased as a question, in Khmer, English or romanized Khmer."""
    return bool(_QUESTION.search(normalise(text).text))


def clearly_another_request(turn: Turn, *, free_text: bool = True) -> bool:
    """True when the message asks something else, confidently, rather than answering.

    At a free-text question it must also be phrased as a question; at a question whose parser
    refused the text, a confident request ("check a shop") is enough.
    """
    parse = turn.parse
    if parse is None or any(turn.entity(name) for name in _IDENTIFIERS):
        return False
    try:
        intent = Intent(parse.intent.name)
    except ValueError:
        return False
    if parse.intent.confidence < CONFIDENT or intent in _NEVER_ESCAPING:
        return False
    if free_text and intent in _NOT_ESCAPING_FREE_TEXT:
        return False
    return not free_text or reads_as_question(turn.text)
