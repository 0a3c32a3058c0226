"""Only Meta gets in: the verify-token handshake and the X-Hub-Signature-256 check."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from bot.channels.messenger.config import MessengerConfigError
from bot.server import build_web_app
from bot.settings import Settings
from tests.messenger.fake_graph_api import PAGE_TOKEN
from tests.messenger.harness import APP_SECRET, VERIFY_TOKEN, MessengerBot, load_payload, sign


async def handshake(bot: MessengerBot, **params: str) -> tuple[int, str]:
    async with bot.session.get(f"{bot.base_url}/messenger/webhook", params=params) as response:
        return response.status, await response.text()


async def test_the_handshake_echoes_the_challenge_for_the_right_token(bot: MessengerBot) -> None:
    status, body = await handshake(
        bot,
        **{
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert (status, body) == (200, "1158201444")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong-token", "hub.challenge": "42"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN[:-1], "hub.challenge": "42"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"},
        {"hub.mode": "subscribe", "hub.challenge": "42"},
        {},
    ],
)
async def test_the_handshake_refuses_anything_else(
    bot: MessengerBot, params: dict[str, str]
) -> None:
    status, body = await handshake(bot, **params)
    assert status == 403
    assert "42" not in body


def sha1_header(body: bytes) -> str:
    return "sha1=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha1).hexdigest()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"X-Hub-Signature-256": "sha256=" + "0" * 64}, id="wrong"),
        pytest.param({"X-Hub-Signature-256": "garbage"}, id="garbage"),
        pytest.param({"X-Hub-Signature-256": ""}, id="empty"),
        pytest.param("sha1-only", id="legacy-sha1-only"),
        pytest.param("other-secret", id="signed-with-another-secret"),
        pytest.param("other-body", id="signature-of-another-body"),
    ],
)
async def test_a_badly_signed_delivery_is_refused_and_reaches_nothing(
    bot: MessengerBot, headers: dict[str, str] | str
) -> None:
    body = json.dumps(load_payload("text_message")).encode()
    if headers == "sha1-only":
        headers = {"X-Hub-Signature": sha1_header(body)}
    elif headers == "other-secret":
        headers = {"X-Hub-Signature-256": sign(body, "another-apps-secret")}
    elif headers == "other-body":
        headers = {"X-Hub-Signature-256": sign(body + b" ")}
    assert isinstance(headers, dict)
    response = await bot.post(body, {"Content-Type": "application/json", **headers})
    assert response.status == 403
    await bot.settle()
    assert bot.graph.calls == []  # nothing sent, not even a typing indicator
    assert await bot.stored_events() == []  # nothing stored for the core


async def test_the_signature_is_checked_before_the_body_is_read_as_json(bot: MessengerBot) -> None:
    response = await bot.post(b"{not json", {"Content-Type": "application/json"})
    assert response.status == 403
    signed = await bot.post(b"{not json", {"X-Hub-Signature-256": sign(b"{not json")})
    assert signed.status == 400
    assert await bot.stored_events() == []


async def test_a_correctly_signed_delivery_is_accepted(bot: MessengerBot) -> None:
    body = json.dumps(load_payload("text_message")).encode()
    response = await bot.post(
        body,
        {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body),
            "X-Hub-Signature": sha1_header(body),
        },
    )
    assert response.status == 200
    await bot.settle()
    assert bot.graph.messages("7012345678901234")


@pytest.mark.parametrize("missing", ["MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN"])
def test_the_server_will_not_start_without_its_secrets(
    settings: Settings, messenger_env: pytest.MonkeyPatch, missing: str
) -> None:
    messenger_env.delenv(missing)
    bot_settings = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        messenger_page_access_token=PAGE_TOKEN,
    )
    with pytest.raises(MessengerConfigError, match=missing):
        build_web_app(bot_settings)
