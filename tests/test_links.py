"""Link arguments (Telegram deep links, m.me refs) open the same thing on every channel."""

from __future__ import annotations

import pytest

from bot.channels.links import payload_for_link
from bot.channels.telegram.commands import start_payload


@pytest.mark.parametrize(
    ("argument", "payload"),
    [
        ("cert_CETS-2025-000001", "cert:CETS-2025-000001"),
        ("cert_cets-2025-000003", "cert:CETS-2025-000003"),
        ("apply", "i:apply"),
        ("APPLY", "i:apply"),
        ("check", "i:check_shop"),
        ("complain", "i:complain"),
        ("cert_", None),
        ("cert_CETS-2025-1", None),
        ("cert_../../etc", None),
        ("summer_campaign", None),
        (None, None),
    ],
)
def test_link_arguments(argument: str | None, payload: str | None) -> None:
    assert payload_for_link(argument) == payload
    # Telegram's /start falls back to the greeting and menu for anything that is not ours.
    assert start_payload(argument) == (payload or "i:greet")
