"""Inbound text is made safe once, where the message is made: what the NLU and database get."""

from __future__ import annotations

from bot.messages import InboundMessage
from bot.sanitise import MAX_ID_CHARS, MAX_PAYLOAD_CHARS, MAX_TEXT_CHARS, cap, clean_text


def test_lone_surrogates_and_control_characters_never_reach_the_core() -> None:
    message = InboundMessage("telegram", "42", text="hi\ud800 there\x00\x07\tok\nbye\udfff")
    assert message.text == "hi there\tok\nbye"
    message.text.encode("utf-8")


def test_a_megabyte_message_is_capped() -> None:
    message = InboundMessage("messenger", "7", text="fee? " * 250_000)
    assert len(message.text) == MAX_TEXT_CHARS
    assert message.text.startswith("fee? fee?")


def test_payload_and_ids_are_capped() -> None:
    message = InboundMessage(
        "messenger", "9" * 1000, payload="p" * 5000, message_id="m" * 500, language_code="x" * 99
    )
    assert len(message.user_id) == MAX_ID_CHARS
    assert message.payload is not None and len(message.payload) == MAX_PAYLOAD_CHARS
    assert message.message_id is not None and len(message.message_id) == MAX_ID_CHARS
    assert message.language_code == "x" * 16


def test_the_cut_keeps_khmer_clusters_whole() -> None:
    # ក្ស is one cluster (KA, COENG, SA): a cut inside it drops the whole cluster.
    text = "ក" * 9 + "\u17d2" + "ស"
    assert cap(text, 10) == "ក" * 8
    # A vowel sign belongs to its consonant: it is not cut off alone.
    assert cap("ក" * 9 + "កា", 10) == "ក" * 9
    assert cap("short", 10) == "short"


def test_ordinary_text_is_unchanged() -> None:
    for text in ("សួស្តី បង", "how much is the fee?", "tlai sevea ponman", "fee ប៉ុន្មាន\n"):
        assert clean_text(text) == text
        assert InboundMessage("telegram", "1", text=text).text == text
