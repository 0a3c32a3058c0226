"""The seller's journeys, written once and run over every transport (see :mod:`drivers`).

Texts are checked in the user's language through the real catalogs: ``said(locale, msgid)``
is what the bot says for a message id in that language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.i18n import _, use_locale
from tests.intake.samples import encode, jpeg_with_gps, pdf, picture
from tests.seller.drivers import Driver

APPLY = {"en": "I want to apply", "km": "ខ្ញុំចង់ដាក់ពាក្យ"}
CHECK_SHOP = {"en": "check a shop", "km": "ពិនិត្យហាង"}
CONTINUE = {"en": "continue", "km": "បន្ត"}
REFERENCE = re.compile(r"APP-\d{4}-\d{6}")
WRITTEN = {
    "en": "We record every order in a notebook and a spreadsheet: date, item, price.",
    "km": "យើងកត់ត្រាការបញ្ជាទិញនីមួយៗក្នុងសៀវភៅ និងតារាង៖ កាលបរិច្ឆេទ ទំនិញ និងតម្លៃ។",
}
INTRO = (
    "Let's prepare your trustmark application. It has short questions about your business, "
    "then the evidence for the 9 criteria and the documents. You can stop at any time: your "
    "answers are kept, and “continue” brings you back."
)
DECLARATION = (
    "Code of Conduct declaration: I declare that my business follows the Code of Conduct for "
    "e-commerce businesses, that the answers and evidence I gave are true, that I will display "
    "the trustmark only as permitted and tell the Ministry of Commerce about any change (pages, "
    "contact, practices)."
)


def said(locale: str, message: str, **values: object) -> str:
    """What the bot says for ``message`` in ``locale`` (the start of it, without placeholders)."""
    with use_locale(locale):
        text = _(message)
    return text.format(**values) if values else text


def opening(locale: str, message: str) -> str:
    """The fixed words a message starts with, before its first placeholder."""
    return said(locale, message).split("{")[0].strip()


@dataclass
class Files:
    """The evidence files of a journey: two photos, a screenshot and a PDF."""

    photo: bytes = field(default_factory=jpeg_with_gps)
    shop_photo: bytes = field(default_factory=lambda: jpeg_with_gps(picture(seed=3)))
    screenshot: bytes = field(default_factory=lambda: encode(picture(480, 800, seed=7), "PNG"))
    licence: bytes = field(default_factory=lambda: pdf(2))


@dataclass(frozen=True)
class Applicant:
    """Who applies: names, contact and pages (unique per test when given a tag)."""

    tag: str = "sokha"

    @property
    def name(self) -> str:
        """The Latin name."""
        return f"{self.tag.title()} Shop"

    name_km: str = "ហាងសុខា"
    address: str = "#23, Street 271, Sangkat Toul Tompoung, Phnom Penh"
    new_address: str = "#45, Street 110, Sangkat Wat Phnom, Phnom Penh"
    phone: str = "012 345 678"
    email: str = "owner@example.com"
    registration: str = "EC-2024-000777"

    @property
    def facebook(self) -> str:
        """The shop's Facebook page."""
        return f"facebook.com/{self.tag}shop.demo"

    @property
    def telegram(self) -> str:
        """The shop's Telegram channel."""
        return f"t.me/{self.tag}shop_demo"

    @property
    def wallet(self) -> str:
        """The shop's Bakong account."""
        return f"{self.tag}@aclb"

    def link(self, page: str) -> str:
        """A page of the shop's website."""
        return f"https://{self.tag}shop.example.com/{page}"


async def _evidence_links(driver: Driver, applicant: Applicant, field: str, page: str) -> None:
    await driver.say(applicant.link(page))
    assert applicant.link(page) in driver.text()
    await driver.press(f"app:!done:{field}")


async def full_application(driver: Driver, locale: str, applicant: Applicant, files: Files) -> str:
    """A complete application, as the issue asks: files and links as evidence, a criterion
    skipped and added later, a shop check and a restart in the middle, an answer changed from
    the review, then submitted. Returns the reference the user was given."""
    await driver.say(APPLY[locale])
    assert said(locale, INTRO) in driver.text()
    assert said(locale, "Step {step} of {total}", step=1, total=24) in driver.text()
    await driver.press("app:cat:sole_proprietorship")
    await driver.say(applicant.registration)
    await driver.say("15/03/2024")
    await driver.say(applicant.name_km)
    await driver.say(applicant.name)
    await driver.say(applicant.address)
    await driver.say(applicant.phone)
    await driver.say(applicant.email)
    await driver.say(f"{applicant.facebook} {applicant.telegram}")
    await driver.say(applicant.wallet)
    shown = driver.text()
    assert applicant.facebook in shown and applicant.wallet in shown
    await driver.press("app:!done:ids")
    assert "app:act:online_retail" in driver.payloads()

    # A shop check in the middle, then the bot's process restarts: the draft is kept.
    await driver.say(CHECK_SHOP[locale])
    await driver.say("facebook.com/some.unknown.seller")
    assert "app:!resume" in driver.payloads()
    await driver.restart()
    await driver.say(CONTINUE[locale])
    assert "app:act:online_retail" in driver.payloads()
    await driver.press("app:act:online_retail")

    # Criterion 1: a photo and a link.
    assert opening(locale, "Criterion {number} of {total}: {title}") in driver.text()
    await driver.send_file(files.photo, "contact-page.jpg", "image/jpeg", "image")
    await driver.say(applicant.link("contact"))
    await driver.press("app:!done:c1")
    # Criterion 2: a screenshot and a written answer.
    await driver.send_file(files.screenshot, "orders.png", "image/png", "file")
    await driver.say(WRITTEN[locale])
    await driver.press("app:!done:c2")
    await driver.press("app:c3q:yes")
    # Criterion 3: the warranty policy as a PDF.
    await driver.send_file(files.licence, "warranty.pdf", "application/pdf", "file")
    await driver.press("app:!done:c3")
    await _evidence_links(driver, applicant, "c4", "payment")
    await _evidence_links(driver, applicant, "c5", "privacy")
    await driver.press("app:!skip:c6")  # not yet: added later from the review
    await _evidence_links(driver, applicant, "c7", "disputes")
    await _evidence_links(driver, applicant, "c8", "returns")
    await _evidence_links(driver, applicant, "c9", "code-of-conduct")
    # Document (b): the registration certificate as a PDF; the others not yet.
    await driver.send_file(files.licence, "registration.pdf", "application/pdf", "file")
    await driver.press("app:!done:db")
    for name in ("dc", "dd", "de", "df"):
        await driver.press(f"app:!skip:{name}")
    review = driver.text()
    assert said(locale, "Please check your answers:") in review
    assert applicant.address in review

    # Change the address from the review, and add the missing criterion.
    await driver.press("app:!edit:addr")
    await driver.say(applicant.new_address)
    assert applicant.new_address in driver.text() and applicant.address not in driver.text()
    await driver.press("app:!edit:c6")
    await driver.send_file(files.shop_photo, "reviews.jpg", "image/jpeg", "image")
    await driver.press("app:!done:c6")
    assert said(locale, "Please check your answers:") in driver.text()
    await driver.press("app:!declare")
    assert said(locale, DECLARATION) in driver.text()
    await driver.press("app:!submit")
    answer = driver.text()
    found = REFERENCE.search(answer)
    assert found is not None, answer
    assert opening(locale, "Fee ({category}): {amount} {validity}.") in answer
    return found.group(0)


async def short_application(
    driver: Driver,
    locale: str,
    applicant: Applicant,
    files: Files,
    *,
    not_yet: tuple[int, ...] = (),
) -> str:
    """A straight application: one photo, links for the other criteria (or "not yet" for
    ``not_yet``), documents later. Returns the text of the answer to "submit"."""
    await driver.say(APPLY[locale])
    await driver.press("app:cat:individual")
    await driver.say(applicant.registration)
    await driver.say("01/02/2025")
    await driver.say(applicant.name_km)
    await driver.say(applicant.name)
    await driver.say(applicant.address)
    await driver.say(applicant.phone)
    await driver.press("app:!skip:mail")
    await driver.say(applicant.facebook)
    await driver.press("app:!done:ids")
    await driver.press("app:act:online_retail")
    await driver.send_file(files.photo, "contact-page.jpg", "image/jpeg", "image")
    await driver.press("app:!done:c1")
    await _evidence_links(driver, applicant, "c2", "products")
    await driver.press("app:c3q:no")
    pages = ((4, "payment"), (5, "privacy"), (6, "reviews"), (7, "disputes"), (8, "returns"))
    for number, page in (*pages, (9, "code-of-conduct")):
        if number in not_yet:
            await driver.press(f"app:!skip:c{number}")
        else:
            await _evidence_links(driver, applicant, f"c{number}", page)
    for name in ("db", "dc", "dd", "de", "df"):
        await driver.press(f"app:!skip:{name}")
    assert said(locale, "Please check your answers:") in driver.text()
    await driver.press("app:!declare")
    await driver.press("app:!submit")
    return driver.text()
