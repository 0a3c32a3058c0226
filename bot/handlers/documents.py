"""The documents an application needs, (a) to (g); one document when the user names it."""

from __future__ import annotations

import re
from typing import Final

from bot import keyboards
from bot.answers import Option, match_single
from bot.i18n import _, current_locale, pgettext
from bot.messages import Button
from bot.turn import Turn
from kb import KnowledgeBase, RequiredDocument
from nlu.normalise import normalise_str

# Khmer lists are lettered with the first Khmer consonants, as in official documents.
_KHMER_LETTERS = dict(zip("abcdefg", "កខគឃងចឆ", strict=True))
_LETTER_OF = {**{k: k for k in "abcdefg"}, **{v: k for k, v in _KHMER_LETTERS.items()}}
# "(d)", "document d", "ឯកសារ (ឃ)", "eksar d".
_LETTERED = re.compile(
    r"\((?P<p>[a-g\u1780-\u1786])\)"
    r"|(?:document|doc|item|letter|ឯកសារ|eksar?|ek sa)\s*(?P<w>[a-g\u1780-\u1786])"
    r"(?![a-z\u1780-\u17ff])"
)
_TOPICS: Final = {
    "a": ("application form", "form", "ទម្រង់ពាក្យស្នើសុំ", "ទម្រង់", "peak smer som"),
    "b": (
        "registration certificate",
        "business registration",
        "licence",
        "license",
        "permission letter",
        "អាជ្ញាប័ណ្ណ",
        "លិខិតអនុញ្ញាត",
        "វិញ្ញាបនបត្រចុះបញ្ជី",
    ),
    "c": (
        "website details",
        "platform details",
        "shop logo",
        "storefront",
        "my shop screenshots",
        "ព័ត៌មានគេហទំព័រ",
        "ឡូហ្គោ",
    ),
    "d": (
        "security measures",
        "privacy policy",
        "security",
        "privacy",
        "វិធានការសុវត្ថិភាព",
        "គោលការណ៍ឯកជនភាព",
    ),
    "e": ("customer service policy", "customer service policies", "customer service", "សេវាអតិថិជន"),
    "f": ("compliance with e-commerce laws", "e-commerce law", "compliance", "ការអនុលោម"),
    "g": ("evidence for the criteria", "evidence", "proof", "ភស្តុតាង", "pastutang"),
}


def document_mark(letter: str) -> str:
    """The list marker of a document, e.g. "(a)" in English and "(ក)" in Khmer."""
    if current_locale() == "km":
        return f"({_KHMER_LETTERS.get(letter, letter)})"
    return f"({letter})"


def _topic_options(kb: KnowledgeBase) -> tuple[Option, ...]:
    return tuple(
        Option(d.letter, (d.title.en, d.title.km, *_TOPICS[d.letter])) for d in kb.documents
    )


def named_document(text: str, kb: KnowledgeBase) -> RequiredDocument | None:
    """The one document a question names, by its letter or its subject; None otherwise."""
    norm = normalise_str(text)
    letters = {_LETTER_OF[m.group("p") or m.group("w")] for m in _LETTERED.finditer(norm)}
    if len(letters) > 1:
        return None
    letter = letters.pop() if letters else match_single(text, _topic_options(kb))
    return next((d for d in kb.documents if d.letter == letter), None)


async def ask_documents(turn: Turn) -> None:
    """One document with its explanation when the question names it, else the list."""
    document = named_document(turn.text, turn.kb) if turn.text else None
    if document is not None:
        await show_document(turn, document)
        return
    await list_documents(turn)


async def list_documents(turn: Turn) -> None:
    """List the required documents, with a button for each one's explanation."""
    locale = current_locale()
    lines = [_("Documents you need for the application:")]
    lines += [f"{document_mark(doc.letter)} {doc.title.get(locale)}" for doc in turn.kb.documents]
    lines.append(_("Tap a letter to see what the document should contain."))
    buttons = [Button(document_mark(d.letter), f"doc:{d.letter}") for d in turn.kb.documents]
    buttons += [keyboards.criteria_button(), keyboards.fees_button(), keyboards.menu_button()]
    turn.outbox.say("\n".join(lines), buttons)


async def show_document(turn: Turn, document: RequiredDocument) -> None:
    """One document: its title and what it should contain."""
    locale = current_locale()
    text = "\n".join(
        [
            f"{document_mark(document.letter)} {document.title.get(locale)}",
            document.description.get(locale),
        ]
    )
    turn.outbox.say(
        text,
        (
            Button(pgettext("button", "All documents"), "i:ask_documents"),
            keyboards.criteria_button(),
            keyboards.menu_button(),
        ),
    )


async def on_payload(turn: Turn, argument: str) -> None:
    """Handle a ``doc:<letter>`` button."""
    document = next((d for d in turn.kb.documents if d.letter == argument), None)
    if document is None:
        await list_documents(turn)
    else:
        await show_document(turn, document)
