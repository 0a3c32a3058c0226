"""The documents an application needs, (a) to (g)."""

from __future__ import annotations

from bot import keyboards
from bot.i18n import _, current_locale
from bot.turn import Turn

# Khmer lists are lettered with the first Khmer consonants, as in official documents.
_KHMER_LETTERS = dict(zip("abcdefg", "កខគឃងចឆ", strict=True))


def document_mark(letter: str) -> str:
    """The list marker of a document, e.g. "(a)" in English and "(ក)" in Khmer."""
    if current_locale() == "km":
        return f"({_KHMER_LETTERS.get(letter, letter)})"
    return f"({letter})"


async def ask_documents(turn: Turn) -> None:
    """List the required documents."""
    locale = current_locale()
    lines = [_("Documents you need for the application:")]
    lines += [f"{document_mark(doc.letter)} {doc.title.get(locale)}" for doc in turn.kb.documents]
    turn.outbox.say(
        "\n".join(lines),
        (keyboards.criteria_button(), keyboards.fees_button(), keyboards.menu_button()),
    )
