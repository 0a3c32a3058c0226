"""The HTTP API itself: tokens, other users' records, the OpenAPI document."""

from __future__ import annotations

import json
from decimal import Decimal

import aiohttp
import pytest

from backend_client import ApplicationDraft, ComplaintCategory, ComplaintDraft, PermissionDenied
from backend_client.http_client import HttpOfficerBackend, HttpRegistryBackend
from backend_client.wire import encode
from tests.backend.support import (
    BOT_TOKEN,
    OFFICER_TOKEN,
    ServerProcess,
    new_owner,
    new_shop,
)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/shops?q=x", {}),
        ("/v1/shops?q=x", _auth("wrong")),
        ("/v1/shops?q=x", _auth(OFFICER_TOKEN)),
        ("/v1/shops?q=x", {"Authorization": BOT_TOKEN}),
        ("/v1/officer/applications", _auth(BOT_TOKEN)),
        ("/v1/officer/applications", {}),
        ("/v1/status-changes", _auth(BOT_TOKEN + "x")),
    ],
)
async def test_endpoints_need_their_own_token(
    reference_server: ServerProcess, path: str, headers: dict[str, str]
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(reference_server.url + path, headers=headers) as response,
    ):
        body = await response.json()
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert body["error"]["code"] == "permission_denied"


async def test_the_clients_raise_permission_denied_with_a_wrong_token(
    reference_server: ServerProcess,
) -> None:
    bot = HttpRegistryBackend(reference_server.url, OFFICER_TOKEN)
    officer = HttpOfficerBackend(reference_server.url, BOT_TOKEN)
    try:
        with pytest.raises(PermissionDenied):
            await bot.find_shops("x")
        with pytest.raises(PermissionDenied):
            await officer.list_applications()
    finally:
        await bot.close()
        await officer.close()


async def test_a_user_path_never_shows_another_users_records(
    reference_server: ServerProcess,
) -> None:
    owner, stranger, shop = new_owner(), new_owner(), new_shop()
    bot = HttpRegistryBackend(reference_server.url, BOT_TOKEN)
    try:
        application = await bot.create_application(
            owner, ApplicationDraft(business_name=shop.name), fee_quoted=Decimal("100")
        )
        complaint = await bot.file_complaint(
            owner, ComplaintDraft(shop.facebook, ComplaintCategory.FRAUD, f"secret {shop.tag}")
        )
    finally:
        await bot.close()
    base = f"{reference_server.url}/v1/users/{stranger.channel}/{stranger.user_id}"
    async with aiohttp.ClientSession(headers=_auth(BOT_TOKEN)) as session:
        for path in (
            f"/applications/{application.application_id}",
            f"/complaints/{complaint.complaint_id}",
        ):
            async with session.get(base + path) as response:
                text = await response.text()
            assert response.status == 404, path
            assert json.loads(text)["error"]["code"] == "not_found"
            assert shop.tag not in text
        for path in ("/applications", "/complaints"):
            async with session.get(base + path) as response:
                listing = await response.json()
            assert response.status == 200
            assert listing == {path.strip("/"): []}
        async with session.patch(
            f"{base}/applications/{application.application_id}",
            json=encode(ApplicationDraft(business_name="stolen")),
        ) as response:
            assert response.status == 404
        async with session.post(
            f"{base}/applications/{application.application_id}/submit", json={}
        ) as response:
            assert response.status == 404


async def test_bad_bodies_are_validation_errors(reference_server: ServerProcess) -> None:
    owner = new_owner()
    base = f"{reference_server.url}/v1/users/{owner.channel}/{owner.user_id}"
    async with aiohttp.ClientSession(headers=_auth(BOT_TOKEN)) as session:
        async with session.post(f"{base}/applications", data=b"{not json") as response:
            assert response.status == 422
            assert (await response.json())["error"]["code"] == "validation_error"
        async with session.post(
            f"{base}/applications", json={"draft": {"category": "spaceship"}}
        ) as response:
            assert response.status == 422
        async with session.post(
            f"{base}/complaints", json={"shop_reference": "@x", "category": "fraud"}
        ) as response:
            body = await response.json()
            assert response.status == 422, body
    async with (
        aiohttp.ClientSession(headers=_auth(OFFICER_TOKEN)) as session,
        session.post(
            f"{reference_server.url}/v1/officer/blacklist", json={"query": "@x", "reason": "r"}
        ) as response,
    ):
        body = await response.json()
        assert response.status == 422
        assert "X-CETS-Officer" in body["error"]["message"]
