"""Replies survive a trip through JSON: every kind, nested buttons, bytes, missing new fields."""

from __future__ import annotations

import json

import pytest

from bot.messages import Attachment, Button, CardReply, FileReply, InboundMessage, TextReply
from bot.reply_codec import (
    ReplyDecodeError,
    decode_replies,
    decode_value,
    encode_replies,
    encode_value,
)

REPLIES = [
    TextReply("សួស្តី! Hello <b>&", (Button("ថ្លៃសេវា", "fee:all", "ថ្លៃ"), Button("Menu", "nav:menu"))),
    CardReply(
        "Shop ✓", "Certified until 2027", "https://example.org/v/1", (Button("Share", "share:X"),)
    ),
    CardReply("No link", "", None),
    FileReply(
        "certificate.pdf", "application/pdf", b"%PDF-1.4\x00\xff\x10 binary", "Your <certificate>"
    ),
    TextReply(""),
]


def test_every_reply_kind_round_trips_through_json_text() -> None:
    stored = json.dumps(encode_replies(REPLIES))
    assert decode_replies(json.loads(stored)) == REPLIES


def test_bytes_are_stored_as_base64_text() -> None:
    [encoded] = encode_replies([REPLIES[3]])
    assert encoded["$type"] == "FileReply"
    assert encoded["data"] == "JVBERi0xLjQA/xAgYmluYXJ5"


def test_an_inbound_message_with_attachments_round_trips() -> None:
    message = InboundMessage(
        channel="telegram",
        user_id="42",
        text="photos",
        attachments=(
            Attachment("image", "a.jpg", "image/jpeg", b"\xff\xd8\xff"),
            Attachment("file", "b.pdf", "application/pdf", b"%PDF", "https://cdn.example/b"),
        ),
        language_code="km",
    )
    assert decode_value(json.loads(json.dumps(encode_value(message)))) == message


def test_a_field_added_after_storing_takes_its_default() -> None:
    # Stored before TextReply had buttons: the default applies, nothing breaks.
    assert decode_replies([{"$type": "TextReply", "text": "hi"}]) == [TextReply("hi")]
    # A field the code no longer knows is ignored.
    assert decode_replies([{"$type": "TextReply", "text": "hi", "colour": "red"}]) == [
        TextReply("hi")
    ]


@pytest.mark.parametrize(
    "stored",
    [
        {"$type": "TextReply"},  # a required field missing
        {"$type": "Nonsense", "text": "x"},
        {"$type": "Button", "label": "x", "payload": "y"},  # a dataclass, but not a reply
        {"$type": "TextReply", "text": 5},
        {"$type": "FileReply", "filename": "a", "mime_type": "b", "data": "not base64!"},
        {
            "$type": "TextReply",
            "text": "x",
            "buttons": [{"$type": "Button", "label": "x", "payload": "é"}],
        },
        "TextReply",
    ],
)
def test_stored_data_that_is_not_a_reply_is_refused(stored: object) -> None:
    with pytest.raises((ReplyDecodeError, ValueError)):
        decode_replies([stored])
