"""The OpenAPI document: current, valid, served, and exactly the server's routes."""

from __future__ import annotations

import aiohttp
import yaml
from openapi_spec_validator import validate

from registry.http_server import ServerConfig, create_app
from registry.openapi import render_document
from tests.backend.support import REPO, ServerProcess

DOCUMENT = REPO / "openapi" / "registry.yaml"


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
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    documented = {
        (method, path) for path, operations in document["paths"].items() for method in operations
    }
    assert served == documented
