"""What the public register says about a shop: a verdict's tone, its words, and when a search
result is conclusive enough for a green verdict.

The words are gettext messages of the bot's catalogs, built in the current locale
(:func:`bot.i18n.use_locale`); templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Final

from backend_client import (
    Certificate,
    CertificateStatus,
    Identifier,
    IdentifierKind,
    MatchKind,
    PublicCertificate,
    ShopMatch,
    ShopVerdict,
    Verdict,
)
from bot.i18n import _, current_locale, format_long_date, format_number, ngettext, use_locale
from registry.names import normalise_name

_EXACT_MATCHES: Final = frozenset(
    {MatchKind.IDENTIFIER, MatchKind.CERTIFICATE_ID, MatchKind.REGISTRATION_NO}
)


class Tone(StrEnum):
    """The colour a verdict is shown in; the words always say the same on their own."""

    GOOD = "good"
    CAUTION = "caution"
    BAD = "bad"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class VerdictText:
    """A verdict as shown: its tone, one word or short phrase, and a sentence."""

    tone: Tone
    headline: str
    detail: str


@dataclass(frozen=True, slots=True)
class CoveredIdentifier:
    """One page, handle, website, phone or payment account a certificate covers."""

    kind_label: str
    text: str
    href: str | None


def long_date(value: date) -> str:
    """A date written out in the current locale (Babel, as the bot writes it; memoised: a
    certificate page shows three)."""
    return _long_date(current_locale(), value)


@lru_cache(maxsize=4096)
def _long_date(lang: str, value: date) -> str:
    with use_locale(lang):
        return format_long_date(value)


def is_conclusive(match: ShopMatch, query: str) -> bool:
    """True when a result may carry a verdict: found by an identifier, a certificate or
    registration number, or by a name written exactly (the same rule, and the same name
    normalisation, as the chat: :func:`registry.names.normalise_name`)."""
    if match.matched_by in _EXACT_MATCHES:
        return True
    wanted = normalise_name(query)
    return bool(wanted) and wanted in {
        normalise_name(match.shop.name),
        normalise_name(match.shop.name_km or ""),
    }


def _blacklisted() -> VerdictText:
    return VerdictText(
        Tone.BAD,
        _("Blacklisted"),
        _("The Ministry of Commerce has blacklisted this shop. Do not trust its trustmark."),
    )


def certificate_verdict(certificate: Certificate, *, blacklisted: bool = False) -> VerdictText:
    """The verdict of a certificate as it stands today (a blacklisting wins)."""
    if blacklisted:
        return _blacklisted()
    status = certificate.status
    if status is CertificateStatus.VALID:
        return VerdictText(
            Tone.GOOD,
            _("Certified"),
            _("This certificate is valid until {date}.").format(
                date=long_date(certificate.valid_until)
            ),
        )
    if status is CertificateStatus.SUSPENDED:
        if certificate.suspended_until is not None:
            detail = _(
                "Suspended until {date}. The shop may not show the trustmark until then."
            ).format(date=long_date(certificate.suspended_until))
        else:
            detail = _("The shop may not show the trustmark while it is suspended.")
        return VerdictText(Tone.CAUTION, _("Suspended"), detail)
    if status is CertificateStatus.REVOKED:
        if certificate.revoked_on is not None:
            detail = _("Revoked on {date}. This shop may no longer show the trustmark.").format(
                date=long_date(certificate.revoked_on)
            )
        else:
            detail = _("This shop may no longer show the trustmark.")
        return VerdictText(Tone.BAD, _("Revoked"), detail)
    return VerdictText(
        Tone.CAUTION,
        _("Expired"),
        _("Expired on {date}. The shop may not show the trustmark until it renews.").format(
            date=long_date(certificate.valid_until)
        ),
    )


def shop_verdict(shop: ShopVerdict) -> VerdictText:
    """The verdict of a shop found by a search: the blacklist, else its newest certificate."""
    if shop.blacklisted:
        return _blacklisted()
    if shop.certificate is not None:
        return certificate_verdict(shop.certificate)
    if shop.verdict is Verdict.REGISTERED_NOT_CERTIFIED:
        return VerdictText(
            Tone.NEUTRAL,
            _("Not certified"),
            _("Registered with the Ministry of Commerce, but not certified."),
        )
    return VerdictText(
        Tone.NEUTRAL, _("Not certified"), _("This shop does not hold the trustmark.")
    )


def uncovered_identifier_verdict(verdict: VerdictText) -> VerdictText:
    """A certified shop found by a page or number its certificate does not cover: no green."""
    if verdict.tone is not Tone.GOOD:
        return verdict
    return VerdictText(
        Tone.CAUTION,
        _("Not certified for this page or number"),
        _(
            "The shop is certified, but what you searched for is not one of the pages or "
            "numbers its certificate covers."
        ),
    )


def public_verdict(view: PublicCertificate) -> VerdictText:
    """The verdict of the certificate a badge's QR code opens."""
    return certificate_verdict(view.certificate, blacklisted=view.blacklisted)


def complaints_line(verified: int) -> str:
    """How many complaints the directorate verified (never who filed them)."""
    if not verified:
        return _("No verified complaints.")
    return ngettext("{count} verified complaint.", "{count} verified complaints.", verified).format(
        count=format_number(verified)
    )


def covered_identifier(identifier: Identifier) -> CoveredIdentifier:
    """How a covered identifier is written, labelled and linked."""
    value = identifier.value
    if identifier.kind in (IdentifierKind.FACEBOOK, IdentifierKind.FACEBOOK_ID):
        return CoveredIdentifier(
            _("Facebook page"), f"facebook.com/{value}", f"https://www.facebook.com/{value}"
        )
    if identifier.kind is IdentifierKind.TELEGRAM:
        return CoveredIdentifier(_("Telegram"), f"t.me/{value}", f"https://t.me/{value}")
    if identifier.kind is IdentifierKind.WEBSITE:
        return CoveredIdentifier(_("Website"), value, f"https://{value}")
    if identifier.kind is IdentifierKind.PHONE:
        return CoveredIdentifier(_("Phone"), identifier.display or value, f"tel:{value}")
    return CoveredIdentifier(_("Payment account"), identifier.display or value, None)
