"""Attachment URLs come from webhook bodies: fetched only over https from Meta's CDN, on public
addresses, redirects checked hop by hop, within a time limit; never loopback or private."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from collections.abc import AsyncIterator, Sequence

import aiohttp
import pytest
from aiohttp import web

from bot.channels.messenger.attachments import (
    AttachmentPolicy,
    AttachmentRefused,
    AttachmentUnavailable,
    download_attachment,
)
from bot.channels.messenger.events import AttachmentRef
from bot.i18n import _, use_locale
from bot.server import build_web_app
from bot.settings import Settings
from tests.messenger.fake_graph_api import PAGE_TOKEN, FakeGraphApi
from tests.messenger.harness import MessengerBot, load_payload

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def resolving_to(*addresses: str) -> AttachmentPolicy:
    """The default policy, with DNS answering ``addresses`` for every host."""

    async def resolver(host: str, port: int) -> Sequence[str]:
        return addresses

    return AttachmentPolicy(resolver=resolver)


@pytest.mark.parametrize(
    "url",
    [
        "http://scontent.xx.fbcdn.net/v/photo.jpg",  # not https
        "https://example.com/photo.jpg",  # not Meta's CDN
        "https://fbcdn.net.evil.example/photo.jpg",  # a look-alike
        "https://evilfbcdn.net/photo.jpg",
        "https://user:pw@scontent.xx.fbcdn.net/photo.jpg",  # credentials
        "https://scontent.xx.fbcdn.net:8443/photo.jpg",  # another port
        "https://127.0.0.1/photo.jpg",
        "https://[::1]/photo.jpg",
        "file:///etc/passwd",
        "gopher://cdn.fbsbx.com/x",
    ],
)
async def test_urls_outside_metas_cdn_are_refused_before_any_lookup(url: str) -> None:
    async def no_dns(host: str, port: int) -> Sequence[str]:
        raise AssertionError(f"{host} must not even be looked up")

    with pytest.raises(AttachmentRefused):
        await AttachmentPolicy(resolver=no_dns).target(url)


@pytest.mark.parametrize(
    "addresses",
    [
        ("127.0.0.1",),
        ("10.1.2.3",),
        ("192.168.1.20",),
        ("172.16.0.9",),
        ("169.254.169.254",),  # cloud metadata
        ("100.64.0.1",),  # carrier-grade NAT
        ("0.0.0.0",),
        ("::1",),
        ("fe80::1",),
        ("fd00::5",),
        ("::ffff:127.0.0.1",),
        ("157.240.1.1", "10.0.0.1"),  # one private answer among public ones
        (),
    ],
)
async def test_a_cdn_name_resolving_to_a_non_public_address_is_refused(
    addresses: tuple[str, ...],
) -> None:
    with pytest.raises(AttachmentRefused):
        await resolving_to(*addresses).target("https://scontent.xx.fbcdn.net/v/photo.jpg")


async def test_a_public_cdn_address_is_requested_pinned_with_its_tls_name() -> None:
    policy = resolving_to("157.240.1.1")
    target, server_name = await policy.target("https://cdn.fbsbx.com/v/t59/file.pdf?x=1")
    assert (str(target), server_name) == ("https://157.240.1.1/v/t59/file.pdf?x=1", "cdn.fbsbx.com")
    target, _ = await resolving_to("2a03:2880:f003:c07:face:b00c::2").target(
        "https://scontent.xx.fbcdn.net/p.jpg"
    )
    assert target.host is not None
    assert ipaddress.ip_address(target.host) == ipaddress.ip_address(
        "2a03:2880:f003:c07:face:b00c::2"
    )


class Servers:
    """A fake CDN that redirects, and an internal service that must never be reached."""

    def __init__(self) -> None:
        self.internal_hits = 0
        self.cdn_origin = ""
        self.internal_origin = ""
        self.slow = asyncio.Event()
        self._runners: list[web.AppRunner] = []

    async def start(self) -> None:
        async def internal(request: web.Request) -> web.Response:
            self.internal_hits += 1
            return web.Response(body=b"secret")

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPFound(f"{self.internal_origin}/latest/meta-data")

        async def relative(request: web.Request) -> web.Response:
            raise web.HTTPFound("/cdn/photo.png")

        async def photo(request: web.Request) -> web.Response:
            return web.Response(body=PNG, content_type="image/png")

        async def stall(request: web.Request) -> web.Response:
            await self.slow.wait()
            return web.Response(body=PNG)

        internal_app = web.Application()
        internal_app.router.add_get("/{tail:.*}", internal)
        cdn_app = web.Application()
        cdn_app.router.add_get("/cdn/redirect", redirect)
        cdn_app.router.add_get("/cdn/relative", relative)
        cdn_app.router.add_get("/cdn/photo.png", photo)
        cdn_app.router.add_get("/cdn/stall", stall)
        for app in (internal_app, cdn_app):
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            self._runners.append(runner)
        self.internal_origin = f"http://127.0.0.1:{self._runners[0].addresses[0][1]}"
        self.cdn_origin = f"http://127.0.0.1:{self._runners[1].addresses[0][1]}"

    async def stop(self) -> None:
        self.slow.set()
        for runner in self._runners:
            await runner.cleanup()


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    running = Servers()
    await running.start()
    yield running
    await running.stop()


async def test_a_redirect_to_an_internal_address_is_not_followed(servers: Servers) -> None:
    policy = AttachmentPolicy(test_origins=frozenset({servers.cdn_origin}))
    async with aiohttp.ClientSession() as session:
        with pytest.raises(AttachmentRefused):
            await download_attachment(
                session,
                AttachmentRef("image", f"{servers.cdn_origin}/cdn/redirect"),
                max_bytes=10_000,
                policy=policy,
            )
        # A redirect within the allowed origin is followed.
        attachment = await download_attachment(
            session,
            AttachmentRef("image", f"{servers.cdn_origin}/cdn/relative"),
            max_bytes=10_000,
            policy=policy,
        )
    assert attachment.data == PNG
    assert servers.internal_hits == 0


async def test_a_download_that_stalls_is_given_up_after_the_time_limit(servers: Servers) -> None:
    policy = AttachmentPolicy(test_origins=frozenset({servers.cdn_origin}), timeout_seconds=0.3)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(AttachmentUnavailable):
            await download_attachment(
                session,
                AttachmentRef("image", f"{servers.cdn_origin}/cdn/stall"),
                max_bytes=10_000,
                policy=policy,
            )


async def test_without_the_test_allowance_the_bot_does_not_fetch_from_loopback(
    settings: Settings, graph: FakeGraphApi, messenger_env: pytest.MonkeyPatch
) -> None:
    """A deployment's bot (no allowance) refuses the loopback URL and tells the user."""
    app = build_web_app(dataclasses.replace(settings, messenger_page_access_token=PAGE_TOKEN))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        bot = MessengerBot(app, f"http://127.0.0.1:{port}", graph, session, runner)
        try:
            graph.add_file("receipt_screenshot_n.jpg", PNG, "image/jpeg")
            assert await bot.deliver(load_payload("image", graph.origin)) == 200
            await bot.settle()
        finally:
            await bot.stop()
    assert graph.downloads == []
    psid = "7012345678907777"
    with use_locale("km"):
        notice = _("Sorry, I could not receive your file. Please send it again.")
    assert notice in [m.get("text") for m in graph.messages(psid)]
