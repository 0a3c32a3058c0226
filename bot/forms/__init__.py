"""The declarative form engine: forms are data (fields, parsers, rules), one runner runs them.

Define a :class:`Form` of :class:`Field` objects, register it with ``FORMS.register(form)`` and
start it with ``await start(turn, form.id)``; nothing in the core or the routing table changes
when a form is added. See :mod:`bot.forms.model` for what a field can say and
:mod:`bot.forms.engine` for how the runner moves through it.
"""

from bot.forms.engine import (
    applicable,
    back,
    cancel,
    continue_button,
    expects_typed_numbers,
    expire_drafts,
    interrupted,
    leave,
    on_payload,
    reask,
    remind_other_draft,
    resume,
    start,
    take_input,
)
from bot.forms.model import (
    Accept,
    Answers,
    Choice,
    Field,
    FieldInput,
    FileRule,
    Form,
    FormContext,
    Parsed,
    Reject,
    StayOpen,
)
from bot.forms.registry import FORMS, FormRegistry

__all__ = [
    "FORMS",
    "Accept",
    "Answers",
    "Choice",
    "Field",
    "FieldInput",
    "FileRule",
    "Form",
    "FormContext",
    "FormRegistry",
    "Parsed",
    "Reject",
    "StayOpen",
    "applicable",
    "back",
    "cancel",
    "continue_button",
    "expects_typed_numbers",
    "expire_drafts",
    "interrupted",
    "leave",
    "on_payload",
    "reask",
    "remind_other_draft",
    "resume",
    "start",
    "take_input",
]
