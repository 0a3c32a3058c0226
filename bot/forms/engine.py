"""The one runner for every form: progress, back, skip, cancel, save, review, declaration, submit.

Button payloads are ``<form>:<field>:<choice>`` for an answer and ``<form>:!<command>[:<arg>]``
for the runner's own buttons, so a pressed button always says which form and question it
belongs to: a button from an earlier question is recognised as stale and cannot move the flow.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from bot import keyboards
from bot.dialogue.state import DECLARATION, REVIEW, FlowState, JsonValue
from bot.forms.escape import clearly_another_request
from bot.forms.model import (
    Accept,
    Field,
    FieldInput,
    Form,
    FormContext,
    Parsed,
    Reject,
    StayOpen,
)
from bot.forms.registry import FORMS
from bot.i18n import _, pgettext
from bot.intake import FileRefused
from bot.messages import Button
from bot.turn import Turn
from nlu.normalise import normalise

log = logging.getLogger(__name__)

MAX_LIST_ITEMS: Final = 30


# -- reading a form's shape ------------------------------------------------------------------


def form_of(flow: FlowState) -> Form | None:
    """The registered form a flow runs."""
    return FORMS.get(flow.form)


def applicable(form: Form, flow: FlowState) -> list[Field]:
    """The fields asked in this flow, given its answers (and its subset, if reopened)."""
    return [
        f
        for f in form.fields
        if (flow.only is None or f.name in flow.only) and f.applies(flow.answers)
    ]


def _context(turn: Turn, form: Form, flow: FlowState) -> FormContext:
    return FormContext(turn=turn, form=form, flow=flow)


def _label(field: Field) -> str:
    return field.label() if field.label is not None else field.name


# -- buttons -----------------------------------------------------------------------------------


def _command(form: Form, command: str, argument: str = "") -> str:
    return f"{form.id}:!{command}" + (f":{argument}" if argument else "")


def continue_button(form_id: str) -> Button:
    """Resume a saved flow."""
    return Button(pgettext("button", "Continue"), f"{form_id}:!resume")


def _navigation(form: Form, field: Field | None, flow: FlowState, first: bool) -> list[Button]:
    buttons: list[Button] = []
    if field is not None and field.missing_ok:
        buttons.append(
            Button(
                pgettext("button", "I don't have this yet"),
                _command(form, "skip", field.name),
                pgettext("short", "Not yet"),
            )
        )
    elif field is not None and not field.required:
        buttons.append(Button(pgettext("button", "Skip"), _command(form, "skip", field.name)))
    if not first or flow.editing:
        buttons.append(keyboards.back_button())
    if form.keep_draft and form.review:
        buttons.append(
            Button(
                pgettext("button", "Save and leave"),
                _command(form, "save"),
                pgettext("short", "Save"),
            )
        )
    buttons.append(keyboards.cancel_button())
    return buttons


# -- prompting ---------------------------------------------------------------------------------


def _progress(form: Form, flow: FlowState, field: Field) -> str | None:
    if not form.progress:
        return None
    fields = applicable(form, flow)
    if field not in fields:
        return None
    return _("Step {step} of {total}").format(step=fields.index(field) + 1, total=len(fields))


def _items(value: JsonValue) -> list[JsonValue]:
    return list(value) if isinstance(value, list) else []


def _summary(field: Field, value: JsonValue, ctx: FormContext) -> str:
    if field.summary is not None:
        return field.summary(value, ctx)
    if field.choices is not None:
        for choice in field.choices(ctx):
            if choice.key == value:
                return choice.label
    if isinstance(value, dict) and "sha256" in value:
        return str(value.get("filename") or _("a file"))
    if isinstance(value, list):
        return ", ".join(_summary(field, v, ctx) for v in value)
    if isinstance(value, dict):
        parts = [str(v) for v in value.values() if isinstance(v, str | int | float)]
        return ", ".join(parts)
    return str(value)


async def prompt(turn: Turn, form: Form, flow: FlowState) -> None:
    """Ask the question the flow is at (or show its review / declaration)."""
    ctx = _context(turn, form, flow)
    if flow.position == REVIEW:
        _show_review(ctx)
        return
    if flow.position == DECLARATION and form.declaration is not None:
        turn.outbox.say(
            form.declaration(ctx),
            (
                Button(
                    pgettext("button", "I agree, submit"),
                    _command(form, "submit"),
                    pgettext("short", "Submit"),
                ),
                keyboards.back_button(),
                keyboards.cancel_button(),
            ),
        )
        return
    field = form.field(flow.position)
    if field is None:
        await _advance(turn, form, flow)
        return
    lines = [line for line in (_progress(form, flow, field), field.prompt(ctx)) if line]
    buttons: list[Button] = []
    if field.choices is not None:
        buttons += [
            Button(c.label, f"{form.id}:{field.name}:{c.key}", c.short_label)
            for c in field.choices(ctx)
        ]
    if field.multiple:
        items = _items(flow.answers.get(field.name))
        if items:
            lines.append(_("So far:"))
            lines += [f"{n}. {_summary(field, item, ctx)}" for n, item in enumerate(items, 1)]
            buttons.append(Button(pgettext("button", "Done"), _command(form, "done", field.name)))
            buttons.append(
                Button(
                    pgettext("button", "Remove one"),
                    _command(form, "remove", field.name),
                    pgettext("short", "Remove"),
                )
            )
    first = not flow.history
    buttons += _navigation(form, field, flow, first)
    turn.outbox.say("\n".join(lines), buttons)


def _show_review(ctx: FormContext) -> None:
    form, flow, turn = ctx.form, ctx.flow, ctx.turn
    lines = [_("Please check your answers:")]
    buttons: list[Button] = []
    for number, field in enumerate(applicable(form, flow), 1):
        if field.name in flow.missing:
            shown = _("not yet, you can add it later")
        elif field.name in flow.answers and flow.answers[field.name] not in (None, [], ""):
            shown = _summary(field, flow.answers[field.name], ctx)
        else:
            shown = _("skipped")
        lines.append(f"{number}. {_label(field)}: {shown}")
        buttons.append(
            Button(_("Change {number}").format(number=number), _command(form, "edit", field.name))
        )
    if flow.missing:
        lines.append(_("Items marked “not yet” can be added before or after you submit."))
    primary = (
        Button(pgettext("button", "Continue"), _command(form, "declare"))
        if form.declaration is not None
        else Button(pgettext("button", "Submit"), _command(form, "submit"))
    )
    turn.outbox.say(
        "\n".join(lines),
        [
            primary,
            *buttons,
            Button(
                pgettext("button", "Save and leave"),
                _command(form, "save"),
                pgettext("short", "Save"),
            ),
            keyboards.cancel_button(),
        ],
    )


# -- moving through a flow ---------------------------------------------------------------------


def _next_field(form: Form, flow: FlowState, after: str | None) -> Field | None:
    fields = applicable(form, flow)
    names = [f.name for f in fields]
    start = names.index(after) + 1 if after in names else 0
    for field in fields[start:]:
        if flow.only is not None and field.name in flow.answers and field.name not in flow.missing:
            # A reopened flow asks only what is still open among its named items.
            continue
        return field
    return None


async def _advance(turn: Turn, form: Form, flow: FlowState) -> None:
    """Move past the current position: the next question, the review, or completion."""
    if flow.editing and flow.position != REVIEW:
        flow.editing = False
        flow.history.append(flow.position)
        flow.position = REVIEW
        await prompt(turn, form, flow)
        return
    current = flow.position if flow.position not in (REVIEW, DECLARATION) else None
    following = _next_field(form, flow, current) if flow.position != REVIEW else None
    if current is not None:
        flow.history.append(current)
    if following is not None:
        flow.position = following.name
        await prompt(turn, form, flow)
        return
    if form.review and flow.position != REVIEW:
        flow.position = REVIEW
        await prompt(turn, form, flow)
        return
    await _complete(turn, form, flow)


async def _complete(turn: Turn, form: Form, flow: FlowState) -> None:
    state = turn.state
    ctx = _context(turn, form, flow)
    try:
        reference = await form.on_complete(ctx)
    except StayOpen:
        return
    state.close_flow(form.id)
    if form.review:
        state.submitted[form.id] = {"key": flow.key, "ref": reference or ""}
    remind_other_draft(turn, exclude=form.id)


async def record(turn: Turn, form: Form, flow: FlowState, field: Field, value: JsonValue) -> None:
    """Store an accepted answer and move on (a list field stays for more items)."""
    flow.touch(turn.now)
    if field.name in flow.missing:
        flow.missing.remove(field.name)
    if field.multiple:
        items = _items(flow.answers.get(field.name))
        new = value if isinstance(value, list) else [value]
        flow.answers[field.name] = (items + [v for v in new if v not in items])[:MAX_LIST_ITEMS]
        await prompt(turn, form, flow)
        return
    flow.answers[field.name] = value
    await _advance(turn, form, flow)


# -- starting, resuming, leaving ----------------------------------------------------------------


async def start(
    turn: Turn,
    form_id: str,
    *,
    prefill: dict[str, JsonValue] | None = None,
    only: Sequence[str] | None = None,
    at_review: bool = False,
) -> None:
    """Open ``form_id`` at its first question (replacing a draft of the same form).

    ``prefill`` gives known answers; ``only`` reopens just those fields (then the review);
    ``at_review`` opens straight at the review (e.g. a draft prefilled from a registry record).
    """
    form = FORMS.get(form_id)
    if form is None:
        raise LookupError(f"no form {form_id!r}")
    flow = FlowState.new(form.id, "", turn.now)
    flow.answers.update(prefill or {})
    flow.only = list(only) if only is not None else None
    active = turn.state.active_flow()
    if active is not None and active.form != form_id:
        _leave(turn, active)
    turn.state.open_flow(flow)
    ctx = _context(turn, form, flow)
    if form.intro is not None:
        turn.outbox.say(form.intro(ctx))
    first = _next_field(form, flow, None)
    if at_review or first is None:
        flow.position = REVIEW if form.review else ""
        if form.review:
            await prompt(turn, form, flow)
        else:
            await _complete(turn, form, flow)
        return
    flow.position = first.name
    await prompt(turn, form, flow)


def _leave(turn: Turn, flow: FlowState) -> None:
    """The user turns to something else: keep the draft, or drop a short lookup."""
    form = form_of(flow)
    if form is None or not form.keep_draft:
        turn.state.close_flow(flow.form)
    else:
        turn.state.detach()


def interrupted(turn: Turn, active_before: str | None) -> None:
    """After another question was answered mid-flow: keep the flow and say so, or drop it."""
    state = turn.state
    if active_before is None:
        return
    flow = state.flows.get(active_before)
    if flow is None or state.active != active_before:
        return
    form = form_of(flow)
    if form is None or not form.keep_draft:
        state.close_flow(active_before)
        return
    turn.outbox.say(
        _("You have an unfinished {title}.").format(title=form.title()),
        (continue_button(form.id), keyboards.cancel_button()),
    )


def remind_other_draft(turn: Turn, *, exclude: str | None = None) -> None:
    """Mention the most recent saved draft, if any, with a button to continue it."""
    for flow in turn.state.drafts():
        form = form_of(flow)
        if flow.form == exclude or form is None or not form.keep_draft:
            continue
        turn.outbox.say(
            _("Your {title} is saved. You can continue it at any time.").format(title=form.title()),
            (continue_button(form.id),),
        )
        return


async def resume(turn: Turn, form_id: str | None = None) -> bool:
    """Bring back the active flow, the named draft or the most recent one; False if none."""
    state = turn.state
    flow = state.flows.get(form_id) if form_id else state.active_flow()
    announce = flow is None or state.active != flow.form
    if flow is None:
        drafts = [f for f in state.drafts() if form_of(f) is not None]
        flow = drafts[0] if drafts else None
    form = form_of(flow) if flow is not None else None
    if flow is None or form is None:
        return False
    state.active = flow.form
    flow.touch(turn.now)
    if announce:
        turn.outbox.say(_("Let's continue your {title}.").format(title=form.title()))
    await prompt(turn, form, flow)
    return True


async def back(turn: Turn) -> bool:
    """One step back in the active flow; False when no flow is active."""
    state = turn.state
    flow = state.active_flow()
    form = form_of(flow) if flow is not None else None
    if flow is None or form is None:
        return False
    if flow.editing:
        flow.editing = False
        flow.position = REVIEW
    elif flow.position == DECLARATION:
        flow.position = REVIEW
    elif flow.history:
        flow.position = flow.history.pop()
    else:
        # At the first question, back means leaving the flow.
        if flow.answers and form.keep_draft:
            state.detach()
        else:
            state.close_flow(form.id)
        return False
    flow.touch(turn.now)
    await prompt(turn, form, flow)
    return True


def leave(turn: Turn) -> None:
    """The user went to the menu: keep the active flow as a draft (or drop a short lookup)."""
    flow = turn.state.active_flow()
    if flow is not None:
        _leave(turn, flow)


async def reask(turn: Turn) -> bool:
    """The message does not answer the current question: say so and ask it again."""
    flow = turn.state.active_flow()
    form = form_of(flow) if flow is not None else None
    if flow is None or form is None:
        return False
    field = form.field(flow.position)
    if field is None or field.choices is not None or flow.position in (REVIEW, DECLARATION):
        turn.outbox.say(_("Sorry, I did not understand. Please choose one of the buttons."))
    else:
        turn.outbox.say(_("Sorry, I did not understand that answer."))
    await prompt(turn, form, flow)
    return True


def expire_drafts(turn: Turn, lifetime: timedelta) -> None:
    """Forget drafts nobody touched for ``lifetime``."""
    for flow in list(turn.state.flows.values()):
        try:
            updated = datetime.fromisoformat(flow.updated_at)
        except ValueError:
            updated = turn.now
        if turn.now - updated > lifetime:
            log.info("an old %s draft expired", flow.form)
            turn.state.close_flow(flow.form)


def cancel(turn: Turn) -> bool:
    """Discard the active flow; False when there was none."""
    flow = turn.state.active_flow()
    if flow is None:
        return False
    turn.state.close_flow(flow.form)
    return True


# -- input -------------------------------------------------------------------------------------


def expects_typed_numbers(turn: Turn) -> bool:
    """True when the current question takes typed text, so "2" is an answer, not button 2."""
    flow = turn.state.active_flow()
    form = form_of(flow) if flow is not None else None
    if flow is None or form is None:
        return False
    field = form.field(flow.position)
    return field is not None and field.choices is None and field.parse is not None


async def _run_parser(field: Field, given: FieldInput, ctx: FormContext) -> Parsed:
    if field.parse is None:
        return None
    result = field.parse(given, ctx)
    if inspect.isawaitable(result):
        return await result
    return result


def _typed_choice(field: Field, ctx: FormContext, text: str) -> str | None:
    if field.choices is None or not text:
        return None
    wanted = normalise(text).text.strip()
    for choice in field.choices(ctx):
        names = {choice.key, choice.label, choice.short_label or ""}
        if any(wanted == normalise(n).text.strip() for n in names if n):
            return choice.key
    return None


async def _take_files(turn: Turn, field: Field) -> tuple[list[dict[str, JsonValue]], list[str]]:
    """Check and store the message's files; the JSON of those kept, and refusal sentences."""
    kept: list[dict[str, JsonValue]] = []
    refusals: list[str] = []
    limit = field.files.max_files if field.files is not None else 0
    for attachment in turn.message.attachments[:limit]:
        try:
            stored = await turn.intake.take(attachment)
        except FileRefused as refused:
            refusals.append(refused.message())
            continue
        kept.append(stored.to_json())
    if len(turn.message.attachments) > limit:
        refusals.append(_("I can take at most {count} files here.").format(count=limit))
    return kept, refusals


async def take_input(turn: Turn) -> bool:
    """Let the active flow's current question take the message; False if it is not an answer."""
    flow = turn.state.active_flow()
    form = form_of(flow) if flow is not None else None
    if flow is None or form is None:
        return False
    ctx = _context(turn, form, flow)
    if flow.position in (REVIEW, DECLARATION):
        return False
    field = form.field(flow.position)
    if field is None:
        return False
    message = turn.message
    files: list[dict[str, JsonValue]] = []
    if message.attachments:
        if field.files is None:
            turn.outbox.say(_("I don't need a file for this question."))
            await prompt(turn, form, flow)
            return True
        files, refusals = await _take_files(turn, field)
        for sentence in refusals:
            turn.outbox.say(sentence)
        if not files:
            await prompt(turn, form, flow)
            return True
    text = turn.text
    if not files and field.free_text and clearly_another_request(turn):
        return False
    choice = _typed_choice(field, ctx, text) if not files else None
    if choice is not None:
        await record(turn, form, flow, field, choice)
        return True
    given = FieldInput(text=text, choice=None, files=tuple(files), turn=turn)
    result = await _run_parser(field, given, ctx)
    if result is None and files:
        result = Accept(files if field.multiple or len(files) > 1 else files[0])
    if isinstance(result, Reject):
        if not files and clearly_another_request(turn, free_text=field.free_text):
            return False  # not a wrong answer: a request about something else
        turn.outbox.say(result.reason)
        await prompt(turn, form, flow)
        return True
    if isinstance(result, Accept):
        await record(turn, form, flow, field, result.value)
        return True
    return False


async def on_payload(turn: Turn, form_id: str, rest: str) -> None:
    """A button of a form: an answer ``<field>:<key>`` or a command ``!<name>[:<arg>]``."""
    form = FORMS.get(form_id)
    assert form is not None
    state = turn.state
    flow = state.flows.get(form_id)
    if rest.startswith("!"):
        command, _sep, argument = rest[1:].partition(":")
        await _on_command(turn, form, flow, command, argument)
        return
    field_name, _sep, key = rest.partition(":")
    field = form.field(field_name)
    if flow is None:
        # A button of a finished flow: start again, taking it as the first answer if it is one.
        await start(turn, form_id)
        flow = state.flows.get(form_id)
        if flow is not None and field is not None and flow.position == field.name:
            await _answer_choice(turn, form, flow, field, key, restart=True)
        return
    state.active = form_id
    if field is not None and flow.position != field.name:
        _return_to(flow, field)
    if field is None or flow.position != field.name:
        turn.outbox.say(_("That button belongs to an earlier question. Here is where we are:"))
        await prompt(turn, form, flow)
        return
    await _answer_choice(turn, form, flow, field, key)


def _return_to(flow: FlowState, field: Field) -> None:
    """A button under an earlier question: answer that question again, from where it was.

    The back history is cut to what came before that question, so "back" stays true to the
    order the user saw; from the review, it is an edit that returns to the review.
    """
    if flow.position in (REVIEW, DECLARATION) and field.name in flow.answers:
        flow.editing = True
        flow.position = field.name
    elif field.name in flow.history:
        flow.history = flow.history[: flow.history.index(field.name)]
        flow.position = field.name
        flow.editing = False


async def _answer_choice(
    turn: Turn, form: Form, flow: FlowState, field: Field, key: str, *, restart: bool = False
) -> None:
    ctx = _context(turn, form, flow)
    keys = {c.key for c in field.choices(ctx)} if field.choices is not None else set()
    if key not in keys:
        if restart:
            return  # the first question is already on screen
        await prompt(turn, form, flow)
        return
    if restart:
        turn.outbox.replies.clear()
    await record(turn, form, flow, field, key)


async def _on_command(
    turn: Turn, form: Form, flow: FlowState | None, command: str, argument: str
) -> None:
    state = turn.state
    if command == "start":
        await start(turn, form.id)
        return
    if flow is None:
        done = state.submitted.get(form.id)
        if command in ("submit", "declare") and done is not None:
            reference = done.get("ref")
            text = (
                _("This was already sent. Your reference: {reference}.").format(reference=reference)
                if reference
                else _("This was already sent.")
            )
            turn.outbox.say(text, (keyboards.menu_button(),))
            return
        if command == "resume":
            turn.outbox.say(
                _("There is nothing to continue; it was finished or cancelled."),
                keyboards.main_menu(),
            )
            return
        await start(turn, form.id)
        return
    state.active = form.id
    flow.touch(turn.now)
    field = form.field(argument) if argument else None
    if command == "resume":
        await resume(turn, form.id)
    elif command == "save":
        state.detach()
        turn.outbox.say(
            _("Saved. Tap “Continue” or type “continue” at any time to go on."),
            (continue_button(form.id), keyboards.menu_button()),
        )
    elif command == "skip" and field is not None and flow.position == field.name:
        if field.missing_ok:
            if field.name not in flow.missing:
                flow.missing.append(field.name)
            flow.answers.pop(field.name, None)
        elif field.required:
            await prompt(turn, form, flow)
            return
        await _advance(turn, form, flow)
    elif command == "done" and field is not None and flow.position == field.name:
        if not _items(flow.answers.get(field.name)) and field.required and not field.missing_ok:
            turn.outbox.say(_("Please add at least one."))
            await prompt(turn, form, flow)
            return
        await _advance(turn, form, flow)
    elif command == "remove" and field is not None and flow.position == field.name:
        _offer_removal(turn, form, flow, field)
    elif command == "rm" and argument.partition(":")[0] == flow.position:
        name, _sep, index = argument.partition(":")
        items = _items(flow.answers.get(name))
        if index.isdigit() and int(index) < len(items):
            del items[int(index)]
            flow.answers[name] = items
        await prompt(turn, form, flow)
    elif command == "edit" and field is not None and field in applicable(form, flow):
        flow.editing = True
        flow.position = field.name
        await prompt(turn, form, flow)
    elif command == "declare" and flow.position == REVIEW and form.declaration is not None:
        flow.history.append(REVIEW)
        flow.position = DECLARATION
        await prompt(turn, form, flow)
    elif command == "submit" and (
        (flow.position == DECLARATION) or (flow.position == REVIEW and form.declaration is None)
    ):
        unanswered = [
            f
            for f in applicable(form, flow)
            if f.required
            and f.name not in flow.missing
            and flow.answers.get(f.name) in (None, "", [])
        ]
        if unanswered:
            flow.editing = True
            flow.position = unanswered[0].name
            turn.outbox.say(_("One answer is still needed first."))
            await prompt(turn, form, flow)
            return
        await _complete(turn, form, flow)
    else:
        turn.outbox.say(_("That button belongs to an earlier question. Here is where we are:"))
        await prompt(turn, form, flow)


def _offer_removal(turn: Turn, form: Form, flow: FlowState, field: Field) -> None:
    ctx = _context(turn, form, flow)
    items = _items(flow.answers.get(field.name))
    buttons = [
        Button(
            f"\u2716 {_summary(field, item, ctx)}"[:60], _command(form, "rm", f"{field.name}:{n}")
        )
        for n, item in enumerate(items)
    ]
    keep = Button(pgettext("button", "Keep them all"), _command(form, "resume"))
    turn.outbox.say(_("Which one should I remove?"), [*buttons, keep])
