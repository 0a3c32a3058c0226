"""The public register in a real headless browser (Debian's Chromium) at a 360x640 phone
viewport: every demo verdict in Khmer and English, the fake-badge warning, the badge's QR code.

Screenshots go to var/test-artifacts/web/. Skipped without Chromium locally; failing under
CI=true (scripts/install-web-deps.sh installs it).
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
import zxingcpp
from PIL import Image

from bot.badge import render_badge
from bot.i18n import _, format_long_date, use_locale
from bot.public_links import PublicLinks
from registry.demo import DemoShop
from tests.web.browser import VIEWPORT, HeadlessChromium, PageSnapshot
from tests.web.conftest import BOT_USERNAME, MESSENGER_PAGE, DemoRegister

pytestmark = pytest.mark.browser

KHMER_BROWSER = "km-KH,km;q=0.9"
ENGLISH_BROWSER = "en-GB,en;q=0.9"
MAX_PAGE_BYTES = 50 * 1024
# (demo shop, verdict word, colour class)
CERTIFICATE_VERDICTS = {
    "valid": ("Certified", "good"),
    "expired": ("Expired", "caution"),
    "suspended": ("Suspended", "caution"),
    "revoked": ("Revoked", "bad"),
}


def demo_identifiers(shop: DemoShop) -> tuple[str, ...]:
    """How the page writes the demo shop's page, handle and phone."""
    page = shop.facebook.rsplit("/", 1)[1].replace(".", "")
    handle = shop.telegram.rsplit("/", 1)[1]
    return (f"facebook.com/{page}", f"t.me/{handle}", shop.phone)


def assert_light_and_safe(snapshot: PageSnapshot) -> None:
    """What every page must be on a cheap phone: small, no script, no CSP violation, no
    sideways scrolling."""
    assert snapshot.bytes_loaded < MAX_PAGE_BYTES, snapshot.bytes_loaded
    assert snapshot.scripts == 0
    assert snapshot.console_errors == ()
    assert snapshot.failed_resources == ()
    assert snapshot.scroll_width <= VIEWPORT["width"]


def assert_verdict_on_first_screen(snapshot: PageSnapshot, tone: str) -> None:
    """The coloured verdict is the first thing seen, without scrolling."""
    assert snapshot.verdict_box is not None
    assert snapshot.verdict_box["y"] + snapshot.verdict_box["height"] <= VIEWPORT["height"]
    assert snapshot.verdict_class.split() == ["verdict", tone]


def open_page(
    chromium: HeadlessChromium, url: str, locale: str, artifact: str, texts: tuple[str, ...]
) -> PageSnapshot:
    """Khmer pages come from the browser's language; English ones from ``?lang=en`` on a
    Khmer browser (the link wins over the browser)."""
    if locale == "en":
        url = f"{url}{'&' if '?' in url else '?'}lang=en"
    return chromium.open(url, accept_language=KHMER_BROWSER, artifact=artifact, texts=texts)


@pytest.mark.parametrize("locale", ["km", "en"])
@pytest.mark.parametrize("key", list(CERTIFICATE_VERDICTS))
def test_certificate_page_shows_verdict_dates_and_what_it_covers(
    chromium: HeadlessChromium, demo_register: DemoRegister, key: str, locale: str
) -> None:
    shop = demo_register.shop(key)
    view = demo_register.certificates[key]
    certificate = view.certificate
    word, tone = CERTIFICATE_VERDICTS[key]
    with use_locale(locale):
        headline = _(word)
        dates = [
            format_long_date(certificate.valid_from),
            format_long_date(certificate.valid_until),
        ]
        if certificate.suspended_until is not None:
            dates.append(format_long_date(certificate.suspended_until))
        if certificate.revoked_on is not None:
            dates.append(format_long_date(certificate.revoked_on))
        copy_warning = _(
            "Is this the page you are buying from? If it is not listed here, the badge may be "
            "copied."
        )
    identifiers = demo_identifiers(shop)
    texts = (headline, *dates, *identifiers, shop.name, shop.name_km, copy_warning)
    snapshot = open_page(
        chromium,
        f"{demo_register.url}/v/{shop.certificate_id}",
        locale,
        f"certificate-{key}-{locale}",
        texts,
    )
    assert snapshot.status == 200
    assert snapshot.lang == locale
    assert {text: True for text in texts} == snapshot.visible
    assert shop.certificate_id in snapshot.text
    assert_verdict_on_first_screen(snapshot, tone)
    assert_light_and_safe(snapshot)
    for link in (
        f"https://t.me/{BOT_USERNAME}?start=cert_{shop.certificate_id}",
        f"https://m.me/{MESSENGER_PAGE}?ref=cert_{shop.certificate_id}",
        f"https://t.me/{BOT_USERNAME}?start=check",
        f"https://t.me/{BOT_USERNAME}?start=complain",
        f"https://m.me/{MESSENGER_PAGE}?ref=complain",
    ):
        assert f'href="{link}"' in snapshot.html


@pytest.mark.parametrize("locale", ["km", "en"])
def test_a_number_never_issued_warns_of_a_fake_badge(
    chromium: HeadlessChromium, demo_register: DemoRegister, locale: str
) -> None:
    with use_locale(locale):
        texts = (
            _("No certificate with this number exists"),
            _(
                "A badge showing this number is likely fake. Do not rely on it, and please "
                "report it."
            ),
        )
    snapshot = open_page(
        chromium, f"{demo_register.url}/v/CETS-2025-999999", locale, f"unknown-{locale}", texts
    )
    assert snapshot.status == 404
    assert {text: True for text in texts} == snapshot.visible
    assert "CETS-2025-999999" in snapshot.text
    assert_verdict_on_first_screen(snapshot, "bad")
    assert_light_and_safe(snapshot)


@pytest.mark.parametrize("locale", ["km", "en"])
@pytest.mark.parametrize(
    ("key", "word", "tone"),
    [("blacklisted", "Blacklisted", "bad"), ("registered", "Not certified", "neutral")],
)
def test_search_shows_the_verdict_of_shops_without_a_valid_certificate(
    chromium: HeadlessChromium,
    demo_register: DemoRegister,
    key: str,
    word: str,
    tone: str,
    locale: str,
) -> None:
    shop = demo_register.shop(key)
    with use_locale(locale):
        headline = _(word)
    url = f"{demo_register.url}/search?q={quote(shop.facebook)}"
    snapshot = open_page(chromium, url, locale, f"search-{key}-{locale}", (headline, shop.name))
    assert snapshot.status == 200
    assert snapshot.visible == {headline: True, shop.name: True}
    assert "verdict good" not in snapshot.html
    assert_verdict_on_first_screen(snapshot, tone)
    assert_light_and_safe(snapshot)


def test_the_badge_qr_code_opens_the_page_of_the_same_certificate(
    chromium: HeadlessChromium, demo_register: DemoRegister
) -> None:
    shop = demo_register.shop("valid")
    view = demo_register.certificates["valid"]
    assert shop.certificate_id is not None
    badge = render_badge(
        shop.certificate_id,
        (view.name, view.name_km),
        view.certificate.valid_until,
        "km",
        links=PublicLinks(public_base_url=demo_register.url, telegram_bot_username=BOT_USERNAME),
    )
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(badge)))
    assert code.text == f"{demo_register.url}/v/{shop.certificate_id}"
    with use_locale("km"):
        headline = _("Certified")
    snapshot = chromium.open(
        code.text,
        accept_language=KHMER_BROWSER,
        artifact="badge-qr-target",
        texts=(headline, shop.name_km, shop.certificate_id),
    )
    assert snapshot.status == 200
    assert all(snapshot.visible.values()), snapshot.visible
    assert_verdict_on_first_screen(snapshot, "good")


def test_an_english_browser_gets_english_and_others_get_khmer(
    chromium: HeadlessChromium, demo_register: DemoRegister
) -> None:
    url = f"{demo_register.url}/v/CETS-2025-000001"
    english = chromium.open(url, accept_language=ENGLISH_BROWSER, artifact="lang-en", texts=())
    french = chromium.open(url, accept_language="fr-FR,fr;q=0.9", artifact="lang-fr", texts=())
    assert (english.lang, french.lang) == ("en", "km")
