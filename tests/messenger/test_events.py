"""Reading replayed deliveries: every event of a batch, stable ids, what each one asks."""

from __future__ import annotations

import pytest

from bot.channels.links import payload_for_link
from bot.channels.messenger.events import (
    EventKind,
    UserEvent,
    accepted_events,
    read_user_event,
    unwrap_link,
)
from bot.channels.messenger.referrals import certificate_link
from tests.messenger.harness import load_payload


def test_every_entry_and_every_event_of_a_batch_is_kept() -> None:
    events = accepted_events(load_payload("batch_two_entries"))
    assert [e.psid for e in events] == [f"700000000000000{n}" for n in range(1, 7)]
    assert len({e.event_id for e in events}) == 6
    assert {e.kind for e in events} == {EventKind.MESSAGE}


@pytest.mark.parametrize("name", ["echo", "delivery", "read", "reaction"])
def test_echoes_receipts_and_unknown_events_are_skipped(name: str) -> None:
    assert accepted_events(load_payload(name)) == []


def test_a_mixed_entry_keeps_only_the_message() -> None:
    [event] = accepted_events(load_payload("mixed_receipts_and_text"))
    assert event.event_id == "m_mixed-text"


def test_a_redelivery_has_the_same_event_id_even_without_a_mid() -> None:
    first = accepted_events(load_payload("postback_get_started_referral"))
    again = accepted_events(load_payload("postback_get_started_referral"))
    assert first[0].event_id == again[0].event_id
    assert first[0].event_id.startswith("pb:")
    [referral] = accepted_events(load_payload("referral"))
    assert referral.event_id == accepted_events(load_payload("referral"))[0].event_id


def test_not_a_page_delivery_is_ignored() -> None:
    delivery = load_payload("text_message")
    delivery["object"] = "instagram"
    assert accepted_events(delivery) == []


def test_what_each_event_asks_of_the_core() -> None:
    def read(name: str) -> UserEvent | None:
        return read_user_event(accepted_events(load_payload(name, "https://cdn.test"))[0].body)

    assert read("text_message") == UserEvent("7012345678901234", text="hello")
    quick = read("quick_reply")
    assert quick == UserEvent("7012345678901234", payload="fee:all")
    started = read("postback_get_started_referral")
    assert started is not None and started.payload == "cert:CETS-2025-000001"
    referral = read("referral")
    assert referral is not None and referral.payload == "i:apply"
    image = read("image")
    assert image is not None and image.attachments[0].kind == "image"
    assert image.attachments[0].url == "https://cdn.test/cdn/receipt_screenshot_n.jpg"
    link = read("fallback_link")
    assert link is not None
    assert link.text == "is this shop certified?\nhttps://www.facebook.com/sokhafashionkh"
    assert link.attachments == ()
    unavailable = read("fallback_unavailable")
    assert unavailable is not None and unavailable.unavailable_attachments == 1
    sticker = read("sticker_like")
    assert sticker == UserEvent("7012345678901234")


def test_certificate_links_round_trip() -> None:
    link = certificate_link("CETSMoC", "CETS-2025-000001")
    assert link == "https://m.me/CETSMoC?ref=cert_CETS-2025-000001"
    assert payload_for_link(link.split("ref=")[1]) == "cert:CETS-2025-000001"


def test_facebook_redirects_are_unwrapped_and_other_links_kept() -> None:
    wrapped = "https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example%2Fa%3Fb%3D1&h=AT0"
    assert unwrap_link(wrapped) == "https://shop.example/a?b=1"
    assert unwrap_link("https://shop.example/") == "https://shop.example/"
    assert unwrap_link("https://l.facebook.com/l.php?u=javascript%3Aalert(1)") == (
        "https://l.facebook.com/l.php?u=javascript%3Aalert(1)"
    )
