"""Forms as data: a form is a sequence of fields, each with its prompt, parser and rules.

Nothing here sends or stores anything; :mod:`bot.forms.engine` runs forms. A field parser
turns what the user sent (text, a pressed choice, files) into a typed answer (:class:`Accept`),
a polite reason in the user's language (:class:`Reject`), or ``None`` when the message does not
look like an answer at all (then navigation or another question may take it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.dialogue.state import FlowState, JsonValue

if TYPE_CHECKING:
    from bot.turn import Turn

Answers = Mapping[str, JsonValue]


@dataclass(frozen=True, slots=True)
class Choice:
    """One offered answer: ``key`` goes into the button payload, ``label`` is shown."""

    key: str
    label: str
    short_label: str | None = None


@dataclass(frozen=True, slots=True)
class Accept:
    """The message answers the field with ``value`` (JSON-serialisable)."""

    value: JsonValue


@dataclass(frozen=True, slots=True)
class Reject:
    """The message tries to answer but cannot be used; ``reason`` says why, politely."""

    reason: str


Parsed = Accept | Reject | None


@dataclass(frozen=True, slots=True)
class FieldInput:
    """What the user sent for the current field.

    ``files`` are stored files in their JSON form (``sha256``, ``kind``, ``mime_type``,
    ``size``, ``filename``), already checked and cleaned by the file intake.
    """

    text: str
    choice: str | None
    files: tuple[dict[str, JsonValue], ...]
    turn: Turn


@dataclass(frozen=True, slots=True)
class FormContext:
    """A form being run for one turn: the turn, the form and the user's flow."""

    turn: Turn
    form: Form
    flow: FlowState

    @property
    def answers(self) -> dict[str, JsonValue]:
        """The answers so far (mutable: parsers and hooks may prefill later fields)."""
        return self.flow.answers


@dataclass(frozen=True, slots=True)
class FileRule:
    """Whether a field takes files, and how many (an album is one answer with several)."""

    max_files: int = 10


Prompt = Callable[[FormContext], str]
Parser = Callable[[FieldInput, FormContext], "Parsed | Awaitable[Parsed]"]
Summary = Callable[[JsonValue, FormContext], str]
Condition = Callable[[Answers], bool]


@dataclass(frozen=True, slots=True)
class Field:
    """One question of a form.

    - ``choices``: buttons; a pressed one is accepted as its key (typed labels too).
    - ``parse``: typed text and files; returns Accept, Reject or None.
    - ``required=False``: a "Skip" button; ``missing_ok``: "I don't have this yet", kept in the
      flow's ``missing`` list so the user can add it later (e.g. from the review).
    - ``when``: asked only when it returns True for the answers so far.
    - ``files``: the field takes photos, screenshots or PDFs.
    - ``multiple``: each answer adds an item to a list; "Done" moves on; items can be removed.
    - ``free_text``: any text is an answer, except a message that is clearly another question.
    - ``label``: a short name for the review and its edit buttons.
    """

    name: str
    prompt: Prompt
    parse: Parser | None = None
    choices: Callable[[FormContext], Sequence[Choice]] | None = None
    required: bool = True
    missing_ok: bool = False
    when: Condition | None = None
    files: FileRule | None = None
    multiple: bool = False
    free_text: bool = False
    summary: Summary | None = None
    label: Callable[[], str] | None = None
    help: Prompt | None = None

    def applies(self, answers: Answers) -> bool:
        """Whether this field is asked, given the answers so far."""
        return self.when is None or self.when(answers)


class StayOpen(Exception):
    """Raised by a form's completion to keep the draft open (e.g. the backend refused it)."""


Completion = Callable[[FormContext], Awaitable[str | None]]
"""Run when a form is complete (after its review and declaration, if any); may return a
reference (e.g. ``APP-2026-000123``) that a repeated submit answers with."""


@dataclass(frozen=True, slots=True)
class Form:
    """A form: its fields and what happens when it is complete.

    - ``title``: what the form is called in "You have an unfinished …".
    - ``review``: show every answer with an edit button before completing.
    - ``declaration``: a text the user agrees to before submitting.
    - ``keep_draft=False``: a short lookup closed by any other question, never a saved draft.
    - ``intro``: said once when the form starts.
    """

    id: str
    title: Callable[[], str]
    fields: tuple[Field, ...]
    on_complete: Completion
    review: bool = False
    declaration: Prompt | None = None
    progress: bool = True
    keep_draft: bool = True
    intro: Prompt | None = None
    extra: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"form {self.id!r} has duplicate field names")
        if not self.id.isascii() or ":" in self.id or any(":" in n or "!" in n for n in names):
            raise ValueError(f"form {self.id!r}: ids and field names must be ASCII without ':'")

    def field(self, name: str) -> Field | None:
        """The field called ``name``."""
        return next((f for f in self.fields if f.name == name), None)
