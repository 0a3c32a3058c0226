"""The HTTP API itself: tokens, other users' records, the OpenAPI document."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
import yaml
from openapi_spec_validator import validate

from backend_client import ApplicationDraft, ComplaintCategory, ComplaintDraft, PermissionDenied
from backend_client.http_client import HttpOfficerBackend, HttpRegistryBackend
from backend_client.wire import encode
from registry.http_server import ServerConfig, create_app
from registry.openapi import render_document
from tests.backend.support import (
    BOT_TOKEN,
    OFFICER_TOKEN,
    REPO,
    ServerProcess,
    new_owner,
    new_shop,
)

DOCUMENT = REPO / "openapi" / "registry.yaml"


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


async def test_the_server_serves_the_committed_document(reference_server: ServerProcess) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(reference_server.url + "/openapi.yaml") as response,
    ):
        text = await response.text()
    assert response.status == 200
    assert text == DOCUMENT.read_text(encoding="utf-8")


def test_the_committed_document_is_current_and_valid() -> None:
    committed = DOCUMENT.read_text(encoding="utf-8")
    assert committed == render_document(), "run scripts/registry-openapi"
    validate(yaml.safe_load(committed))


def test_the_server_has_exactly_the_documented_routes() -> None:
    app = create_app(ServerConfig(database_url=None, bot_token="b", officer_token="o"))
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.method != "HEAD" and route.resource is not None
    }
    document = yaml.safe_load(Path(DOCUMENT).read_text(encoding="utf-8"))
    documented = {
        (method, path) for path, operations in document["paths"].items() for method in operations
    }
    assert served == documented
