"""The public register's pages as typed view models: every word in the current locale.

Builders here take registry results and return what the templates lay out; they call gettext,
so run them inside :func:`bot.i18n.use_locale`. Nothing here reads the registry or the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final
from urllib.parse import urlencode

from backend_client import (
    Identifier,
    IdentifierKind,
    MatchKind,
    PublicCertificate,
    ShopMatch,
    ShopVerdict,
)
from bot.i18n import _, current_locale, pgettext, use_locale
from bot.public_links import PublicLinks, certificate_argument
from bot.web.verdicts import (
    CoveredIdentifier,
    Tone,
    VerdictText,
    complaints_line,
    covered_identifier,
    is_conclusive,
    long_date,
    public_verdict,
    shop_verdict,
    uncovered_identifier_verdict,
)

LANGUAGE_NAMES: Final = {"km": "ខ្មែរ", "en": "English"}
OG_LOCALES: Final = {"km": "km_KH", "en": "en_US"}
# Covered identifiers in the order a shopper looks for them: the page first, payment last.
KIND_ORDER: Final = {
    kind: position
    for position, kind in enumerate(
        (
            IdentifierKind.FACEBOOK,
            IdentifierKind.FACEBOOK_ID,
            IdentifierKind.TELEGRAM,
            IdentifierKind.WEBSITE,
            IdentifierKind.PHONE,
            IdentifierKind.PAYMENT,
        )
    )
}


@dataclass(frozen=True, slots=True)
class Link:
    """A link with its visible label."""

    label: str
    href: str


@dataclass(frozen=True, slots=True)
class ChannelLinks:
    """The bot's deep links on one messaging app."""

    channel: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class NameLine:
    """One of a shop's names, with the language of its script (for fonts and screen readers)."""

    text: str
    lang: str | None


@dataclass(frozen=True, slots=True)
class Fact:
    """A labelled fact of a certificate (number, dates)."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What every page has: language, titles, OpenGraph, robots, the language switch."""

    lang: str
    title: str
    description: str
    url: str
    alternates: tuple[tuple[str, str], ...]
    og_locale: str
    site_name: str
    noindex: bool
    switch: Link
    home: Link
    footer: str
    stylesheet: str
    icon: str


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The search box, prefilled with what was searched."""

    label: str
    placeholder: str
    button: str
    value: str
    lang: str


@dataclass(frozen=True, slots=True)
class BotLinks:
    """The buttons that open the bot, per messaging app (empty when none is configured)."""

    title: str
    channels: tuple[ChannelLinks, ...]


@dataclass(frozen=True, slots=True)
class CertificatePage:
    """``/v/<id>``: the live record of one certificate."""

    meta: PageMeta
    verdict: VerdictText
    names: tuple[NameLine, ...]
    facts: tuple[Fact, ...]
    covered_title: str
    covered: tuple[CoveredIdentifier, ...]
    complaints: str
    copy_warning: str
    bot: BotLinks
    form: SearchForm


@dataclass(frozen=True, slots=True)
class UnknownCertificatePage:
    """``/v/<id>`` for a number that was never issued."""

    meta: PageMeta
    verdict: VerdictText
    number: str
    bot: BotLinks
    form: SearchForm


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One conclusive search result, with its verdict."""

    names: tuple[NameLine, ...]
    verdict: VerdictText
    covered_title: str
    covered: tuple[CoveredIdentifier, ...]
    note: str | None
    complaints: str
    certificate: Link | None


@dataclass(frozen=True, slots=True)
class SearchPage:
    """``/search?q=``: verdicts for conclusive matches, "did you mean" for close names."""

    meta: PageMeta
    form: SearchForm
    heading: str
    results: tuple[SearchResult, ...]
    suggestions_title: str
    suggestions: tuple[Link, ...]
    notices: tuple[str, ...]
    bot: BotLinks


@dataclass(frozen=True, slots=True)
class MessagePage:
    """A short page with one message: too many searches, registry unavailable."""

    meta: PageMeta
    verdict: VerdictText
    form: SearchForm


@dataclass(frozen=True, slots=True)
class PageAddress:
    """Where a page is served: the site's base URL, its path and its query (without lang)."""

    base_url: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    stylesheet: str = "/static/register.css"
    icon: str = "/static/mark.svg"

    def href(self, lang: str | None, *, absolute: bool = False) -> str:
        """This page's address in ``lang`` (None: without a language)."""
        parts = [urlencode(self.query)] if self.query else []
        if lang is not None:
            parts.append(f"lang={lang}")  # a supported locale code: nothing to escape
        tail = f"{self.path}?{'&'.join(parts)}" if parts else self.path
        return f"{self.base_url}{tail}" if absolute else tail


@dataclass(frozen=True, slots=True)
class _Chrome:
    """The words every page of one locale shares (built once per locale)."""

    site_name: str
    home: Link
    footer: str
    form_label: str
    form_placeholder: str
    form_button: str


@cache
def _chrome(lang: str) -> _Chrome:
    with use_locale(lang):
        site_name = _("CETS public register")
        return _Chrome(
            site_name=site_name,
            home=Link(site_name, f"/search?lang={lang}"),
            footer=_(
                "The public register of the Cambodia E-commerce Trustmark (CETS), Ministry of "
                "Commerce. The trustmark is no warranty for any shop's goods or services."
            ),
            form_label=_("Check a shop"),
            form_placeholder=_("Page link, phone, name or CETS-…"),
            form_button=pgettext("button", "Check"),
        )


def _meta(address: PageAddress, title: str, description: str, *, noindex: bool) -> PageMeta:
    lang = current_locale()
    other = "en" if lang == "km" else "km"
    chrome = _chrome(lang)
    return PageMeta(
        lang=lang,
        title=title,
        description=description,
        url=address.href(lang, absolute=True),
        alternates=(
            *((code, address.href(code, absolute=True)) for code in LANGUAGE_NAMES),
            ("x-default", address.href(None, absolute=True)),
        ),
        og_locale=OG_LOCALES[lang],
        site_name=chrome.site_name,
        noindex=noindex,
        switch=Link(LANGUAGE_NAMES[other], address.href(other)),
        home=chrome.home,
        footer=chrome.footer,
        stylesheet=address.stylesheet,
        icon=address.icon,
    )


def search_form(value: str = "") -> SearchForm:
    """The search box in the current locale."""
    lang = current_locale()
    chrome = _chrome(lang)
    return SearchForm(
        label=chrome.form_label,
        placeholder=chrome.form_placeholder,
        button=chrome.form_button,
        value=value,
        lang=lang,
    )


def bot_links(links: PublicLinks, certificate_id: str | None = None) -> BotLinks:
    """Buttons that open the bot on each configured app: this certificate's check (its deep
    link), another shop's check, a complaint."""
    return _bot_links(current_locale(), links, certificate_id)


@cache
def _bot_links(lang: str, links: PublicLinks, certificate_id: str | None) -> BotLinks:
    with use_locale(lang):
        labelled = [
            (pgettext("button", "Check another shop"), "check"),
            (pgettext("button", "Complain"), "complain"),
        ]
        if certificate_id is not None:
            labelled.insert(
                0,
                (pgettext("button", "Open in the CETS bot"), certificate_argument(certificate_id)),
            )
        channels = []
        for channel, build in (("Telegram", links.telegram), ("Messenger", links.messenger)):
            built = [(label, build(argument)) for label, argument in labelled]
            buttons = tuple(Link(label, href) for label, href in built if href is not None)
            if buttons:
                channels.append(ChannelLinks(channel, buttons))
        return BotLinks(
            _("Open the CETS bot to check another shop or to complain:"), tuple(channels)
        )


def shop_names(name: str, name_km: str | None) -> tuple[NameLine, ...]:
    """A shop's names, the current locale's script first."""
    latin = NameLine(name, None)
    if not name_km:
        return (latin,)
    khmer = NameLine(name_km, "km")
    return (khmer, latin) if current_locale() == "km" else (latin, khmer)


def covered_list(identifiers: Sequence[Identifier]) -> tuple[CoveredIdentifier, ...]:
    """Covered identifiers as shown: pages and handles first, then websites, phones, accounts."""
    ordered = sorted(identifiers, key=lambda i: (KIND_ORDER.get(i.kind, 99), i.value))
    return tuple(covered_identifier(i) for i in ordered)


def _display_name(name: str, name_km: str | None) -> str:
    return name_km if current_locale() == "km" and name_km else name


def certificate_page(
    view: PublicCertificate, address: PageAddress, links: PublicLinks
) -> CertificatePage:
    """The live record a badge's QR code opens."""
    certificate = view.certificate
    verdict = public_verdict(view)
    facts = [
        Fact(_("Certificate number"), certificate.certificate_id),
        Fact(_("Valid from"), long_date(certificate.valid_from)),
        Fact(_("Valid until"), long_date(certificate.valid_until)),
    ]
    if certificate.registration_no:
        facts.append(Fact(_("E-commerce registration"), certificate.registration_no))
    title = f"{_display_name(view.name, view.name_km)} · {certificate.certificate_id}"
    return CertificatePage(
        meta=_meta(address, title, f"{verdict.headline}: {verdict.detail}", noindex=False),
        verdict=verdict,
        names=shop_names(view.name, view.name_km),
        facts=tuple(facts),
        covered_title=_("This certificate covers only these pages, numbers and accounts:"),
        covered=covered_list(certificate.covered_identifiers),
        complaints=complaints_line(view.verified_complaints),
        copy_warning=_(
            "Is this the page you are buying from? If it is not listed here, the badge may be "
            "copied."
        ),
        bot=bot_links(links, certificate.certificate_id),
        form=search_form(),
    )


def unknown_certificate_page(
    number: str, address: PageAddress, links: PublicLinks
) -> UnknownCertificatePage:
    """The answer for a certificate number that was never issued."""
    verdict = VerdictText(
        Tone.BAD,
        _("No certificate with this number exists"),
        _("A badge showing this number is likely fake. Do not rely on it, and please report it."),
    )
    return UnknownCertificatePage(
        meta=_meta(address, verdict.headline, verdict.detail, noindex=True),
        verdict=verdict,
        number=number,
        bot=bot_links(links),
        form=search_form(),
    )


def _result(match: ShopMatch) -> SearchResult:
    shop: ShopVerdict = match.shop
    verdict = shop_verdict(shop)
    note = None
    if match.identifier_covered is False and shop.certificate is not None:
        verdict = uncovered_identifier_verdict(verdict)
    elif match.matched_by is MatchKind.NAME:
        note = _("Found by name: check the page or phone number matches.")
    certificate = None
    if shop.certificate is not None:
        certificate = Link(
            _("Open certificate {number}").format(number=shop.certificate.certificate_id),
            f"/v/{shop.certificate.certificate_id}?{urlencode({'lang': current_locale()})}",
        )
    return SearchResult(
        names=shop_names(shop.name, shop.name_km),
        verdict=verdict,
        covered_title=_("This certificate covers only these pages, numbers and accounts:"),
        covered=(covered_list(shop.covered_identifiers) if verdict.tone is Tone.GOOD else ()),
        note=note,
        complaints=complaints_line(shop.verified_complaints),
        certificate=certificate,
    )


def _suggestion(match: ShopMatch) -> Link:
    shop = match.shop
    name = _display_name(shop.name, shop.name_km)
    label = f"{shop.name_km} · {shop.name}" if shop.name_km else shop.name
    return Link(label, f"/search?{urlencode({'q': name, 'lang': current_locale()})}")


def search_page(
    query: str, matches: Sequence[ShopMatch], address: PageAddress, links: PublicLinks
) -> SearchPage:
    """Results of a search: verdicts only for conclusive matches; close names as suggestions."""
    exact = [is_conclusive(m, query) for m in matches]
    conclusive = [m for m, sure in zip(matches, exact, strict=True) if sure]
    close = [m for m, sure in zip(matches, exact, strict=True) if not sure]
    notices: list[str] = []
    if not conclusive:
        if close:
            notices.append(_("No shop has exactly this name."))
        else:
            notices.append(_("No shop with this page, phone, name or number holds the trustmark."))
        notices.append(
            _(
                "That does not prove it is a scam, but be careful: pay on delivery, "
                "and keep screenshots of the chat and the payment."
            )
        )
    heading = _("Results for “{query}”").format(query=query)
    return SearchPage(
        meta=_meta(address, heading, _("Check a shop in the CETS public register."), noindex=True),
        form=search_form(query),
        heading=heading,
        results=tuple(_result(m) for m in conclusive),
        suggestions_title=_("Did you mean:"),
        suggestions=tuple(_suggestion(m) for m in close),
        notices=tuple(notices),
        bot=bot_links(links),
    )


def search_start_page(address: PageAddress, links: PublicLinks) -> SearchPage:
    """``/search`` without a query: the search box and what it finds."""
    heading = _("Check whether a shop holds the trustmark")
    return SearchPage(
        meta=_meta(address, heading, _("Check a shop in the CETS public register."), noindex=True),
        form=search_form(),
        heading=heading,
        results=(),
        suggestions_title=_("Did you mean:"),
        suggestions=(),
        notices=(
            _(
                "Type the shop's Facebook page link, Telegram, phone number, website, name or "
                "certificate number (CETS-...)."
            ),
        ),
        bot=bot_links(links),
    )


def message_page(
    address: PageAddress, headline: str, detail: str, *, query: str = ""
) -> MessagePage:
    """A page that only says one thing (an error the visitor can act on)."""
    verdict = VerdictText(Tone.NEUTRAL, headline, detail)
    return MessagePage(
        meta=_meta(address, headline, detail, noindex=True),
        verdict=verdict,
        form=search_form(query),
    )
