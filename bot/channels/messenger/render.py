"""Rendering the core's replies as Messenger messages, within the platform's limits.

The policy, applied in this order:

* Texts longer than 2000 characters are split on line boundaries; buttons go with the last
  piece.
* The buttons of the answer's last reply become quick replies (they show only on the newest
  message, above the keyboard, and disappear once used). More than 13: the first 12 and a
  "More" choice that shows the rest (:mod:`overflow`).
* A text reply with buttons that is not the last of the answer becomes a button template
  (text up to 640 characters, 1-3 postback buttons), which keeps its buttons in the thread.
  When it does not fit, its text is sent plain and its buttons join the quick replies of
  the answer's end (without duplicates).
* A card becomes a one-element generic template (title and subtitle up to 80 characters, up to
  3 buttons, the link as the card's tap action). A card cut to fit is followed by its full
  text, so nothing is lost; buttons beyond 3 join the quick replies.
* Button titles are at most 20 characters: the label, else the button's short label, else
  the label cut between clusters with an ellipsis.
* ``share:`` buttons (Telegram inline sharing) are dropped: a person forwards a Messenger
  message with Messenger's own share action.

Call :func:`render_replies` inside ``use_locale(<the user's locale>)``: the few words the
adapter adds itself ("More", "More choices:") are translated in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from bot.channels.graphemes import fit, split_text, text_length
from bot.channels.messenger.outgoing import FileUpload, OutgoingMessage
from bot.channels.messenger.overflow import Choice, encode_choices
from bot.i18n import _, pgettext
from bot.messages import Button, CardReply, FileReply, Reply, TextReply

QUICK_REPLY_LIMIT: Final = 13
TITLE_LIMIT: Final = 20
TEXT_LIMIT: Final = 2000
BUTTON_TEMPLATE_TEXT_LIMIT: Final = 640
TEMPLATE_BUTTON_LIMIT: Final = 3
CARD_TEXT_LIMIT: Final = 80
DROPPED_PREFIXES: Final = ("share:",)


def button_title(button: Button) -> str:
    """The button's title within 20 characters, cut only as a last resort."""
    label = button.label.strip()
    if text_length(label) <= TITLE_LIMIT:
        return label
    if button.short_label and text_length(button.short_label.strip()) <= TITLE_LIMIT:
        return button.short_label.strip()
    return fit(button.short_label or label, TITLE_LIMIT)


def choices_for(buttons: Iterable[Button]) -> list[Choice]:
    """The buttons as (title, payload) choices, without dropped kinds or repeated payloads."""
    choices: list[Choice] = []
    seen: set[str] = set()
    for button in buttons:
        if (
            button.payload.startswith(DROPPED_PREFIXES)
            or button.kind == "contact"  # Telegram's "share my phone": typed here instead
            or button.payload in seen
        ):
            continue
        seen.add(button.payload)
        choices.append((button_title(button), button.payload))
    return choices


def quick_replies(choices: Sequence[Choice]) -> list[dict[str, Any]]:
    """At most 13 quick replies; beyond that, 12 and a "More" choice carrying the rest."""
    shown = list(choices)
    if len(shown) > QUICK_REPLY_LIMIT:
        rest = shown[QUICK_REPLY_LIMIT - 1 :]
        more_title = fit(pgettext("button", "More"), TITLE_LIMIT)
        shown = [*shown[: QUICK_REPLY_LIMIT - 1], (more_title, encode_choices(rest))]
    return [
        {"content_type": "text", "title": title, "payload": payload} for title, payload in shown
    ]


def _postback_buttons(choices: Sequence[Choice]) -> list[dict[str, Any]]:
    return [{"type": "postback", "title": title, "payload": payload} for title, payload in choices]


def text_messages(text: str, choices: Sequence[Choice] = ()) -> list[OutgoingMessage]:
    """A text split to 2000-character messages, with quick replies on the last one."""
    if not text.strip() and choices:
        text = _("More choices:")  # quick replies need a message to sit on
    pieces = split_text(text, TEXT_LIMIT) if text.strip() else []
    messages: list[dict[str, Any]] = [{"text": piece} for piece in pieces]
    if choices:
        messages[-1]["quick_replies"] = quick_replies(choices)
    return [OutgoingMessage(message) for message in messages]


def fits_button_template(text: str, choices: Sequence[Choice]) -> bool:
    """True when a text and its choices fit one button template."""
    return (
        bool(text.strip())
        and text_length(text) <= BUTTON_TEMPLATE_TEXT_LIMIT
        and 1 <= len(choices) <= TEMPLATE_BUTTON_LIMIT
    )


def button_template(text: str, choices: Sequence[Choice]) -> OutgoingMessage:
    """A button template: the text with 1-3 postback buttons under it."""
    return OutgoingMessage(
        {
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "button",
                    "text": text,
                    "buttons": _postback_buttons(choices),
                },
            }
        }
    )


def _card_subtitle(subtitle: str) -> str:
    """As many whole lines of the subtitle as fit, else its first line cut to fit."""
    lines = [line for line in subtitle.split("\n") if line.strip()]
    kept: list[str] = []
    for line in lines:
        if text_length("\n".join([*kept, line])) > CARD_TEXT_LIMIT:
            break
        kept.append(line)
    if kept:
        return "\n".join(kept)
    return fit(lines[0], CARD_TEXT_LIMIT) if lines else ""


def card_messages(card: CardReply) -> tuple[list[OutgoingMessage], list[Choice]]:
    """A card as a generic template (plus its full text when cut) and its extra choices."""
    choices = choices_for(card.buttons)
    shown, extra = choices[:TEMPLATE_BUTTON_LIMIT], choices[TEMPLATE_BUTTON_LIMIT:]
    title = fit(card.title.strip() or card.subtitle.strip(), CARD_TEXT_LIMIT)
    subtitle = _card_subtitle(card.subtitle)
    element: dict[str, Any] = {"title": title}
    if subtitle:
        element["subtitle"] = subtitle
    if card.url and card.url.startswith("https://"):
        element["default_action"] = {"type": "web_url", "url": card.url}
    if shown:
        element["buttons"] = _postback_buttons(shown)
    template = OutgoingMessage(
        {
            "attachment": {
                "type": "template",
                "payload": {"template_type": "generic", "elements": [element]},
            }
        }
    )
    messages = [template]
    if title != card.title.strip() or subtitle != card.subtitle.strip():
        full = "\n".join(part for part in (card.title, card.subtitle, card.url or "") if part)
        messages += text_messages(full)
    return messages, extra


def file_messages(reply: FileReply) -> list[OutgoingMessage]:
    """A file upload, then its caption as text."""
    upload = FileUpload(reply.filename, reply.mime_type, reply.data)
    return [OutgoingMessage({}, upload), *text_messages(reply.caption)]


def render_replies(replies: Sequence[Reply]) -> list[OutgoingMessage]:
    """Every message to send for one answer of the core, in order."""
    messages: list[OutgoingMessage] = []
    carried: list[Choice] = []
    for index, reply in enumerate(replies):
        last = index == len(replies) - 1
        if isinstance(reply, TextReply):
            choices = choices_for(reply.buttons)
            if last:
                messages += text_messages(reply.text, _merge(carried, choices))
                carried = []
            elif choices and fits_button_template(reply.text, choices):
                messages.append(button_template(reply.text, choices))
            else:
                messages += text_messages(reply.text)
                carried = _merge(carried, choices)
        elif isinstance(reply, CardReply):
            card, extra = card_messages(reply)
            messages += card
            carried = _merge(carried, extra)
        else:
            messages += file_messages(reply)
    if carried:
        messages += text_messages(_("More choices:"), carried)
    return messages


def _merge(first: Sequence[Choice], second: Sequence[Choice]) -> list[Choice]:
    payloads = {payload for _title, payload in first}
    return [*first, *(choice for choice in second if choice[1] not in payloads)]
