"""Rendering the core's replies within Messenger's limits, and degrading when they are exceeded."""

from __future__ import annotations

import pytest

from bot.channels.graphemes import text_length
from bot.channels.messenger.overflow import decode_choices, encode_choices, is_overflow_payload
from bot.channels.messenger.render import render_replies
from bot.i18n import use_locale
from bot.messages import Button, CardReply, FileReply, TextReply
from tests.messenger.fake_graph_api import check_message
from tests.messenger.seen import Json, choices


def render(replies: list[TextReply | CardReply | FileReply], locale: str = "en") -> list[Json]:
    with use_locale(locale):
        messages = [m.message for m in render_replies(replies) if m.upload is None]
    for message in messages:
        check_message(message)  # what Meta would refuse fails here
    return messages


def buttons(count: int) -> tuple[Button, ...]:
    return tuple(Button(f"Choice {n}", f"test:{n}") for n in range(1, count + 1))


def test_the_last_reply_gets_quick_replies() -> None:
    [message] = render([TextReply("What would you like to know?", buttons(6))])
    assert message["text"] == "What would you like to know?"
    assert [q["payload"] for q in message["quick_replies"]] == [f"test:{n}" for n in range(1, 7)]
    assert all(q["content_type"] == "text" for q in message["quick_replies"])


@pytest.mark.parametrize("locale", ["en", "km"])
def test_more_than_13_choices_become_12_and_more(locale: str) -> None:
    [message] = render([TextReply("Pick one", buttons(20))], locale)
    quick = message["quick_replies"]
    assert len(quick) == 13
    assert [q["payload"] for q in quick[:12]] == [f"test:{n}" for n in range(1, 13)]
    more = quick[12]
    assert is_overflow_payload(more["payload"])
    assert decode_choices(more["payload"]) == [(f"Choice {n}", f"test:{n}") for n in range(13, 21)]


def test_a_more_payload_that_is_tampered_with_is_refused() -> None:
    payload = encode_choices([("Fees", "fee:all")])
    assert decode_choices(payload) == [("Fees", "fee:all")]
    assert decode_choices(payload[:-3] + "!!!") is None
    assert decode_choices("mx:more:") is None
    assert decode_choices("fee:all") is None


def test_long_titles_use_the_short_label_else_are_cut() -> None:
    [message] = render(
        [
            TextReply(
                "Menu",
                (
                    Button("What is the trustmark?", "i:about", "About"),
                    Button("A platform for other sellers", "elig:act:intermediary"),
                ),
            )
        ]
    )
    titles = [q["title"] for q in message["quick_replies"]]
    assert titles == ["About", "A platform for\u2026"]


def test_a_long_text_is_split_on_lines_and_buttons_go_last() -> None:
    lines = [f"{n}. " + "word " * 60 for n in range(1, 20)]
    messages = render([TextReply("\n".join(lines), buttons(2))])
    assert len(messages) > 1
    assert all(text_length(m["text"]) <= 2000 for m in messages)
    assert "\n".join(m["text"] for m in messages) == "\n".join(lines)
    assert "quick_replies" not in messages[0]
    assert len(messages[-1]["quick_replies"]) == 2


def test_an_earlier_reply_with_few_buttons_becomes_a_button_template() -> None:
    messages = render(
        [
            TextReply("Fee table", buttons(3)),
            TextReply("You have an unfinished eligibility check.", buttons(2)),
        ]
    )
    template = messages[0]["attachment"]["payload"]
    assert template["template_type"] == "button"
    assert template["text"] == "Fee table"
    assert [b["payload"] for b in template["buttons"]] == ["test:1", "test:2", "test:3"]
    assert [q["payload"] for q in messages[1]["quick_replies"]] == ["test:1", "test:2"]


def test_an_earlier_reply_too_big_for_a_template_hands_its_buttons_to_the_end() -> None:
    criteria = tuple(Button(str(n), f"crit:{n}") for n in range(1, 10))
    messages = render(
        [
            TextReply("The 9 criteria ...", (*criteria, Button("Main menu", "nav:menu"))),
            TextReply(
                "Continue?", (Button("Continue", "nav:resume"), Button("Main menu", "nav:menu"))
            ),
        ]
    )
    assert messages[0] == {"text": "The 9 criteria ..."}
    payloads = [q["payload"] for q in messages[1]["quick_replies"]]
    assert payloads == [*(f"crit:{n}" for n in range(1, 10)), "nav:menu", "nav:resume"]


def test_a_card_is_a_generic_template_and_share_buttons_are_dropped() -> None:
    card = CardReply(
        title="Sokha Fashion \u00b7 CETS-2025-000001",
        subtitle="\u2705 Certified (CETS) until 1 March 2027.",
        url="https://example.gov.kh/cets/CETS-2025-000001",
        buttons=(
            Button("Share this check", "share:CETS-2025-000001"),
            Button("Complain", "i:complain"),
        ),
    )
    messages = render([card, TextReply("Anything else?", (Button("Main menu", "nav:menu"),))])
    element = messages[0]["attachment"]["payload"]["elements"][0]
    assert messages[0]["attachment"]["payload"]["template_type"] == "generic"
    assert element["title"] == card.title
    assert element["subtitle"] == card.subtitle
    assert element["default_action"] == {"type": "web_url", "url": card.url}
    assert [b["payload"] for b in element["buttons"]] == ["i:complain"]
    assert "share:CETS-2025-000001" not in [p for _t, p in choices(messages)]


def test_a_card_too_long_for_the_template_is_followed_by_its_full_text() -> None:
    subtitle = "\n".join(
        [
            "\u2705 Certified (CETS) until 1 March 2027.",
            "Covers only: facebook.com/sokhafashion.demo, t.me/sokhafashion_demo, 012 345 601",
            "1 verified complaint.",
        ]
    )
    card = CardReply("Sokha Fashion \u00b7 CETS-2025-000001", subtitle, buttons=buttons(5))
    messages = render([card])
    element = messages[0]["attachment"]["payload"]["elements"][0]
    assert element["subtitle"] == "\u2705 Certified (CETS) until 1 March 2027."
    assert len(element["buttons"]) == 3
    assert messages[1]["text"] == f"{card.title}\n{subtitle}"
    assert [q["payload"] for q in messages[2]["quick_replies"]] == ["test:4", "test:5"]


def test_a_file_is_uploaded_with_its_caption_after() -> None:
    reply = FileReply("certificate.pdf", "application/pdf", b"%PDF-1.7 demo", caption="Your PDF")
    with use_locale("en"):
        rendered = render_replies([reply])
    assert rendered[0].upload is not None
    assert rendered[0].upload.data == b"%PDF-1.7 demo"
    assert rendered[1].message == {"text": "Your PDF"}
