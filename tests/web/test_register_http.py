"""The public register over HTTP, against the bot's real server (no channel token) on the demo
data: search by every writing, the green-verdict rule, headers, robots, weight, privacy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import quote

import aiohttp
import pytest

from backend_client import (
    ApplicationDraft,
    BusinessCategory,
    BusinessRecord,
    EvidenceItem,
    Identifier,
    IdentifierKind,
)
from bot.i18n import _, format_long_date, use_locale
from registry.clock import today
from registry.embedded import EmbeddedBackend, EmbeddedOfficer, open_store
from tests.web.conftest import DemoRegister

MAX_PAGE_BYTES = 50 * 1024
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


@dataclass(frozen=True)
class Page:
    """An HTML answer and what it links."""

    status: int
    headers: dict[str, str]
    html: str

    @property
    def green_verdicts(self) -> int:
        """How many results carry a green verdict."""
        return self.html.count('class="verdict good"')

    def stylesheets(self) -> list[str]:
        """Addresses of the stylesheets and icons the page loads."""
        collector = _Links()
        collector.feed(self.html)
        return collector.loaded


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") in ("stylesheet", "icon") and values.get("href"):
            self.loaded.append(str(values["href"]))
        if tag in ("img", "script") and values.get("src"):
            self.loaded.append(str(values["src"]))


async def fetch(url: str, **headers: str) -> Page:
    """GET ``url`` with ``headers`` (underscores in names become dashes)."""
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    async with aiohttp.ClientSession() as session, session.get(url, headers=sent) as response:
        return Page(response.status, dict(response.headers), await response.text())


async def search(register: DemoRegister, query: str, lang: str = "en") -> Page:
    """The search page for ``query``."""
    return await fetch(f"{register.url}/search?q={quote(query)}&lang={lang}")


def page_spellings() -> list[str]:
    """The valid demo shop's page, handle, phone and number, written the ways people do."""
    return [
        "facebook.com/sokhafashion.demo",
        "https://m.facebook.com/sokhafashion.demo/",
        "fb.com/sokhafashion.demo/",
        "https://www.facebook.com/sokhafashion.demo?ref=bookmarks",
        "https://web.facebook.com/SOKHAFASHION.DEMO",
        "t.me/sokhafashion_demo",
        "@SokhaFashion_Demo",
        "012 345 601",
        "+855 12 345 601",
        "855-12-345-601",
        "012345601",
        "012 345 601".translate(KHMER_DIGITS),
        "cets-2025-000001",
        "EC-2024-000101",
    ]


@pytest.mark.parametrize("query", page_spellings())
async def test_search_finds_the_shop_by_each_writing(
    demo_register: DemoRegister, query: str
) -> None:
    page = await search(demo_register, query)
    assert page.status == 200
    assert page.green_verdicts == 1
    assert "Sokha Fashion" in page.html
    assert "សុខា ហ្វេសិន" in page.html
    assert 'href="/v/CETS-2025-000001?lang=en"' in page.html


@pytest.mark.parametrize("name", ["Sokha Fashion", "sokha  FASHION", "សុខា ហ្វេសិន"])
async def test_an_exact_name_gets_the_verdict(demo_register: DemoRegister, name: str) -> None:
    page = await search(demo_register, name)
    assert page.green_verdicts == 1
    with use_locale("en"):
        assert _("Found by name: check the page or phone number matches.") in page.html.replace(
            "&#39;", "'"
        )


@pytest.mark.parametrize("near_miss", ["Sokha Fashon", "Sokha Fashion Shop", "សុខា ហ្វេសុន"])
async def test_a_near_miss_name_gets_no_verdict_only_did_you_mean(
    demo_register: DemoRegister, near_miss: str
) -> None:
    page = await search(demo_register, near_miss)
    assert page.status == 200
    assert page.green_verdicts == 0
    assert 'class="verdict' not in page.html
    with use_locale("en"):
        assert _("Did you mean:") in page.html
        assert _("No shop has exactly this name.") in page.html
    assert "/search?q=Sokha+Fashion&amp;lang=en" in page.html


async def certify(
    bot: EmbeddedBackend,
    officer: EmbeddedOfficer,
    *,
    name: str,
    name_km: str,
    registration_no: str,
    page: str,
    phone: str,
) -> str:
    """Apply, submit and approve through the registry: the new certificate's number."""
    owner = ("telegram", f"web-{registration_no}")
    application = await bot.create_application(
        owner,
        ApplicationDraft(
            business_name=name,
            business_name_km=name_km,
            category=BusinessCategory.SOLE_PROPRIETORSHIP,
            registration_no=registration_no,
            address="Siem Reap",
            phone=phone,
            activity_type="online retail",
            identifiers=(page,),
            code_of_conduct_declared=True,
            answers={f"criterion_{n}": "https://shop.example/policy" for n in range(2, 10)},
        ),
        fee_quoted=Decimal("100"),
    )
    await bot.attach_evidence(
        owner,
        application.application_id,
        EvidenceItem("shop.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64), criterion=1),
    )
    await bot.submit_application(owner, application.application_id)
    approved = await officer.approve_application(application.application_id, officer="dara")
    assert approved.certificate_id is not None
    return approved.certificate_id


async def test_a_page_the_certificate_does_not_cover_is_not_green(
    demo_register: DemoRegister,
) -> None:
    store = await open_store(demo_register.database_url)
    bot, officer = EmbeddedBackend(store), EmbeddedOfficer(store)
    try:
        await certify(
            bot,
            officer,
            name="Bopha Silk House",
            name_km="បុប្ផា សូត្រ",
            registration_no="EC-2025-990001",
            page="https://www.facebook.com/bophasilk.web",
            phone="012 777 880",
        )
        # The register learns of a new handle after the certificate was issued: the business
        # declares it, the certificate does not cover it.
        report = await officer.import_businesses(
            (
                BusinessRecord(
                    registration_no="EC-2025-990001",
                    name="Bopha Silk House",
                    name_km="បុប្ផា សូត្រ",
                    identifiers=(Identifier(IdentifierKind.TELEGRAM, "bophasilk_new"),),
                ),
            ),
            officer="dara",
        )
    finally:
        await store.close()
    assert report.errors == ()
    covered = await search(demo_register, "fb.com/bophasilk.web")
    assert covered.green_verdicts == 1
    uncovered = await search(demo_register, "t.me/bophasilk_new")
    assert "Bopha Silk House" in uncovered.html
    with use_locale("en"):
        assert _("Not certified for this page or number") in uncovered.html
    assert uncovered.green_verdicts == 0


async def test_the_record_is_live_and_its_preview_follows_the_status(
    demo_register: DemoRegister,
) -> None:
    store = await open_store(demo_register.database_url)
    bot, officer = EmbeddedBackend(store), EmbeddedOfficer(store)
    try:
        certificate_id = await certify(
            bot,
            officer,
            name="Dara Books",
            name_km="តារា សៀវភៅ",
            registration_no="EC-2025-990002",
            page="@darabooks_web",
            phone="012 777 881",
        )
        url = f"{demo_register.url}/v/{certificate_id}?lang=en"
        before = await fetch(url)
        until = today() + timedelta(days=20)
        await officer.suspend_certificate(
            certificate_id, until=until, officer="dara", reason="refund complaints"
        )
        after = await fetch(url)
    finally:
        await store.close()
    assert re.search(r'<meta property="og:description" content="Certified: [^"]+">', before.html)
    assert before.green_verdicts == 1
    with use_locale("en"):
        suspended = _(
            "Suspended until {date}. The shop may not show the trustmark until then."
        ).format(date=format_long_date(until))
    assert f'<meta property="og:description" content="Suspended: {suspended}">' in after.html
    assert f'<meta property="og:title" content="Dara Books · {certificate_id}">' in after.html
    assert after.green_verdicts == 0


async def test_security_cache_and_robots_headers(demo_register: DemoRegister) -> None:
    record = await fetch(f"{demo_register.url}/v/CETS-2025-000001")
    results = await search(demo_register, "012 345 601")
    csp = record.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp  # so default-src 'none' forbids every script
    assert "unsafe-inline" not in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    for page in (record, results):
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "<script" not in page.html
        assert " style=" not in page.html
    assert record.headers["Cache-Control"] == "public, max-age=60"
    assert "X-Robots-Tag" not in record.headers
    assert results.headers["Cache-Control"] == "no-store"
    assert results.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in results.html
    robots = await fetch(f"{demo_register.url}/robots.txt")
    assert robots.status == 200
    assert "Disallow: /search" in robots.html.splitlines()
    assert "Allow: /v/" in robots.html.splitlines()


async def test_language_from_the_link_then_the_browser_else_khmer(
    demo_register: DemoRegister,
) -> None:
    url = f"{demo_register.url}/v/CETS-2025-000001"
    by_browser = await fetch(url, Accept_Language="en-US,en;q=0.9,km;q=0.5")
    by_link = await fetch(f"{url}?lang=km", Accept_Language="en-US,en;q=0.9")
    other = await fetch(url, Accept_Language="fr-FR,fr;q=0.9,de;q=0.5")
    with use_locale("km"):
        khmer_word = _("Certified")
    assert (by_browser.headers["Content-Language"], '<html lang="en">' in by_browser.html) == (
        "en",
        True,
    )
    assert by_link.headers["Content-Language"] == "km"
    assert khmer_word in by_link.html
    assert other.headers["Content-Language"] == "km"
    assert by_browser.headers["Vary"] == "Accept-Language"


@pytest.mark.parametrize(
    "path",
    [
        "/v/CETS-2025-000001",
        "/v/CETS-2025-000003?lang=en",
        "/v/CETS-2025-999999",
        "/search",
        "/search?q=Sokha+Fashion",
        "/search?q=012+345+603&lang=en",
    ],
)
async def test_every_page_weighs_under_50_kb(demo_register: DemoRegister, path: str) -> None:
    page = await fetch(f"{demo_register.url}{path}")
    total = len(page.html.encode())
    loaded = page.stylesheets()
    assert loaded, "the stylesheet is linked"
    for href in loaded:
        resource = await fetch(f"{demo_register.url}{href}")
        assert resource.status == 200
        assert resource.headers["Cache-Control"] == "public, max-age=86400"
        total += len(resource.html.encode())
    assert total < MAX_PAGE_BYTES, total


async def test_no_complainant_data_on_any_page(demo_register: DemoRegister) -> None:
    pages = [
        await fetch(f"{demo_register.url}/v/{number}?lang={lang}")
        for number in ("CETS-2025-000001", "CETS-2025-000003", "CETS-2025-000004")
        for lang in ("km", "en")
    ]
    pages.append(await search(demo_register, "facebook.com/trustmarkdeals.demo"))
    pages.append(await search(demo_register, "Mekong Mobile Shop"))
    for page in pages:
        assert "CMP-" not in page.html
        assert "parcel never arrived" not in page.html
        assert "consumer" not in page.html.lower()
        assert "shop-owner" not in page.html
    assert "2 verified complaints." in pages[5].html  # revoked demo shop, English page


async def test_unknown_or_malformed_numbers_warn_of_a_fake_badge(
    demo_register: DemoRegister,
) -> None:
    with use_locale("en"):
        warning = _("No certificate with this number exists")
    for path in ("/v/CETS-2025-999999", "/v/cets-1999-000001", "/v/not-a-number", "/v/%3Cb%3Ex"):
        page = await fetch(f"{demo_register.url}{path}?lang=en")
        assert page.status == 404, path
        assert warning in page.html
        assert page.headers["Cache-Control"] == "public, max-age=60"
        assert "<B>X" not in page.html and "<b>x" not in page.html.lower()


async def test_a_search_too_long_is_refused_politely(demo_register: DemoRegister) -> None:
    page = await search(demo_register, "x" * 600)
    assert page.status == 400
    with use_locale("en"):
        assert _("This search is too long") in page.html


async def test_the_bot_server_still_answers_its_health_check(demo_register: DemoRegister) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{demo_register.url}/healthz") as response,
    ):
        assert response.status == 200
        assert await response.json() == {"status": "ok"}
